"""Settings > Automation > Email templates: the alerts' subjects and texts with placeholders.

For holders of *Manage automation* (403 otherwise); a template outside the user's departments
answers 404. The form lists the module's placeholders beside it, and its *Preview* button shows
the subject and text rendered for the newest ticket (or contract) of the chosen department the
user sees, or with sample values where there is none; a preview never saves.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from contracts.models import Contract
from desk.views import ManageAutomationRequiredMixin
from tickets.models import Ticket

from .. import criteria, placeholders, selectors, services
from ..forms import EmailTemplateForm
from ..models import EmailTemplate, Module

LARGEST_ID = 2**63 - 1

TEMPLATE_CREATED = _("Email template created.")
TEMPLATE_SAVED = _("Email template saved.")
TEMPLATE_DELETED = _("Email template deleted.")
TEMPLATE_NOT_SAVED = _("The template was not saved: correct the errors below.")
PREVIEW_NOT_SAVED = _("This is a preview: nothing is saved until you press Save.")

# What a placeholder shows in a preview when the department has no record to show.
SAMPLE_VALUES = {
    "ticket.number": "#1234",
    "ticket.subject": _("The printer does not print"),
    "ticket.status": _("Open"),
    "ticket.priority": _("Urgent"),
    "ticket.assignee": _("Alex Agent"),
    "ticket.contact": _("Casey Customer"),
    "ticket.link": "https://desk.example.com/tickets/1234/",
    "ticket.resolution_due": _("tomorrow at 17:00"),
    "account.name": _("Example Ltd"),
    "contract.name": _("Premium support"),
    "contract.number": "C-00042",
    "contract.end_date": _("31 December"),
    "contract.owner": _("Olive Owner"),
    "contract.link": "https://desk.example.com/contracts/42/",
    "plan.name": _("Ten tickets a month"),
    "plan.type": _("Ticket-based"),
    "credits.limit": "10",
    "credits.used": "7",
    "credits.left": "3",
    "rule.name": _("Urgent tickets"),
}


def _template_or_404(user, pk) -> EmailTemplate:
    if pk > LARGEST_ID:
        raise Http404
    try:
        return selectors.template_get(user, pk)
    except EmailTemplate.DoesNotExist as missing:
        raise Http404 from missing


class TemplateListView(ManageAutomationRequiredMixin, TemplateView):
    template_name = "automation/template_list.html"

    def get_context_data(self, **kwargs):
        templates = selectors.template_list(self.request.user).annotate(rule_count=Count("rules"))
        return super().get_context_data(templates=templates, **kwargs)


def preview_record(user, department, module: str):
    """The newest ticket (or contract) of ``department`` the user sees, or None."""
    if module == Module.TICKETS:
        records = Ticket.objects.visible_to(user).filter(department=department)
        related = ["account", "contact", "assignee", "contract__support_plan", "contract__owner"]
        related += ["contract__account"]
        return records.select_related(*related).order_by("-created_at", "-pk").first()
    records = Contract.objects.visible_to(user).filter(support_plan__department=department)
    return records.select_related("account", "owner", "support_plan").order_by("-pk").first()


def preview(user, department, module: str, subject: str, body: str) -> dict:
    """The subject and text rendered for the department's newest record (in the active
    language and time zone: the user's), or with sample values."""
    record = preview_record(user, department, module)
    if record is None:
        values = {
            name: str(SAMPLE_VALUES.get(name, name)) for name in placeholders.PLACEHOLDERS[module]
        }
    else:
        facts = criteria.Facts(module, record)
        values = placeholders.values_for(
            module,
            record,
            rule_name=str(SAMPLE_VALUES["rule.name"]),
            credit_summary=facts.credit_summary,
        )
    return {
        "record": record,
        "subject": " ".join(placeholders.render(subject, values).split()),
        "body": placeholders.render(body, values),
    }


class TemplateFormView(ManageAutomationRequiredMixin, TemplateView):
    template_name = "automation/template_form.html"
    template: EmailTemplate | None = None

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.template = self.get_template()
        return super().dispatch(request, *args, **kwargs)

    def get_template(self) -> EmailTemplate | None:
        return None

    def make_form(self, data=None) -> EmailTemplateForm:
        initial = None
        if self.template is None and data is None:
            initial = {}
            module = self.request.GET.get("module")
            if module in Module.values:
                initial["module"] = module
            department = self.request.GET.get("department", "")
            if department.isascii() and department.isdecimal():
                initial["department"] = int(department)
        kwargs = {"initial": initial} if initial else {}
        return EmailTemplateForm(data, user=self.request.user, template=self.template, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        valid = form.is_valid()
        if "preview" in request.POST:
            return self.render_preview(form)
        if valid:
            try:
                self.save(form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, self.done)
                return redirect("automation:template_list")
        messages.error(request, TEMPLATE_NOT_SAVED)
        return self.render_to_response(self.get_context_data(form=form))

    def render_preview(self, form: EmailTemplateForm):
        """The form as posted, with the subject and text rendered; nothing saved."""
        data = dict(form.cleaned_data)
        form.errors.pop("name", None)  # a preview needs no name yet
        form.check_placeholders()
        shown = None
        department, module = data.get("department"), data.get("module")
        if department is not None and module in Module.values:
            subject, body = data.get("subject", ""), data.get("body", "")
            shown = preview(self.request.user, department, module, subject, body)
        messages.info(self.request, PREVIEW_NOT_SAVED)
        return self.render_to_response(self.get_context_data(form=form, preview=shown))

    def get_context_data(self, **kwargs):
        form = kwargs["form"]
        module = form.chosen_module()
        modules = [module] if module else list(Module.values)
        listed = [
            {
                "module": name,
                "label": Module(name).label,
                "placeholders": [
                    (f"{{{key}}}", description)
                    for key, description in placeholders.PLACEHOLDERS[name].items()
                ],
            }
            for name in modules
        ]
        return super().get_context_data(
            email_template=self.template, placeholder_lists=listed, **kwargs
        )


class TemplateCreateView(TemplateFormView):
    done = TEMPLATE_CREATED

    def save(self, data):
        return services.template_create(
            by=self.request.user,
            department=data["department"],
            module=data["module"],
            name=data["name"],
            subject=data["subject"],
            body=data["body"],
        )


class TemplateEditView(TemplateFormView):
    done = TEMPLATE_SAVED

    def get_template(self):
        return _template_or_404(self.request.user, self.kwargs["pk"])

    def save(self, data):
        assert self.template is not None
        return services.template_update(
            by=self.request.user,
            template=self.template,
            name=data["name"],
            subject=data["subject"],
            body=data["body"],
        )


class TemplateDeleteView(ManageAutomationRequiredMixin, TemplateView):
    """GET asks to confirm (and names the rules that send the template); POST deletes, or says
    why it cannot while rules send it."""

    template_name = "automation/template_confirm_delete.html"

    def get_context_data(self, **kwargs):
        template = _template_or_404(self.request.user, self.kwargs["pk"])
        rules = list(template.rules.order_by("name", "pk"))
        return super().get_context_data(email_template=template, rules=rules, **kwargs)

    def post(self, request, pk):
        template = _template_or_404(request.user, pk)
        try:
            services.template_delete(by=request.user, template=template)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("automation:template_delete", pk)
        messages.success(request, TEMPLATE_DELETED)
        return redirect("automation:template_list")
