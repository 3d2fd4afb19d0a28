from django.urls import path

from . import views

app_name = "tickets"

urlpatterns = [
    path("", views.TicketListView.as_view(), name="ticket_list"),
    path("new/", views.TicketCreateView.as_view(), name="ticket_create"),
    path("new/accounts/", views.NewTicketAccountsView.as_view(), name="ticket_create_accounts"),
    path("new/choices/", views.NewTicketChoicesView.as_view(), name="ticket_create_choices"),
    path("<int:pk>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    path("<int:pk>/replies/", views.ReplyAddView.as_view(), name="reply_add"),
]

# Pages of the customers' addresses that read tickets (joined to customers.urls in config.urls).
account_urlpatterns = [
    path("<int:pk>/", views.AccountDetailView.as_view(), name="account_detail"),
]
