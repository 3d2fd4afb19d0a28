from django.views.generic import DetailView, ListView

from desk.views import ManageAutomationRequiredMixin

from . import selectors


class SLAListView(ManageAutomationRequiredMixin, ListView):
    template_name = "sla/sla_list.html"
    context_object_name = "slas"
    paginate_by = 50

    def get_queryset(self):
        return selectors.sla_list(self.request.user)


class SLADetailView(ManageAutomationRequiredMixin, DetailView):
    template_name = "sla/sla_detail.html"
    context_object_name = "sla"

    def get_queryset(self):
        return selectors.sla_list(self.request.user).prefetch_related("targets")
