"""Settings > Automation > Workflow rules (to be built)."""

from django.views.generic import TemplateView

from desk.views import ManageAutomationRequiredMixin


class _Stub(ManageAutomationRequiredMixin, TemplateView):
    template_name = "desk/settings.html"


RuleListView = RuleCreateView = RuleDetailView = RuleEditView = _Stub
RuleSetActiveView = RuleMoveView = RuleDeleteView = _Stub
