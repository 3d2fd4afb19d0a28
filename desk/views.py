import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from django_tasks_db.models import DBTaskResult

from . import services
from .access import MANAGE_AUTOMATION
from .forms import LanguageForm, ModulesForm, PreferencesForm
from .models import OutgoingEmail
from .preferences import SESSION_LANGUAGE, preferences_for, preferences_save
from .redirects import posted_next
from .selectors import department_list


class ManageAutomationRequiredMixin(PermissionRequiredMixin):
    """Settings > Automation and Customization: 403 for anyone without *Manage automation*."""

    permission_required = MANAGE_AUTOMATION
    raise_exception = True


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
    # Only a path on this desk is followed: anything else ("abc", a URL name, another host)
    # goes home rather than to a 500 or another site.
    return redirect(posted_next(request, "/"))


# The oldest task ready to run may wait this long before the desk reports itself unhealthy: longer
# means no worker is taking tasks (emails wait).
QUEUE_WAIT_LIMIT = datetime.timedelta(minutes=10)


@login_not_required
@never_cache
def healthz(request):
    """For a load balancer: 200 when the database answers and the task queue is being worked off,
    503 otherwise, with what was found (JSON)."""
    report: dict = {"database": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        now = timezone.now()
        oldest = DBTaskResult.objects.ready().order_by("enqueued_at").first()
        waited = datetime.timedelta()
        if oldest is not None:  # ready since it was queued, or since the time it was put off to
            ready_since = oldest.run_after if oldest.run_after <= now else oldest.enqueued_at
            waited = now - max(ready_since, oldest.enqueued_at)
    except DatabaseError as error:
        return JsonResponse({"database": f"error: {type(error).__name__}"}, status=503)
    report["queue"] = {
        "ready": DBTaskResult.objects.ready().count(),
        "oldest_wait_seconds": int(waited.total_seconds()),
        "unsent_emails": OutgoingEmail.objects.filter(sent_at__isnull=True).count(),
    }
    healthy = waited <= QUEUE_WAIT_LIMIT
    report["status"] = "ok" if healthy else "the task queue is not being worked off"
    return JsonResponse(report, status=200 if healthy else 503)
