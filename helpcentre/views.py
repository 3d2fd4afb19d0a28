"""The help centre's pages (stubs: filled in by issue 17)."""

from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "helpcentre/home.html"


class ContractDetailView(TemplateView):
    template_name = "helpcentre/home.html"


class TicketListView(TemplateView):
    template_name = "helpcentre/home.html"


class TicketCreateView(TemplateView):
    template_name = "helpcentre/home.html"


class TicketDetailView(TemplateView):
    template_name = "helpcentre/home.html"
