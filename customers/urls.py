from django.urls import path

from . import views

app_name = "customers"

# The account page, ``<int:pk>/`` ("account_detail"), reads tickets and contracts: it is
# ``tickets.urls.account_urlpatterns``, joined to these in ``config.urls``.
urlpatterns = [
    path("", views.AccountListView.as_view(), name="account_list"),
    # The Contacts tab's buttons: a contact's access to the help centre (POST only).
    path(
        "<int:account_pk>/contacts/<int:pk>/invite/",
        views.ContactInviteView.as_view(),
        name="contact_invite",
    ),
    path(
        "<int:account_pk>/contacts/<int:pk>/revoke/",
        views.ContactRevokeView.as_view(),
        name="contact_revoke",
    ),
]
