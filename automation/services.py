"""Writes to rules, email templates and tasks: one function per user intent, for every door.

Rules and templates are for holders of *Manage automation* in the rule's department; tasks for
those who work the department's tickets (``tickets.change_ticket``), and a task's assignee may
always complete it. Each takes the acting user (``by``), checks the permission and the
department wall, and locks what it reads before it writes.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desk.access import (
    MANAGE_AUTOMATION,
    NOT_PERMITTED,
    require_department,
    require_permission,
    works_in,
)
from desk.choices import Priority
from desk.models import Department
from desk.validators import validate_date_in_range

from . import criteria, placeholders
from .actions import is_address
from .models import EmailTemplate, Module, Rule, Task

RULE_FIELDS = (
    "name",
    "description",
    "trigger",
    "trigger_fields",
    "once_per_cycle",
    "criteria",
    "join",
    "pattern",
    "set_status",
    "set_priority",
    "set_assignee",
    "alert_template",
    "alert_assignee",
    "alert_contract_owner",
    "alert_contact",
    "alert_users",
    "alert_addresses",
    "task_subject",
    "task_description",
    "task_assignee",
    "task_priority",
    "task_due_in",
    "task_due_unit",
    "webhook_url",
    # Time-based rules (SPEC section 11).
    "time_field",
    "time_operator",
    "time_hours",
    "business_hours",
)

LIMIT_REACHED = _(
    "This department has %(limit)s active workflow rules, the most it may have. Deactivate or "
    "delete one first."
)
TIME_LIMIT_REACHED = _(
    "This department has %(limit)s active time-based rules, the most it may have. Deactivate or "
    "delete one first."
)
TIME_RULES_TICKETS_ONLY = _("Time-based rules are for tickets.")
CHOOSE_TRIGGER = _("Choose a trigger.")
CHOOSE_TIME_FIELD = _("Choose the time condition.")
TIME_HOURS_RANGE = _("Enter a whole number of hours between 1 and %(limit)s.")
TIME_RULE_NO_WEBHOOK = _(
    "A time-based rule has at most one alert, one task and one field update: no webhook."
)
# The longest a time condition counts: a year of hours.
TIME_HOURS_MAX = 24 * 366
NO_ACTION = _("Choose at least one action: a field update, an alert, a task or a webhook.")
TRIGGER_NOT_FOR_MODULE = _("This trigger is not offered for this module.")
CHOOSE_TRIGGER_FIELDS = _("Choose the fields whose change fires the rule.")
PATTERN_WITHOUT_CRITERIA = _("A pattern needs conditions to join.")
NOT_A_MEMBER = _("Choose an active member of the rule's department.")
FIELD_UPDATES_TICKETS_ONLY = _("Field updates are for ticket rules.")
TEMPLATE_ELSEWHERE = _("Choose an email template of this department and module.")
NO_RECIPIENT = _("Choose who gets the alert.")
RECIPIENTS_WITHOUT_TEMPLATE = _("Choose the email template of the alert.")
BAD_ADDRESSES = _("Not email addresses: %(lines)s.")
DUE_IN_RANGE = _("Enter between 1 and %(limit)s.")
WEBHOOK_SCHEME = _("Enter an http:// or https:// address.")
TEMPLATE_IN_USE = _("Rules send this template: choose another template in them first.")
TASK_SUBJECT_EMPTY = _("Enter a subject.")
TASK_OTHER_DEPARTMENT = _("The task's ticket or contract belongs to another department.")

# The furthest a rule's task may be due, per unit (about ten years).
DUE_LIMITS = {"minutes": 60 * 24 * 366, "hours": 24 * 366 * 10, "days": 3660, "months": 120}
TRIGGERS_FOR: dict[str, set[str]] = {
    Module.TICKETS: set(Rule.Trigger.values)
    - {Rule.Trigger.CREDIT_CHANGED, Rule.Trigger.TIME_PASSED},
    Module.CONTRACTS: set(Rule.Trigger.values)
    - {Rule.Trigger.CUSTOMER_REPLY, Rule.Trigger.AGENT_REPLY, Rule.Trigger.TIME_PASSED},
}


def _members(department: Department):
    return department.members.filter(is_active=True)


def _validate(rule: Rule, *, alert_users: list) -> None:
    """Every rule of SPEC section 10 that one rule's fields must keep, all messages at once."""
    errors: dict[str, Any] = {}
    try:
        rule.full_clean(exclude=["department", "owner", "alert_template", "criteria"])
    except ValidationError as error:
        errors.update(error.message_dict)
    module, department = rule.module, rule.department
    if rule.kind == Rule.Kind.TIME_BASED:
        _validate_time_condition(rule, errors)
    elif not rule.trigger:
        errors["trigger"] = CHOOSE_TRIGGER
    elif rule.trigger not in TRIGGERS_FOR.get(module, set()):
        errors["trigger"] = TRIGGER_NOT_FOR_MODULE
    if rule.trigger == Rule.Trigger.FIELDS_UPDATED:
        offered = {name for name, _label in criteria.TRIGGER_FIELDS[module]}
        fields = list(dict.fromkeys(rule.trigger_fields or []))
        if not fields or not set(fields) <= offered:
            errors["trigger_fields"] = CHOOSE_TRIGGER_FIELDS
        rule.trigger_fields = fields
    else:
        rule.trigger_fields = []
    try:
        rule.criteria = criteria.clean_criteria(module, list(rule.criteria or []), department)
    except ValidationError as error:
        errors["criteria"] = error.messages
    rule.pattern = " ".join((rule.pattern or "").split())
    # A pattern too long to store is not parsed (a long run of brackets would recurse too deep).
    if rule.pattern and "criteria" not in errors and "pattern" not in errors:
        if not rule.criteria:
            errors["pattern"] = PATTERN_WITHOUT_CRITERIA
        else:
            try:
                criteria.parse_pattern(rule.pattern, len(rule.criteria))
            except ValidationError as error:
                errors["pattern"] = error.messages
    members = _members(department)
    if rule.field_updates and module != Module.TICKETS:
        errors["set_status"] = FIELD_UPDATES_TICKETS_ONLY
    if rule.set_assignee_id and not members.filter(pk=rule.set_assignee_id).exists():
        errors["set_assignee"] = NOT_A_MEMBER
    chosen = (
        rule.alert_assignee
        or rule.alert_contract_owner
        or rule.alert_contact
        or alert_users
        or rule.alert_addresses.strip()
    )
    if rule.alert_template_id is not None:
        template = rule.alert_template
        assert template is not None
        if template.department_id != department.pk or template.module != module:
            errors["alert_template"] = TEMPLATE_ELSEWHERE
        if not chosen:
            errors["alert_assignee"] = NO_RECIPIENT
    elif chosen:
        errors["alert_template"] = RECIPIENTS_WITHOUT_TEMPLATE
    outsiders = {user.pk for user in alert_users} - set(
        members.filter(pk__in=[user.pk for user in alert_users]).values_list("pk", flat=True)
    )
    if outsiders:
        errors["alert_users"] = NOT_A_MEMBER
    bad = [line.strip() for line in rule.alert_addresses.splitlines() if line.strip()]
    bad = [line for line in bad if not is_address(line)]
    if bad:
        errors["alert_addresses"] = ValidationError(
            BAD_ADDRESSES, params={"lines": ", ".join(bad[:5])}
        )
    rule.task_subject = rule.task_subject.strip()
    if rule.task_subject:
        limit = DUE_LIMITS.get(rule.task_due_unit, 1)
        if not 1 <= rule.task_due_in <= limit:
            errors["task_due_in"] = ValidationError(DUE_IN_RANGE, params={"limit": limit})
        if rule.task_assignee_id and not members.filter(pk=rule.task_assignee_id).exists():
            errors["task_assignee"] = NOT_A_MEMBER
    if rule.webhook_url and not rule.webhook_url.lower().startswith(("http://", "https://")):
        errors["webhook_url"] = WEBHOOK_SCHEME
    has_action = (
        (rule.field_updates and module == Module.TICKETS)
        or rule.alert_template_id
        or rule.task_subject
        or rule.webhook_url
    )
    if not has_action and not errors:
        errors["__all__"] = NO_ACTION
    if errors:
        raise ValidationError(errors)


