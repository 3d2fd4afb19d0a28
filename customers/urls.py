from django.urls import path

from . import views

app_name = "customers"

# The account page, ``<int:pk>/`` ("account_detail"), reads tickets and contracts: it is
# ``tickets.urls.account_urlpatterns``, joined to these in ``config.urls``.
urlpatterns = [
    path("", views.AccountListView.as_view(), name="account_list"),
]
