"""Settings > Automation > Workflow rules (SPEC section 10) and Time-based rules (section 11): the
list, a rule's page (the rule in words, *Test against…* and the log; for a time-based rule, the
tickets it would fire for now), its form, and the POST-only changes (activate, deactivate, move
up or down, delete). One set of views for both kinds: ``KindMixin`` says which.

For holders of *Manage automation* (403 otherwise, before anything is read); a rule outside the
user's departments answers 404. Each write is one call to ``automation.services``; a refusal is
a message on the form or the page, never a 500.
"""

from __future__ import annotations

import json
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from contracts.models import Contract
from desk.people import person_name
from desk.redirects import posted_next
from desk.views import ManageAutomationRequiredMixin

from .. import criteria, engine, selectors, services, timed
from ..forms import RuleForm, criteria_formset
from ..log import describe
from ..models import Module, Rule

# The largest primary key the database holds: a larger one in an address is no rule (404).
LARGEST_ID = 2**63 - 1

RULE_CREATED = _("Workflow rule created.")
RULE_SAVED = _("Workflow rule saved.")
RULE_NOT_SAVED = _("The rule was not saved: correct the errors below.")
RULE_ACTIVATED = _("The rule is active: it fires whenever its conditions hold.")
RULE_DEACTIVATED = _("The rule is inactive: it no longer fires.")
RULE_MOVED = _("The order of the rules is saved.")
RULE_DELETED = _("Rule deleted.")
TIME_RULE_CREATED = _("Time-based rule created.")
TIME_RULE_SAVED = _("Time-based rule saved.")
NO_SUCH_RECORD = {
    Module.TICKETS: _("No ticket %(number)s of the department %(department)s is yours to see."),
    Module.CONTRACTS: _("No contract %(number)s of the department %(department)s is yours to see."),
}
ENTER_A_NUMBER = {
    Module.TICKETS: _("Enter a ticket number."),
    Module.CONTRACTS: _("Enter a contract's number or ID."),
}


def _rule_or_404(user, pk, kind: str = Rule.Kind.WORKFLOW) -> Rule:
    if pk > LARGEST_ID:
        raise Http404
    try:
        return selectors.rule_get(user, pk, kind)
    except Rule.DoesNotExist as missing:
        raise Http404 from missing


def _names(prefix: str) -> dict[str, str]:
    actions = ("list", "create", "detail", "edit", "set_active", "move", "delete")
    return {action: f"automation:{prefix}_{action}" for action in actions}


class KindMixin:
    """Which kind of rule the view shows: the workflow rules' pages, or (``kind`` set to
    ``TIME_BASED``) the time-based rules', with their addresses (``names``) and title."""

    kind = Rule.Kind.WORKFLOW
    kwargs: dict[str, Any]

    @property
    def time_based(self) -> bool:
        return self.kind == Rule.Kind.TIME_BASED

    def get_rule(self, user, pk) -> Rule:
        return _rule_or_404(user, pk, self.kind)

    def kind_context(self) -> dict[str, Any]:
        return {
            "time_based": self.time_based,
            "names": _names("time_rule" if self.time_based else "rule"),
            "kind_title": _("Time-based rules") if self.time_based else _("Workflow rules"),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.kind_context(), **kwargs)  # type: ignore[misc]


# --- the list -------------------------------------------------------------------------------


class RuleListView(ManageAutomationRequiredMixin, KindMixin, TemplateView):
    """The rules of the user's departments, per department and module, in the order they fire,
    with their 7-day firing counts (one query, however many rules)."""

    template_name = "automation/rule_list.html"

    def get_context_data(self, **kwargs):
        rules = list(selectors.rule_list(self.request.user, self.kind))
        departments = []
        for department, of_department in groupby(rules, key=lambda rule: rule.department):
            modules = []
            for module, of_module in groupby(of_department, key=lambda rule: rule.module):
                group = list(of_module)
                for index, rule in enumerate(group):
                    rule.is_first = index == 0
                    rule.is_last = index == len(group) - 1
                modules.append({"label": Module(module).label, "module": module, "rules": group})
            departments.append({"department": department, "modules": modules})
        return super().get_context_data(
            departments=departments, modules=Module.choices, rule_count=len(rules), **kwargs
        )


# --- a rule in words ------------------------------------------------------------------------


def _choice_label(field_name: str, value) -> str:
    choices = dict(Rule._meta.get_field(field_name).choices)
    return str(choices.get(value, value))