def _validate_time_condition(rule: Rule, errors: dict[str, Any]) -> None:
    """A time-based rule: tickets only, a time condition in whole hours, no trigger, and no
    webhook (SPEC section 11: at most one alert, one task and one field update)."""
    if rule.module != Module.TICKETS:
        errors["module"] = TIME_RULES_TICKETS_ONLY
    rule.trigger = ""
    if not rule.time_field:
        errors["time_field"] = CHOOSE_TIME_FIELD
    if not 1 <= (rule.time_hours or 0) <= TIME_HOURS_MAX:
        errors["time_hours"] = ValidationError(TIME_HOURS_RANGE, params={"limit": TIME_HOURS_MAX})
    if rule.webhook_url:
        errors["webhook_url"] = TIME_RULE_NO_WEBHOOK


def _check_limit(department: Department, kind: str, *, adding: Rule | None = None) -> None:
    """Refuse one more active rule of ``kind`` in ``department`` (locked, so two saves at once
    count each other)."""
    Department.objects.select_for_update().filter(pk=department.pk).first()
    if kind == Rule.Kind.TIME_BASED:
        limit, message = settings.TIME_RULES_PER_DEPARTMENT, TIME_LIMIT_REACHED
    else:
        limit, message = settings.AUTOMATION_RULES_PER_DEPARTMENT, LIMIT_REACHED
    active = Rule.objects.active().filter(department=department, kind=kind)
    if adding is not None and adding.pk:
        active = active.exclude(pk=adding.pk)
    if active.count() >= limit:
        raise ValidationError(message, code="limit", params={"limit": limit})


