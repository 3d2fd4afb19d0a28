from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from . import services
from .access import MANAGE_AUTOMATION
from .forms import LanguageForm, ModulesForm, PreferencesForm
from .preferences import SESSION_LANGUAGE, preferences_for, preferences_save
from .selectors import department_list


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

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "departments": department_list(self.request.user)}

    def get_initial(self):
        return {"contracts": department_list(self.request.user).filter(contracts_enabled=True)}

    def form_valid(self, form):
        services.departments_set_contracts_module(
            departments=department_list(self.request.user),
            enabled=set(form.cleaned_data["contracts"]),
        )
        messages.success(self.request, _("Modules saved."))
        return super().form_valid(form)


class PreferencesView(FormView):
    """The signed-in user's language and time zone."""

    template_name = "desk/preferences.html"
    form_class = PreferencesForm
    success_url = reverse_lazy("preferences")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": preferences_for(self.request.user)}

    def form_valid(self, form):
        preferences_save(
            request=self.request,
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
        )
        messages.success(self.request, _("Preferences saved."))
        return super().form_valid(form)


@login_not_required
@require_POST
def set_language(request):
    """The top bar's language switch: for this session, and for a signed-in user from now on."""
    form = LanguageForm(request.POST)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            preferences_save(request=request, language=language)
        else:
            request.session[SESSION_LANGUAGE] = language
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    return redirect(next_url)
