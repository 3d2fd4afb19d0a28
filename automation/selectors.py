"""Reads shared by the automation pages, the ticket and contract panels, and the back office."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts.models import Contract
from desk.people import PERSON_NAME_FIELDS
from tickets.models import Ticket

from .models import EmailTemplate, Firing, Module, Rule, Task

LOG_SHOWN = 50
COUNT_WINDOW = datetime.timedelta(days=7)


def rule_list(user, kind: str = Rule.Kind.WORKFLOW):
    """The rules of ``kind`` of the user's departments, in list order, with their firings in the
    last 7 days: each rule's counted from its log's index (``firing_rule_idx``), a range of a
    week, rather than every firing of the log joined and grouped."""
    since = timezone.now() - COUNT_WINDOW
    recent = (
        Firing.objects.filter(rule=OuterRef("pk"), fired_at__gte=since)
        .order_by()
        .values("rule")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Rule.objects.visible_to(user)
        .filter(kind=kind)
        .select_related("department")
        .annotate(recent_firings=Coalesce(Subquery(recent), 0))
        .order_by("department__name", "department_id", "module", "position", "pk")
    )


def rule_get(user, pk, kind: str = Rule.Kind.WORKFLOW) -> Rule:
    return (
        Rule.objects.visible_to(user)
        .filter(kind=kind)
        .select_related("department", "owner", "set_assignee", "alert_template", "task_assignee")
        .prefetch_related("alert_users")
        .get(pk=pk)
    )


def recent_firing_count(rule: Rule) -> int:
    return rule.firings.filter(fired_at__gte=timezone.now() - COUNT_WINDOW).count()


def rule_log(rule: Rule, *, limit: int = LOG_SHOWN) -> list[Firing]:
    """The rule's newest firings, with their records and webhook attempts."""
    return list(
        rule.firings.select_related("ticket", "contract")
        .prefetch_related("deliveries__attempt_log")
        .order_by("-fired_at", "-pk")[:limit]
    )


def record_log(*, ticket: Ticket | None = None, contract: Contract | None = None, limit=20):
    """The rules that fired on a ticket or a contract, newest first: what the panel shows of
    them (``firings_in_words``), and of each rule its name and kind (its address), not its
    conditions and actions."""
    firings = Firing.objects.select_related("rule").only(
        "fired_at", "trigger", "outcome", "actions", "rule__name", "rule__kind"
    )
    if ticket is not None:
        firings = firings.filter(ticket=ticket)
    else:
        firings = firings.filter(contract=contract)
    return list(firings.order_by("-fired_at", "-pk")[:limit])


def test_record(user, rule: Rule, number):
    """The ticket or contract a *Test against…* names, among the user's records of the rule's
    department; None if there is none such."""
    if not str(number).strip().lstrip("#").isdecimal():
        return None
    pk = int(str(number).strip().lstrip("#"))
    if rule.module == Module.TICKETS:
        records = Ticket.objects.visible_to(user).filter(department=rule.department)
        related = ["account", "contact__user", "assignee", "sla", "department"]
        related += ["contract__support_plan", "contract__owner", "contract__account"]
    else:
        records = Contract.objects.visible_to(user).filter(support_plan__department=rule.department)
        related = ["account", "owner", "support_plan__department"]
    return records.select_related(*related).filter(pk=pk).first()


def template_list(user):
    return (
        EmailTemplate.objects.visible_to(user)
        .select_related("department")
        .order_by("department__name", "module", "name", "pk")
    )


def template_get(user, pk) -> EmailTemplate:
    return EmailTemplate.objects.visible_to(user).select_related("department").get(pk=pk)


def templates_for(department, module: str):
    return EmailTemplate.objects.filter(department=department, module=module).order_by("name")


def my_tasks(user, *, done: bool = False):
    """The user's tasks: open ones by due time (so the overdue first), or the done ones, newest
    first."""
    tasks = Task.objects.filter(assignee=user).select_related("ticket", "contract", "department")
    if done:
        return tasks.filter(done_at__isnull=False).order_by("-done_at", "-pk")
    return tasks.filter(done_at__isnull=True).order_by("due_at", "pk")


def open_task_figures(user, now) -> dict[str, int]:
    counts = Task.objects.filter(assignee=user, done_at__isnull=True).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))
    )
    return {"open": counts["open"], "overdue": counts["overdue"]}


# What a ticket's or contract's task panel shows of each task, and of the people named on it.
TASK_PANEL_FIELDS = (
    *("subject", "description", "rule_name", "rule_id", "priority", "due_at", "done_at"),
    *(f"{who}__{name}" for who in ("assignee", "done_by") for name in PERSON_NAME_FIELDS),
)


def tasks_of(*, ticket: Ticket | None = None, contract: Contract | None = None):
    tasks = Task.objects.select_related("assignee", "done_by").only(*TASK_PANEL_FIELDS)
    tasks = tasks.filter(ticket=ticket) if ticket is not None else tasks.filter(contract=contract)
    # Open ones first (no ``done_at``: NULL sorts last on PostgreSQL, first on SQLite).
    return tasks.order_by(F("done_at").asc(nulls_first=True), "due_at", "pk")


def task_get(user, pk) -> Task:
    """A task the user may see: their own, or one of their departments'."""
    tasks = Task.objects.select_related("ticket", "contract", "department", "assignee")
    return tasks.filter(Q(assignee=user) | Q(pk__in=Task.objects.visible_to(user))).get(pk=pk)