def _split(fields: dict[str, Any]) -> tuple[dict[str, Any], list | None]:
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected rule fields: {sorted(unknown)}")
    fields = dict(fields)
    alert_users = fields.pop("alert_users", None)
    return fields, (list(alert_users) if alert_users is not None else None)


@transaction.atomic
def rule_create(
    *,
    by: Any,
    department: Department,
    module: str,
    is_active: bool = True,
    kind: str = Rule.Kind.WORKFLOW,
    **fields: Any,
) -> Rule:
    """A new rule of ``kind``, last in its department's and module's list, running as ``by``."""
    require_permission(by, MANAGE_AUTOMATION)
    require_department(by, department, field="department")
    if module not in Module.values:
        raise ValidationError({"module": _("Choose Tickets or Contracts.")})
    values, alert_users = _split(fields)
    if kind not in Rule.Kind.values:
        raise ValidationError({"kind": _("Choose a workflow or a time-based rule.")})
    rule = Rule(
        department=department, module=module, kind=kind, is_active=is_active, owner=by, **values
    )
    _validate(rule, alert_users=alert_users or [])
    if is_active:
        _check_limit(department, kind)
    last = Rule.objects.filter(department=department, module=module, kind=kind).aggregate(
        last=Max("position")
    )["last"]
    rule.position = 0 if last is None else last + 1
    rule.save()
    rule.alert_users.set(alert_users or [])
    return rule


def _locked_rule(by: Any, rule: Rule) -> Rule:
    require_permission(by, MANAGE_AUTOMATION)
    rule = Rule.objects.select_for_update().select_related("department").get(pk=rule.pk)
    require_department(by, rule.department)
    return rule


@transaction.atomic
def rule_update(*, by: Any, rule: Rule, **fields: Any) -> Rule:
    """Change the fields given; the rule then runs as ``by``, who saved it last."""
    rule = _locked_rule(by, rule)
    values, alert_users = _split(fields)
    for name, value in values.items():
        setattr(rule, name, value)
    if alert_users is None:
        alert_users = list(rule.alert_users.all())
    _validate(rule, alert_users=alert_users)
    rule.owner = by
    rule.swept_until = None  # what it fires for may have changed: its next run reads all
    rule.save()
    rule.alert_users.set(alert_users)
    return rule


@transaction.atomic
def rule_set_active(*, by: Any, rule: Rule, is_active: bool) -> Rule:
    """Activate (within the department's limit) or deactivate a rule."""
    rule = _locked_rule(by, rule)
    if is_active == rule.is_active:
        return rule
    if is_active:
        _check_limit(rule.department, rule.kind, adding=rule)
    rule.is_active = is_active
    rule.swept_until = None  # it missed the runs while inactive
    rule.save(update_fields=["is_active", "swept_until", "updated_at"])
    return rule


