"""Settings > Automation > Email templates (to be built)."""

from django.views.generic import TemplateView

from desk.views import ManageAutomationRequiredMixin


class _Stub(ManageAutomationRequiredMixin, TemplateView):
    template_name = "desk/settings.html"


TemplateListView = TemplateCreateView = TemplateEditView = TemplateDeleteView = _Stub
