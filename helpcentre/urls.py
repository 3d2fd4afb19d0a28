from django.urls import path

from . import auth, views

app_name = "helpcentre"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("contracts/<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("tickets/", views.TicketListView.as_view(), name="ticket_list"),
    path("tickets/new/", views.TicketCreateView.as_view(), name="ticket_create"),
    path("tickets/<int:pk>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    # Signing in and out, and the invitation's one-time link to choose a password.
    path("sign-in/", auth.SignInView.as_view(), name="sign_in"),
    path("sign-out/", auth.SignOutView.as_view(), name="sign_out"),
    path("welcome/<uidb64>/<token>/", auth.WelcomeView.as_view(), name="welcome"),
]