@transaction.atomic
def rule_move(*, by: Any, rule: Rule, up: bool) -> Rule:
    """Move a rule one place up (earlier) or down its department's and module's list."""
    rule = _locked_rule(by, rule)
    siblings = list(
        Rule.objects.select_for_update()
        .filter(department=rule.department, module=rule.module, kind=rule.kind)
        .order_by("position", "pk")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == rule.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    return next(sibling for sibling in siblings if sibling.pk == rule.pk)


@transaction.atomic
def rule_delete(*, by: Any, rule: Rule) -> None:
    """Delete a rule with its log; the tasks it made stay, naming it."""
    rule = _locked_rule(by, rule)
    rule.delete()


# --- email templates ------------------------------------------------------------------------

TEMPLATE_FIELDS = ("name", "subject", "body")


def _validate_template(template: EmailTemplate) -> None:
    errors: dict[str, Any] = {}
    try:
        template.full_clean(exclude=["department"])
    except ValidationError as error:
        errors.update(error.message_dict)
    for name in ("subject", "body"):
        if name not in errors and template.module in Module.values:
            try:
                placeholders.check(template.module, getattr(template, name), field=name)
            except ValidationError as error:
                errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def template_create(
    *, by: Any, department: Department, module: str, name: str, subject: str, body: str
) -> EmailTemplate:
    require_permission(by, MANAGE_AUTOMATION)
    require_department(by, department, field="department")
    template = EmailTemplate(
        department=department,
        module=module,
        name=(name or "").strip(),
        subject=(subject or "").strip(),
        body=body or "",
    )
    _validate_template(template)
    template.save()
    return template


@transaction.atomic
def template_update(*, by: Any, template: EmailTemplate, **fields: Any) -> EmailTemplate:
    require_permission(by, MANAGE_AUTOMATION)
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    require_department(by, template.department)
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected template fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(template, name, value.strip() if name != "body" else value)
    _validate_template(template)
    template.save()
    return template


@transaction.atomic
def template_delete(*, by: Any, template: EmailTemplate) -> None:
    require_permission(by, MANAGE_AUTOMATION)
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    require_department(by, template.department)
    try:
        template.delete()
    except ProtectedError as error:
        raise ValidationError(TEMPLATE_IN_USE, code="protected") from error


# --- tasks ----------------------------------------------------------------------------------

WORK_TICKETS = "tickets.change_ticket"


@transaction.atomic
def task_create(
    *,
    by: Any,
    subject: str,
    due_at: datetime.datetime,
    department: Department | None = None,
    ticket=None,
    contract=None,
    assignee=None,
    priority: str = Priority.MEDIUM,
    description: str = "",
    rule: Rule | None = None,
) -> Task:
    """A task by a due time, on a ticket, a contract or neither, for a member of the department
    (the ticket's or the contract's, when given)."""
    require_permission(by, WORK_TICKETS)
    if ticket is not None:
        department = ticket.department
    elif contract is not None and department is None:
        department = contract.support_plan.department
    if department is None:
        raise ValidationError({"department": _("Choose a department.")})
    require_department(by, department, field=None if ticket or contract else "department")
    errors: dict[str, Any] = {}
    if contract is not None and contract.support_plan.department_id != department.pk:
        errors["contract"] = TASK_OTHER_DEPARTMENT
    subject = (subject or "").strip()
    if not subject:
        errors["subject"] = TASK_SUBJECT_EMPTY
    if assignee is not None and not _members(department).filter(pk=assignee.pk).exists():
        errors["assignee"] = NOT_A_MEMBER
    if priority not in Priority.values:
        errors["priority"] = _("Choose a valid priority.")
    if due_at is None:
        errors["due_at"] = _("Enter the due time.")
    else:
        try:
            validate_date_in_range(timezone.localdate(due_at))
        except ValidationError as error:
            errors["due_at"] = error.messages
    if errors:
        raise ValidationError(errors)
    task = Task(
        department=department,
        subject=subject,
        description=description or "",
        ticket=ticket,
        contract=contract,
        assignee=assignee,
        priority=priority,
        due_at=due_at,
        created_by=by,
        rule=rule,
        rule_name=rule.name if rule is not None else "",
    )
    task.full_clean(exclude=["department", "ticket", "contract", "assignee", "rule", "created_by"])
    task.save()
    return task


def _locked_task(by: Any, task: Task) -> Task:
    task = Task.objects.select_for_update().select_related("department").get(pk=task.pk)
    if task.assignee_id == by.pk and by.is_active:
        return task  # one's own task
    if not (by.is_active and by.has_perm(WORK_TICKETS)):
        raise PermissionDenied(NOT_PERMITTED)
    if not works_in(by, task.department):
        raise PermissionDenied(NOT_PERMITTED)
    return task


@transaction.atomic
def task_complete(*, by: Any, task: Task) -> Task:
    task = _locked_task(by, task)
    if task.done_at is None:
        task.done_at = timezone.now()
        task.done_by = by
        task.save(update_fields=["done_at", "done_by"])
    return task


@transaction.atomic
def task_reopen(*, by: Any, task: Task) -> Task:
    task = _locked_task(by, task)
    if task.done_at is not None:
        task.done_at = None
        task.done_by = None
        task.save(update_fields=["done_at", "done_by"])
    return task
