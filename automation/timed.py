"""Time-based rules (SPEC section 11): fired by the passing of time, once per ticket and episode.

A rule's time condition counts whole hours *since* something happened to the ticket (created,
its status changed, assigned, the last reply of either side, resolved, reopened) or *to* one of
its due times, in calendar hours or in the business hours of the ticket's SLA; its ticket
criteria are those of the workflow rules. The scheduled work (``run``) evaluates each active rule
once an hour: the hour is claimed with one conditional UPDATE, so a run every minute, or on
several machines at once, evaluates it once. It reads the department's tickets in chunks by
primary key (bounded memory), narrowed in SQL by a calendar bound that no ticket the condition
holds for can miss, then decides each in Python.

The **episode** is the moment the hours count from (the status change, the reply, the due time):
a rule fires at most once per ticket and episode, enforced by the firing's unique key, so a
rerun, or two runs at once, never fire it twice; a new status change or reply starts a new one.
On-hold tickets never match a condition on due times, nor does a responded ticket the response
due time.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q

from desk.choices import Status
from sla.business_time import BeyondHorizon, Calendar
from sla.clock import calendar_for
from sla.models import SLA
from tickets.models import Ticket

from . import criteria, engine
from .models import Firing, Module, Rule

logger = logging.getLogger(__name__)

Field = Rule.TimeField
Operator = Rule.TimeOperator
HOUR = datetime.timedelta(hours=1)
CHUNK = 500

# The ticket's moment each condition counts from (or, for due times, to).
ANCHORS: dict[str, str] = {
    Field.CREATED: "created_at",
    Field.STATUS_CHANGED: "status_changed_at",
    Field.ASSIGNED: "assigned_at",
    Field.CUSTOMER_REPLY: "last_customer_reply_at",
    Field.AGENT_REPLY: "last_agent_reply_at",
    Field.RESOLVED: "resolved_at",
    Field.REOPENED: "reopened_at",
    Field.RESPONSE_DUE: "response_due_at",
    Field.RESOLUTION_DUE: "resolution_due_at",
}
DUE: set[str] = {Field.RESPONSE_DUE, Field.RESOLUTION_DUE}
# What the criteria read of each ticket (what actions read is read when a rule fires).
RELATED = engine.RECORD_RELATED[Module.TICKETS]


class Calendars(dict):
    """Each SLA's business calendar, built once per run (its schedule and holidays read once)."""

    def minutes(self, sla_id: int | None, start: datetime.datetime, end: datetime.datetime):
        if end <= start:
            return 0
        if sla_id is None:  # no SLA, no business hours: calendar time
            return int((end - start).total_seconds() // 60)
        if sla_id not in self:
            sla = SLA.objects.prefetch_related("working_periods", "holiday_list__holidays")
            self[sla_id] = calendar_for(sla.get(pk=sla_id))
        calendar: Calendar = self[sla_id]
        try:
            return calendar.minutes_between(start, end)
        except BeyondHorizon:
            return int((end - start).total_seconds() // 60)


def hours(rule: Rule, ticket: Ticket, now: datetime.datetime, calendars: Calendars) -> int | None:
    """The whole hours of ``rule``'s condition for ``ticket`` at ``now`` (since its moment, or to
    its due time, negative once past); None when the condition cannot apply to it."""
    moment = getattr(ticket, ANCHORS[rule.time_field])
    if moment is None:
        return None
    if rule.time_field in DUE:
        if ticket.is_on_hold or ticket.is_resolved:
            return None
        if rule.time_field == Field.RESPONSE_DUE and ticket.first_responded_at is not None:
            return None
        start, end, sign = (now, moment, 1) if moment >= now else (moment, now, -1)
    else:
        start, end, sign = moment, now, 1
    if rule.business_hours:
        minutes = calendars.minutes(ticket.sla_id, start, end)
    else:
        minutes = int(max(end - start, datetime.timedelta()).total_seconds() // 60)
    return sign * (minutes // 60)


def condition_holds(value: int | None, rule: Rule) -> bool:
    if value is None:
        return False
    if rule.time_operator == Operator.IS:
        return value == rule.time_hours
    if rule.time_operator == Operator.LESS:
        return value < rule.time_hours
    return value > rule.time_hours


def episode(rule: Rule, ticket: Ticket) -> str:
    """The moment the rule's hours count from, for this ticket: its firing's episode."""
    moment = getattr(ticket, ANCHORS[rule.time_field])
    return f"{rule.time_field}:{moment.isoformat()}"


def candidates(rule: Rule, now: datetime.datetime):
    """The department's tickets the rule may fire for: a calendar bound in SQL that every ticket
    its condition holds for meets (business hours are never more than calendar hours), and the
    criteria a column answers (``criteria.as_q``)."""
    anchor = ANCHORS[rule.time_field]
    tickets = Ticket.objects.filter(criteria.as_q(rule), department_id=rule.department_id)
    tickets = tickets.filter(**{f"{anchor}__isnull": False})
    if rule.time_field == Field.RESOLVED:
        tickets = tickets.filter(status__in=Status.resolved_kinds())
    else:
        tickets = tickets.exclude(status__in=Status.resolved_kinds())
    n, business = rule.time_hours, rule.business_hours
    if rule.time_field in DUE:
        tickets = tickets.exclude(status__in=Status.on_hold_kinds())
        if rule.time_field == Field.RESPONSE_DUE:
            tickets = tickets.filter(first_responded_at__isnull=True)
        if rule.time_operator == Operator.GREATER:
            tickets = tickets.filter(**{f"{anchor}__gte": now + (n + 1) * HOUR})
        elif rule.time_operator == Operator.IS:
            tickets = tickets.filter(**{f"{anchor}__gte": now + n * HOUR})
            if not business:
                tickets = tickets.filter(**{f"{anchor}__lt": now + (n + 1) * HOUR})
        elif not business:
            tickets = tickets.filter(**{f"{anchor}__lt": now + n * HOUR})
    else:
        if rule.time_operator == Operator.GREATER:
            tickets = tickets.filter(**{f"{anchor}__lte": now - (n + 1) * HOUR})
        elif rule.time_operator == Operator.IS:
            tickets = tickets.filter(**{f"{anchor}__lte": now - n * HOUR})
            if not business:
                tickets = tickets.filter(**{f"{anchor}__gt": now - (n + 1) * HOUR})
        elif not business:
            tickets = tickets.filter(**{f"{anchor}__gt": now - n * HOUR})
    return tickets


def _chunks(rule: Rule, now: datetime.datetime) -> Iterator[list[Ticket]]:
    """The candidates, ``CHUNK`` at a time in primary-key order (keyset: each chunk one query)."""
    last = 0
    base = candidates(rule, now).select_related(*RELATED).order_by("pk")
    while True:
        chunk = list(base.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


@dataclass(frozen=True)
class Match:
    ticket: Ticket
    hours: int
    episode: str


def matches(rule: Rule, now: datetime.datetime, calendars: Calendars) -> Iterator[Match]:
    """The tickets ``rule`` fires for at ``now``: its condition and criteria hold, and it has
    not fired for the ticket's episode yet."""
    for chunk in _chunks(rule, now):
        found = []
        for ticket in chunk:
            value = hours(rule, ticket, now, calendars)
            if not condition_holds(value, rule):
                continue
            assert value is not None
            if not criteria.evaluate(rule, criteria.Facts(rule.module, ticket)).holds:
                continue
            found.append(Match(ticket=ticket, hours=value, episode=episode(rule, ticket)))
        if not found:
            continue
        fired = set(
            Firing.objects.filter(rule=rule, ticket__in=[m.ticket for m in found]).values_list(
                "ticket_id", "episode"
            )
        )
        for match in found:
            if (match.ticket.pk, match.episode) not in fired:
                yield match


def run_rule(rule: Rule, now: datetime.datetime, calendars: Calendars | None = None) -> int:
    """Fire ``rule`` for every ticket it matches at ``now``; how many firings were made."""
    calendars = calendars if calendars is not None else Calendars()
    fired = 0
    for match in matches(rule, now, calendars):
        facts = criteria.Facts(rule.module, match.ticket)
        firing = engine.fire(
            rule,
            match.ticket,
            facts=facts,
            trigger=Rule.Trigger.TIME_PASSED,
            episode=match.episode,
        )
        fired += firing is not None
    return fired


def _due(hour: datetime.datetime) -> Q:
    return Q(last_run_at__isnull=True) | Q(last_run_at__lt=hour)


def run(*, now: datetime.datetime) -> int:
    """The scheduled work's hourly step: each active time-based rule not yet evaluated this
    hour is claimed (one conditional UPDATE: whoever updates it evaluates it) and run. A rule
    that fails is logged and skipped; the others still run. Returns the firings made."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    due = Rule.objects.active().filter(kind=Rule.Kind.TIME_BASED).filter(_due(hour))
    calendars = Calendars()
    fired, failed = 0, []
    for rule_id in list(
        due.order_by("department_id", "position", "pk").values_list("pk", flat=True)
    ):
        if not Rule.objects.filter(pk=rule_id).filter(_due(hour)).update(last_run_at=hour):
            continue  # another run took it this hour
        rule = (
            Rule.objects.select_related(
                "owner", "set_assignee", "alert_template", "task_assignee", "department"
            )
            .prefetch_related("alert_users__preferences")
            .get(pk=rule_id)
        )
        try:
            fired += run_rule(rule, now, calendars)
        except Exception:
            logger.exception("Time-based rule %s: the run failed", rule_id)
            failed.append(rule_id)
    if failed:
        raise RuntimeError(f"time-based rule(s) {failed} failed (see the log)")
    return fired


def would_fire(rule: Rule, now: datetime.datetime, *, shown: int = 5) -> tuple[int, list[Match]]:
    """How many tickets ``rule`` would fire for now, and the first ``shown`` of them."""
    count, first = 0, list[Match]()
    for match in matches(rule, now, Calendars()):
        count += 1
        if len(first) < shown:
            first.append(match)
    return count, first


@dataclass(frozen=True)
class TimeExplanation:
    hours: int | None
    holds: bool
    fired_already: bool
    explanation: engine.Explanation


def explain(rule: Rule, ticket: Ticket, now: datetime.datetime) -> TimeExplanation:
    """*Test against…* for a time-based rule: its condition's hours, its criteria row by row,
    whether it fired already for the ticket's episode, and what it would do."""
    value = hours(rule, ticket, now, Calendars())
    fired = (
        value is not None
        and Firing.objects.filter(rule=rule, ticket=ticket, episode=episode(rule, ticket)).exists()
    )
    return TimeExplanation(
        hours=value,
        holds=condition_holds(value, rule),
        fired_already=fired,
        explanation=engine.explain(rule, ticket),
    )