def criteria_in_words(rule: Rule) -> list[dict[str, Any]]:
    """The rule's criteria rows as a reader knows them: number, field, operator, value."""
    fields = criteria.FIELDS[rule.module]
    rows = []
    for number, row in enumerate(rule.criteria, start=1):
        field = fields.get(row.get("field"))
        operator = row.get("operator", "")
        value = row.get("value")
        rows.append(
            {
                "number": number,
                "field": field.label if field else row.get("field"),
                "operator": criteria.OPERATORS.get(operator, operator),
                "value": ""
                if operator in criteria.NO_VALUE
                else (field.value_label(value, rule.department) if field else str(value)),
            }
        )
    return rows


def updates_in_words(updates: dict) -> list[str]:
    """Field updates (``{"status", "priority", "assignee"}``) as "Status → Open" lines."""
    lines = []
    if updates.get("status"):
        lines.append(
            gettext("Status → %(value)s")
            % {"value": _choice_label("set_status", updates["status"])}
        )
    if updates.get("priority"):
        lines.append(
            gettext("Priority → %(value)s")
            % {"value": _choice_label("set_priority", updates["priority"])}
        )
    if updates.get("assignee"):
        assignee = updates["assignee"]
        name = person_name(assignee) if hasattr(assignee, "get_full_name") else str(assignee)
        lines.append(gettext("Assignee → %(value)s") % {"value": name})
    return lines


def recipients_in_words(rule: Rule) -> list[str]:
    chosen = []
    if rule.alert_assignee:
        chosen.append(gettext("the ticket's assignee"))
    if rule.alert_contract_owner:
        chosen.append(gettext("the contract owner"))
    if rule.alert_contact:
        chosen.append(gettext("the ticket's contact"))
    chosen.extend(person_name(user) for user in rule.alert_users.all())
    chosen.extend(line.strip() for line in rule.alert_addresses.splitlines() if line.strip())
    return chosen


def trigger_in_words(rule: Rule) -> dict[str, Any]:
    labels = dict(criteria.TRIGGER_FIELDS[rule.module])
    return {
        "label": rule.get_trigger_display(),
        "fields": [str(labels.get(name, name)) for name in rule.trigger_fields]
        if rule.trigger == Rule.Trigger.FIELDS_UPDATED
        else [],
        "once_per_cycle": rule.trigger == Rule.Trigger.CREDIT_CHANGED and rule.once_per_cycle,
    }


def would_in_words(rule: Rule, would: list[dict]) -> list[dict[str, Any]]:
    """What *Test against…* says the rule would do, each action a kind and its lines."""
    shown = []
    for action in would:
        kind = action["action"]
        if kind == "field_update":
            shown.append({"kind": kind, "lines": updates_in_words(action["detail"])})
        elif kind == "alert":
            shown.append(
                {
                    "kind": kind,
                    "to": action["to"],
                    "subject": action["subject"],
                    "body": action["body"],
                }
            )
        elif kind == "task":
            shown.append({"kind": kind, "subject": action["subject"], "due_at": action["due_at"]})
        elif kind == "webhook":
            shown.append({"kind": kind, "url": action["url"]})
    return shown


def webhook_state(url: str, delivery) -> dict[str, Any]:
    """A queued webhook's delivery as it stands: delivered, given up, or still being tried."""
    if delivery.delivered_at is not None:
        return {"ok": True, "text": gettext("Webhook to %(url)s: delivered") % {"url": url}}
    if delivery.gave_up_at is not None:
        text = gettext("Webhook to %(url)s: gave up after %(attempts)s attempts") % {
            "url": url,
            "attempts": delivery.attempts,
        }
        return {"ok": False, "text": text}
    return {"ok": True, "text": gettext("Webhook to %(url)s: queued") % {"url": url}}


def log_in_words(firings) -> list[dict[str, Any]]:
    """The rule's firings, each action in words, a webhook's with each attempt (the deliveries
    and attempts come prefetched with the log)."""
    rows = []
    for firing in firings:
        deliveries = {delivery.pk: delivery for delivery in firing.deliveries.all()}
        actions = []
        results = firing.actions if isinstance(firing.actions, list) else []
        for result in results:
            if not isinstance(result, dict):
                continue
            said = describe(result)
            detail = result.get("detail") if isinstance(result.get("detail"), dict) else {}
            delivery = deliveries.get(detail.get("delivery"))
            if result.get("action") == "webhook" and said["ok"] and delivery is not None:
                said.update(webhook_state(detail.get("url", ""), delivery))
            said["attempts"] = list(delivery.attempt_log.all()) if delivery is not None else []
            actions.append(said)
        rows.append({"firing": firing, "record": firing.record, "actions": actions})
    return rows


