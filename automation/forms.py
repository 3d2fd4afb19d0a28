"""The forms of the workflow rule and email template pages (SPEC section 10).

The forms validate shape only (a field is chosen, a number is a number); every rule of a rule's
fields is the service's (``automation.services``), whose ``ValidationError`` the views put back
on these forms (``RuleForm.add_service_errors``).

A rule's criteria are a formset of rows, each a field, an operator and one value: a drop-down of
the values a choice field offers (grouped per field), or a text box for text and numbers. Blank
rows are ignored; the rows posted are renumbered in order first (``compact_criteria``), so that
the numbers a pattern and the service's messages use are the numbers shown on the page.
"""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from desk.choices import Priority, Status
from desk.people import person_name
from desk.selectors import department_list

from . import criteria, placeholders
from .models import EmailTemplate, Module, Rule
from .services import TRIGGERS_FOR

BLANK = ("", "---------")
CRITERIA_PREFIX = "criteria"
# Blank rows offered below the filled ones (without script, the way to add conditions).
BLANK_ROWS = 3
# The most rows a posted form is read for (more are dropped before the formset sees them).
MOST_ROWS_READ = 200
CHOICE_KINDS = {"choice", "optional_choice", "yes_no"}

CHOOSE_FIELD = _("Choose a field.")
CHOOSE_OPERATOR = _("Choose an operator.")
VALUE_OF_OTHER_FIELD = _("Choose a value of “%(field)s”: this one belongs to another field.")
TOO_MANY_CONDITIONS = _("A rule has at most %(num)d conditions.")


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def members_of(departments):
    """Active members of ``departments``: who a rule may assign, alert or give a task."""
    return (
        get_user_model()
        .objects.filter(is_active=True, departments__in=departments)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# --- criteria -------------------------------------------------------------------------------


def _value_choices(module: str, departments: list) -> list:
    """The values the choice fields of ``module`` offer, one group per field, each value
    ``<field>:<value>`` (the same number is a plan in one field, an SLA in another)."""
    several = len(departments) > 1
    groups = []
    for field in criteria.FIELDS[module].values():
        if field.kind not in CHOICE_KINDS or field.choices is None:
            continue
        options: dict[str, str] = {}
        for department in departments or [None]:
            for value, label in field.choices(department):
                key = f"{field.name}:{value}"
                if key in options:
                    continue
                shown = str(label)
                if several and field.name in ("support_plan", "sla", "assignee", "owner"):
                    shown = f"{shown} ({department})"
                options[key] = shown
        groups.append((str(field.label), list(options.items())))
    return groups


class CriterionForm(forms.Form):
    """One criterion row: a field, an operator, and a value (chosen or typed)."""

    field = forms.ChoiceField(label=_("Field"), required=False)
    operator = forms.ChoiceField(label=_("Operator"), required=False)
    value_choice = forms.ChoiceField(label=_("Value (choose)"), required=False)
    value_text = forms.CharField(label=_("Value (type)"), required=False, max_length=200)

    def __init__(self, *args, module: str, value_choices: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.module = module
        fields = criteria.FIELDS[module]
        self.fields["field"].choices = [BLANK, *((f.name, f.label) for f in fields.values())]
        self.fields["operator"].choices = [BLANK, *criteria.OPERATORS.items()]
        self.fields["value_choice"].choices = [BLANK, *value_choices]
        self.fields["field"].widget.attrs["data-criterion-field"] = ""
        self.fields["operator"].widget.attrs["data-criterion-operator"] = ""
        self.fields["value_choice"].widget.attrs["data-criterion-choice"] = ""
        self.fields["value_text"].widget.attrs["data-criterion-text"] = ""

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("field") or data.get("value_choice") or data.get("value_text"))

    def clean(self):
        data = super().clean()
        if self.errors or self.is_blank():
            return data
        field = criteria.FIELDS[self.module].get(data.get("field") or "")
        if field is None:
            self.add_error("field", CHOOSE_FIELD)
            return data
        if not data.get("operator"):
            self.add_error("operator", CHOOSE_OPERATOR)
            return data
        chosen = data.get("value_choice") or ""
        if field.kind in CHOICE_KINDS and chosen:
            name, _sep, value = chosen.partition(":")
            if name != field.name:
                self.add_error("value_choice", VALUE_OF_OTHER_FIELD % {"field": field.label})
                return data
            data["value"] = value
        else:
            data["value"] = (data.get("value_text") or "").strip()
        return data

    def row(self) -> dict:
        data = self.cleaned_data
        value = None if data["operator"] in criteria.NO_VALUE else data.get("value")
        return {"field": data["field"], "operator": data["operator"], "value": value}


class BaseCriteriaFormSet(forms.BaseFormSet):
    default_error_messages = {"too_many_forms": TOO_MANY_CONDITIONS}

    def criteria(self) -> list[dict]:
        """The filled rows, in order, as the service takes them."""
        return [form.row() for form in self.forms if form.cleaned_data and not form.is_blank()]

    def add_service_errors(self, messages) -> None:
        self.non_form_errors()  # computed first, so that these are added to it
        assert self._non_form_errors is not None
        self._non_form_errors.extend(messages)


CriteriaFormSet = forms.formset_factory(
    CriterionForm,
    formset=BaseCriteriaFormSet,
    extra=0,
    max_num=criteria.MAX_CRITERIA,
    validate_max=True,
    absolute_max=MOST_ROWS_READ,
)


def criteria_initial(module: str, rows: list[dict]) -> list[dict]:
    """A rule's stored criteria as the formset's rows."""
    fields = criteria.FIELDS[module]
    initial = []
    for row in rows:
        field = fields.get(row.get("field", ""))
        value = row.get("value")
        item = {"field": row.get("field", ""), "operator": row.get("operator", "")}
        if field is not None and field.kind in CHOICE_KINDS and value not in (None, ""):
            item["value_choice"] = f"{field.name}:{value}"
        elif value is not None:
            item["value_text"] = str(value)
        initial.append(item)
    return initial


def _row_is_blank(data, prefix: str) -> bool:
    return not any(
        (data.get(f"{prefix}-{name}") or "").strip()
        for name in ("field", "value_choice", "value_text")
    )


def compact_criteria(data, prefix: str = CRITERIA_PREFIX):
    """The posted data with the criteria rows renumbered: blank rows dropped, the filled ones
    numbered in order from 0, then a few blank rows to add more. A management form that is no
    number is left as posted (the formset says it was tampered with)."""
    total_key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(total_key, ""))
    except (TypeError, ValueError):
        return data
    compacted = data.copy()
    names = ("field", "operator", "value_choice", "value_text")
    filled = []
    for index in range(max(0, min(total, MOST_ROWS_READ))):
        row_prefix = f"{prefix}-{index}"
        if not _row_is_blank(data, row_prefix):
            filled.append({name: data.get(f"{row_prefix}-{name}", "") for name in names})
    for key in list(compacted.keys()):
        if key.startswith(f"{prefix}-") and key.split("-", 1)[1][:1].isdigit():
            del compacted[key]
    for index, row in enumerate(filled):
        for name, value in row.items():
            compacted[f"{prefix}-{index}-{name}"] = value
    blanks = max(0, min(BLANK_ROWS, criteria.MAX_CRITERIA - len(filled)))
    compacted[total_key] = str(len(filled) + blanks)
    compacted[f"{prefix}-INITIAL_FORMS"] = "0"
    return compacted


