"""My tasks, and tasks on a ticket page (to be built)."""

from django.views.generic import TemplateView


class _Stub(TemplateView):
    template_name = "desk/settings.html"


MyTasksView = TaskCreateView = TaskCompleteView = TaskReopenView = _Stub