class RuleDetailView(ManageAutomationRequiredMixin, KindMixin, TemplateView):
    """The rule in words, *Test against…* (``?record=<number>``: which criteria hold for that
    ticket or contract and what the rule would do, without doing it), and its log."""

    template_name = "automation/rule_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        rule = self.get_rule(user, self.kwargs["pk"])
        context = {
            "rule": rule,
            "trigger": trigger_in_words(rule),
            "criteria_rows": criteria_in_words(rule),
            "updates": updates_in_words(rule.field_updates)
            if rule.module == Module.TICKETS
            else [],
            "recipients": recipients_in_words(rule) if rule.alerts else [],
            "recent_firings": selectors.recent_firing_count(rule),
            "log": log_in_words(selectors.rule_log(rule)),
            "log_limit": selectors.LOG_SHOWN,
            "record_number": "",
        }
        context.update(self.test_against(rule))
        if self.time_based:
            count, first = timed.would_fire(rule, timezone.now())
            context.update(would_fire_count=count, would_fire_first=first)
        return super().get_context_data(**context, **kwargs)

    def test_against(self, rule: Rule) -> dict[str, Any]:
        if "record" not in self.request.GET:
            return {}
        number = self.request.GET.get("record", "").strip()[:40]
        result: dict[str, Any] = {"record_number": number, "tested": True}
        if not number:
            result["test_error"] = ENTER_A_NUMBER[rule.module]
            return result
        record = self.find_record(rule, number)
        if record is None:
            result["test_error"] = NO_SUCH_RECORD[rule.module] % {
                "number": number,
                "department": rule.department.name,
            }
            return result
        if self.time_based:
            time = timed.explain(rule, record, timezone.now())
            explanation = time.explanation
            result["time_test"] = time
        else:
            explanation = engine.explain(rule, record)
        rows = [
            {
                "number": row.number,
                "field": row.field.label,
                "operator": row.operator_label,
                "value": ""
                if row.operator in criteria.NO_VALUE
                else row.field.value_label(row.value, rule.department),
                "actual": row.actual,
                "holds": row.holds,
            }
            for row in explanation.evaluation.rows
        ]
        holds = explanation.evaluation.holds
        if self.time_based:
            holds = holds and result["time_test"].holds and not result["time_test"].fired_already
        result.update(
            record=record,
            test_rows=rows,
            test_holds=holds,
            would=would_in_words(rule, explanation.actions),
        )
        return result

    def find_record(self, rule: Rule, number: str):
        """The user's ticket (by number) or contract (by ID or contract number) in the rule's
        department, or None."""
        user = self.request.user
        plain = number.lstrip("#")
        if plain.isascii() and plain.isdecimal() and int(plain) <= LARGEST_ID:
            record = selectors.test_record(user, rule, plain)
            if record is not None or rule.module == Module.TICKETS:
                return record
        if rule.module != Module.CONTRACTS:
            return None
        pk = (
            Contract.objects.visible_to(user)
            .filter(support_plan__department=rule.department, contract_number__iexact=number)
            .values_list("pk", flat=True)
            .first()
        )
        return selectors.test_record(user, rule, pk) if pk is not None else None


# --- the form -------------------------------------------------------------------------------


class RuleFormView(ManageAutomationRequiredMixin, KindMixin, TemplateView):
    """A rule's fields in one form, its criteria in a formset of rows."""

    template_name = "automation/rule_form.html"
    rule: Rule | None = None
    module = ""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.setup_rule()
        return super().dispatch(request, *args, **kwargs)

    def setup_rule(self) -> None:
        raise NotImplementedError

    def forms(self, data=None):
        form = RuleForm(
            data, user=self.request.user, module=self.module, rule=self.rule, kind=self.kind
        )
        formset = criteria_formset(
            self.module,
            form.departments,
            data=data,
            rows=self.rule.criteria if self.rule is not None else None,
        )
        return form, formset

    def get(self, request, *args, **kwargs):
        if not self.module:
            return self.render_to_response(self.get_context_data(choose_module=True))
        form, formset = self.forms()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        if not self.module:
            return self.render_to_response(self.get_context_data(choose_module=True))
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                rule = self.save(form, form.rule_fields() | {"criteria": formset.criteria()})
            except ValidationError as error:
                form.add_service_errors(error, formset)
            else:
                messages.success(request, self.done)
                return redirect(rule)
        messages.error(request, RULE_NOT_SAVED)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        fields = criteria.FIELDS.get(self.module, {})
        return super().get_context_data(
            rule=self.rule,
            module=self.module,
            module_label=Module(self.module).label if self.module else "",
            modules=Module.choices,
            # For static/js/rule_form.js: the operators and the value box that suit a field.
            field_kinds=json.dumps({name: field.kind for name, field in fields.items()}),
            kind_operators=json.dumps(criteria.KIND_OPERATORS),
            no_value=json.dumps(sorted(criteria.NO_VALUE)),
            max_criteria=criteria.MAX_CRITERIA,
            **kwargs,
        )


