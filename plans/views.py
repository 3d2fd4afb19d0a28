from django.views.generic import DetailView, ListView

from desk.views import ManageAutomationRequiredMixin

from . import selectors


class PlanListView(ManageAutomationRequiredMixin, ListView):
    template_name = "plans/supportplan_list.html"
    context_object_name = "plans"
    paginate_by = 50

    def get_queryset(self):
        return selectors.plan_list(self.request.user)


class PlanDetailView(ManageAutomationRequiredMixin, DetailView):
    template_name = "plans/supportplan_detail.html"
    context_object_name = "plan"

    def get_queryset(self):
        return selectors.plan_list(self.request.user)
