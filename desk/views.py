from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from . import services
from .access import MANAGE_AUTOMATION
from .forms import ModulesForm
from .models import Department


class ManageAutomationRequiredMixin(PermissionRequiredMixin):
    """Settings > Automation and Customization: 403 for anyone without *Manage automation*."""

    permission_required = MANAGE_AUTOMATION
    raise_exception = True


def home(request):
    return redirect("tickets:ticket_list")


class SettingsView(ManageAutomationRequiredMixin, TemplateView):
    template_name = "desk/settings.html"


class ModulesView(ManageAutomationRequiredMixin, FormView):
    template_name = "desk/modules.html"
    form_class = ModulesForm
    success_url = reverse_lazy("desk:modules")

    def get_initial(self):
        return {"contracts": Department.objects.filter(contracts_enabled=True)}

    def form_valid(self, form):
        services.departments_set_contracts_module(
            enabled_ids={d.pk for d in form.cleaned_data["contracts"]}
        )
        messages.success(self.request, _("Modules saved."))
        return super().form_valid(form)