class RuleCreateView(RuleFormView):
    done = RULE_CREATED

    def setup_rule(self) -> None:
        if self.time_based:
            self.module = Module.TICKETS  # time-based rules are for tickets
            return
        module = self.request.POST.get("module") or self.request.GET.get("module", "")
        self.module = module if module in Module.values else ""

    def save(self, form, fields):
        return services.rule_create(
            by=self.request.user,
            department=form.cleaned_data["department"],
            module=self.module,
            kind=self.kind,
            is_active=form.cleaned_data.get("is_active", False),
            **fields,
        )


class RuleEditView(RuleFormView):
    done = RULE_SAVED

    def setup_rule(self) -> None:
        self.rule = self.get_rule(self.request.user, self.kwargs["pk"])
        self.module = self.rule.module

    def save(self, form, fields):
        assert self.rule is not None
        return services.rule_update(by=self.request.user, rule=self.rule, **fields)


# --- POST-only changes ----------------------------------------------------------------------


class _RuleChangeView(ManageAutomationRequiredMixin, KindMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        rule = self.get_rule(request.user, pk)
        try:
            done = self.change(rule)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return redirect(posted_next(request, self.default_next(rule)))

    def default_next(self, rule: Rule) -> str:
        return rule.get_absolute_url()


class RuleSetActiveView(_RuleChangeView):
    """POST ``is_active=true`` to activate (within the department's limit), ``false`` to
    deactivate."""

    def change(self, rule):
        is_active = self.request.POST.get("is_active", "") in {"true", "1", "on"}
        services.rule_set_active(by=self.request.user, rule=rule, is_active=is_active)
        return RULE_ACTIVATED if is_active else RULE_DEACTIVATED


class RuleMoveView(_RuleChangeView):
    """POST ``up=1`` to move a rule one place earlier in its list, ``up=0`` one place later."""

    def change(self, rule):
        up = self.request.POST.get("up", "") in {"1", "true", "on"}
        services.rule_move(by=self.request.user, rule=rule, up=up)
        return RULE_MOVED

    def default_next(self, rule):
        return f"{reverse(self.kind_context()['names']['list'])}#rule-{rule.pk}"


class RuleDeleteView(ManageAutomationRequiredMixin, KindMixin, TemplateView):
    """GET asks to confirm; POST deletes the rule and its log (the tasks it made stay)."""

    template_name = "automation/rule_confirm_delete.html"

    def get_context_data(self, **kwargs):
        rule = self.get_rule(self.request.user, self.kwargs["pk"])
        return super().get_context_data(
            rule=rule, firing_count=rule.firings.count(), task_count=rule.tasks.count(), **kwargs
        )

    def post(self, request, pk):
        rule = self.get_rule(request.user, pk)
        try:
            services.rule_delete(by=request.user, rule=rule)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(rule)
        messages.success(request, RULE_DELETED)
        return redirect(self.kind_context()["names"]["list"])


# --- time-based rules (SPEC section 11): the same pages, for the other kind ---------------------


class TimeRuleListView(RuleListView):
    kind = Rule.Kind.TIME_BASED


class TimeRuleDetailView(RuleDetailView):
    kind = Rule.Kind.TIME_BASED


class TimeRuleCreateView(RuleCreateView):
    kind = Rule.Kind.TIME_BASED
    done = TIME_RULE_CREATED


class TimeRuleEditView(RuleEditView):
    kind = Rule.Kind.TIME_BASED
    done = TIME_RULE_SAVED


class TimeRuleSetActiveView(RuleSetActiveView):
    kind = Rule.Kind.TIME_BASED


class TimeRuleMoveView(RuleMoveView):
    kind = Rule.Kind.TIME_BASED


class TimeRuleDeleteView(RuleDeleteView):
    kind = Rule.Kind.TIME_BASED