def criteria_formset(module: str, departments: list, *, data=None, rows: list[dict] | None = None):
    """The criteria rows of a rule of ``module``: posted ``data``, or the stored ``rows`` and a
    few blank ones."""
    form_kwargs = {"module": module, "value_choices": _value_choices(module, departments)}
    if data is not None:
        return CriteriaFormSet(
            compact_criteria(data), prefix=CRITERIA_PREFIX, form_kwargs=form_kwargs
        )
    initial = criteria_initial(module, rows or [])
    formset = CriteriaFormSet(initial=initial, prefix=CRITERIA_PREFIX, form_kwargs=form_kwargs)
    formset.extra = max(0, min(BLANK_ROWS, criteria.MAX_CRITERIA - len(initial)))
    return formset


# --- the rule -------------------------------------------------------------------------------


def _grouped_templates(templates, several: bool) -> list:
    if not several:
        return [BLANK, *((t.pk, t.name) for t in templates)]
    groups: dict[str, list] = {}
    for template in templates:
        groups.setdefault(template.department.name, []).append((template.pk, template.name))
    return [BLANK, *groups.items()]


class RuleForm(forms.Form):
    """A workflow rule's fields (its criteria are ``CriteriaFormSet``). The module is chosen
    before (``?module=``) and fixed; the department is fixed once the rule exists."""

    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    trigger = forms.ChoiceField(label=_("Trigger"))
    trigger_fields = forms.MultipleChoiceField(
        label=_("Fields whose change fires the rule"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For “Chosen fields updated”: the rule fires when one of them really changed."),
    )
    once_per_cycle = forms.BooleanField(
        label=_("At most once per contract and credit cycle"), required=False, initial=True
    )
    join = forms.ChoiceField(
        label=_("Join the conditions"),
        choices=Rule.Join.choices,
        initial=Rule.Join.AND,
        widget=forms.RadioSelect,
    )
    pattern = forms.CharField(
        label=_("Pattern"),
        required=False,
        max_length=200,
        help_text=_(
            "Optional, such as 1 and (2 or 3): the numbers are the conditions'. Empty: the join "
            "above."
        ),
    )
    # A time-based rule's time condition (instead of a trigger).
    time_field = forms.ChoiceField(
        label=_("Time condition"), choices=[BLANK, *Rule.TimeField.choices]
    )
    time_operator = forms.ChoiceField(
        label=_("Operator"), choices=Rule.TimeOperator.choices, initial=Rule.TimeOperator.GREATER
    )
    time_hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=24 * 366, initial=48)
    business_hours = forms.BooleanField(
        label=_("Count only the business hours of the ticket's SLA"), required=False
    )
    # Field updates (tickets only).
    set_status = forms.ChoiceField(
        label=_("Set the status"), required=False, choices=[BLANK, *Status.choices]
    )
    set_priority = forms.ChoiceField(
        label=_("Set the priority"),
        required=False,
        choices=[BLANK, *Rule._meta.get_field("set_priority").choices],
    )
    set_assignee = forms.ModelChoiceField(
        label=_("Set the assignee"), queryset=None, required=False
    )
    # Alert.
    alert_template = forms.ModelChoiceField(
        label=_("Email template"), queryset=None, required=False
    )
    alert_assignee = forms.BooleanField(label=_("The ticket's assignee"), required=False)
    alert_contract_owner = forms.BooleanField(label=_("The contract owner"), required=False)
    alert_contact = forms.BooleanField(label=_("The ticket's contact"), required=False)
    alert_users = forms.ModelMultipleChoiceField(
        label=_("These people"), queryset=None, required=False
    )
    alert_addresses = forms.CharField(
        label=_("Other addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One email address per line."),
    )
    # Task.
    task_subject = forms.CharField(
        label=_("Task subject"),
        required=False,
        max_length=200,
        help_text=_("Empty: the rule makes no task."),
    )
    task_description = forms.CharField(
        label=_("Task description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    task_assignee = forms.ModelChoiceField(label=_("Task assignee"), queryset=None, required=False)
    task_priority = forms.ChoiceField(
        label=_("Task priority"), choices=Priority.choices, initial=Priority.MEDIUM
    )
    task_due_in = forms.IntegerField(
        label=_("Due after"), required=False, initial=1, min_value=1, max_value=10**6
    )
    task_due_unit = forms.ChoiceField(
        label=_("Unit"), choices=Rule.DueUnit.choices, initial=Rule.DueUnit.DAYS
    )
    # Webhook.
    webhook_url = forms.CharField(
        label=_("Webhook URL"),
        required=False,
        max_length=500,
        help_text=_("Empty: no webhook. A JSON POST, signed, retried until it is accepted."),
    )

    TICKETS_ONLY = ("set_status", "set_priority", "set_assignee", "alert_assignee", "alert_contact")
    CONTRACTS_ONLY = ("once_per_cycle",)
    TIME_BASED_ONLY = ("time_field", "time_operator", "time_hours", "business_hours")
    # A time-based rule has a time condition instead of a trigger, and no webhook (SPEC 11).
    WORKFLOW_ONLY = ("trigger", "trigger_fields", "once_per_cycle", "webhook_url")

    def __init__(
        self,
        *args,
        user,
        module: str,
        rule: Rule | None = None,
        kind: str = Rule.Kind.WORKFLOW,
        **kwargs,
    ):
        self.module = module
        self.kind = kind
        self.rule = rule
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(rule)
        super().__init__(*args, **kwargs)
        if rule is not None:
            departments = [rule.department]
            self.fields["department"].queryset = department_list(user).filter(pk=rule.department_id)
            self.fields["department"].disabled = True
            self.fields["department"].help_text = _("A rule stays in its department.")
            del self.fields["is_active"]
        else:
            departments = list(department_list(user).order_by("name"))
            self.fields["department"].queryset = department_list(user).order_by("name")
            if len(departments) == 1:
                self.fields["department"].initial = departments[0].pk
        self.departments = departments
        offered = TRIGGERS_FOR[module]
        self.fields["trigger"].choices = [
            BLANK,
            *((value, label) for value, label in Rule.Trigger.choices if value in offered),
        ]
        self.fields["trigger"].widget.attrs["data-rule-trigger"] = ""
        self.fields["trigger_fields"].choices = criteria.TRIGGER_FIELDS[module]
        people = members_of(departments)
        for name in ("set_assignee", "alert_users", "task_assignee"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = person_name
        self.fields["task_assignee"].empty_label = (
            _("The ticket's assignee") if module == Module.TICKETS else _("The contract owner")
        )
        self.fields["alert_users"].widget.attrs["size"] = 5
        templates = EmailTemplate.objects.filter(
            department__in=[d.pk for d in departments], module=module
        ).select_related("department")
        self.fields["alert_template"].queryset = templates
        self.fields["alert_template"].choices = _grouped_templates(
            list(templates.order_by("department__name", "name")), several=len(departments) > 1
        )
        dropped = self.CONTRACTS_ONLY if module == Module.TICKETS else self.TICKETS_ONLY
        if kind == Rule.Kind.TIME_BASED:
            dropped += self.WORKFLOW_ONLY
        else:
            dropped += self.TIME_BASED_ONLY
        for name in dict.fromkeys(dropped):
            if name in self.fields:
                del self.fields[name]
        self.helper = _helper()

    @staticmethod
    def initial_for(rule: Rule) -> dict[str, Any]:
        return {
            "name": rule.name,
            "description": rule.description,
            "department": rule.department_id,
            "trigger": rule.trigger,
            "trigger_fields": list(rule.trigger_fields or []),
            "once_per_cycle": rule.once_per_cycle,
            "join": rule.join,
            "pattern": rule.pattern,
            "set_status": rule.set_status,
            "set_priority": rule.set_priority,
            "set_assignee": rule.set_assignee_id,
            "alert_template": rule.alert_template_id,
            "alert_assignee": rule.alert_assignee,
            "alert_contract_owner": rule.alert_contract_owner,
            "alert_contact": rule.alert_contact,
            "alert_users": [user.pk for user in rule.alert_users.all()],
            "alert_addresses": rule.alert_addresses,
            "task_subject": rule.task_subject,
            "task_description": rule.task_description,
            "task_assignee": rule.task_assignee_id,
            "task_priority": rule.task_priority,
            "task_due_in": rule.task_due_in,
            "task_due_unit": rule.task_due_unit,
            "webhook_url": rule.webhook_url,
            "time_field": rule.time_field,
            "time_operator": rule.time_operator,
            "time_hours": rule.time_hours,
            "business_hours": rule.business_hours,
        }

    def rule_fields(self) -> dict[str, Any]:
        """The fields the service takes (criteria aside), as far as this module shows them."""
        data = self.cleaned_data
        names = [name for name in self.fields if name not in ("department", "is_active")]
        fields = {name: data.get(name) for name in names}
        for name, value in fields.items():
            if value is None and name not in ("set_assignee", "alert_template", "task_assignee"):
                fields[name] = ""
        if "trigger_fields" in self.fields:
            fields["trigger_fields"] = list(data.get("trigger_fields") or [])
        fields["alert_users"] = list(data.get("alert_users") or [])
        fields["task_due_in"] = data.get("task_due_in") or 1
        for name in (
            "once_per_cycle",
            "alert_assignee",
            "alert_contract_owner",
            "alert_contact",
            "business_hours",
        ):
            if name in self.fields:
                fields[name] = bool(data.get(name))
        return fields

    def add_service_errors(self, error: ValidationError, formset: BaseCriteriaFormSet) -> None:
        """A service's refusal on the form: each message on its field, the criteria's above the
        conditions, the rest above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            if key == "criteria":
                formset.add_service_errors(messages)
            elif key in self.fields and key != NON_FIELD_ERRORS:
                self.add_error(key, messages)
            else:
                self.add_error(None, messages)

    def shown(self, *names):
        """The bound fields of ``names`` this module's form has, in that order."""
        return [self[name] for name in names if name in self.fields]

    @property
    def update_fields(self):
        return self.shown("set_status", "set_priority", "set_assignee")

    @property
    def recipient_fields(self):
        return self.shown("alert_assignee", "alert_contract_owner", "alert_contact")


# --- email templates ------------------------------------------------------------------------


class EmailTemplateForm(forms.Form):
    """An email template: department and module (fixed once it exists), name, subject, text."""

    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    module = forms.ChoiceField(label=_("Module"), choices=Module.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, user, template: EmailTemplate | None = None, **kwargs):
        self.template = template
        if template is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "department": template.department_id,
                "module": template.module,
                "name": template.name,
                "subject": template.subject,
                "body": template.body,
            }
        super().__init__(*args, **kwargs)
        departments = department_list(user).order_by("name")
        self.fields["department"].queryset = departments
        if template is not None:
            self.fields["department"].queryset = departments.filter(pk=template.department_id)
            for name in ("department", "module"):
                self.fields[name].disabled = True
        elif "department" not in self.initial and len(departments) == 1:
            self.fields["department"].initial = departments[0].pk
        self.helper = _helper()

    def chosen_module(self) -> str:
        """The module whose placeholders the form lists: the template's, or the one chosen."""
        if self.template is not None:
            return self.template.module
        value = self.data.get("module") if self.is_bound else self.initial.get("module")
        return value if value in Module.values else ""

    def check_placeholders(self) -> None:
        """The placeholders the module does not offer, as errors on subject and text."""
        data = self.cleaned_data
        module = data.get("module")
        if module not in Module.values:
            return
        for name in ("subject", "body"):
            try:
                placeholders.check(module, data.get(name) or "", field=name)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)
