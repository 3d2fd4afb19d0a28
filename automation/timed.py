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
from itertools import groupby

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
    if moment is None or ticket.is_resolved != (rule.time_field == Field.RESOLVED):
        return None  # "since resolved" reads resolved tickets only; every other, open ones
    if rule.time_field in DUE:
        if ticket.is_on_hold:
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


def scope(rule: Rule, now: datetime.datetime) -> Q:
    """The tickets (of any department) ``rule`` may fire for at ``now``, as a filter: a calendar
    bound every ticket its condition holds for meets (business hours are never more than
    calendar hours), the statuses it reads, and the criteria a column answers
    (``criteria.as_q``). ``hours`` and ``criteria.evaluate`` decide exactly."""
    anchor = ANCHORS[rule.time_field]
    q = criteria.as_q(rule) & Q(**{f"{anchor}__isnull": False})
    if rule.time_field == Field.RESOLVED:
        q &= Q(status__in=Status.resolved_kinds())
    else:
        q &= ~Q(status__in=Status.resolved_kinds())
    n, business = rule.time_hours, rule.business_hours
    after, before = f"{anchor}__gte", f"{anchor}__lt"
    if rule.time_field in DUE:
        q &= ~Q(status__in=Status.on_hold_kinds())
        if rule.time_field == Field.RESPONSE_DUE:
            q &= Q(first_responded_at__isnull=True)
        if rule.time_operator == Operator.GREATER:
            q &= Q(**{after: now + (n + 1) * HOUR})
        elif rule.time_operator == Operator.IS:
            q &= Q(**{after: now + n * HOUR})
            if not business:
                q &= Q(**{before: now + (n + 1) * HOUR})
        elif not business:
            q &= Q(**{before: now + n * HOUR})
    else:
        since, until = f"{anchor}__lte", f"{anchor}__gt"
        if rule.time_operator == Operator.GREATER:
            q &= Q(**{since: now - (n + 1) * HOUR})
        elif rule.time_operator == Operator.IS:
            q &= Q(**{since: now - n * HOUR})
            if not business:
                q &= Q(**{until: now - (n + 1) * HOUR})
        elif not business:
            q &= Q(**{until: now - n * HOUR})
    return q


def candidates(rule: Rule, now: datetime.datetime):
    """The rule's department's tickets it may fire for at ``now`` (``scope``)."""
    return Ticket.objects.filter(scope(rule, now), department_id=rule.department_id)


def _chunks(tickets) -> Iterator[list[Ticket]]:
    """``tickets``, ``CHUNK`` at a time in primary-key order (keyset: one query a chunk), with
    what the criteria read: memory stays bounded whatever the desk's size."""
    last = 0
    tickets = tickets.select_related(*RELATED).order_by("pk")
    while True:
        chunk = list(tickets.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


@dataclass(frozen=True)
class Match:
    rule: Rule
    ticket: Ticket
    hours: int
    episode: str


def _decide(rule: Rule, ticket: Ticket, now, calendars: Calendars) -> Match | None:
    """A match if ``rule``'s condition and criteria hold for ``ticket`` at ``now``."""
    value = hours(rule, ticket, now, calendars)
    if value is None or not condition_holds(value, rule):
        return None
    if not criteria.evaluate(rule, criteria.Facts(rule.module, ticket)).holds:
        return None
    return Match(rule=rule, ticket=ticket, hours=value, episode=episode(rule, ticket))


def _unfired(found: list[Match]) -> Iterator[Match]:
    """The matches whose rule has not fired for the ticket's episode yet (one query)."""
    if not found:
        return
    fired = set(
        Firing.objects.filter(
            rule__in={m.rule.pk for m in found}, ticket__in={m.ticket.pk for m in found}
        ).values_list("rule_id", "ticket_id", "episode")
    )
    for match in found:
        if (match.rule.pk, match.ticket.pk, match.episode) not in fired:
            yield match


def matches(rules: list[Rule], now: datetime.datetime, calendars: Calendars) -> Iterator[Match]:
    """What ``rules`` (of one department) fire for at ``now``: one scan of the department's
    tickets any of them may fire for, each ticket decided for each rule, in list order."""
    if not rules:
        return
    either = Q()
    for rule in rules:
        either |= scope(rule, now)
    tickets = Ticket.objects.filter(either, department_id=rules[0].department_id)
    for chunk in _chunks(tickets):
        found = [
            match
            for ticket in chunk
            for rule in rules
            if (match := _decide(rule, ticket, now, calendars)) is not None
        ]
        yield from _unfired(found)


def run_rules(rules: list[Rule], now: datetime.datetime, calendars: Calendars | None = None):
    """Fire ``rules`` (of one department) for every ticket each matches at ``now``; how many
    firings were made."""
    calendars = calendars if calendars is not None else Calendars()
    fired = 0
    for match in matches(rules, now, calendars):
        firing = engine.fire(
            match.rule,
            match.ticket,
            facts=criteria.Facts(Module.TICKETS, match.ticket),
            trigger=Rule.Trigger.TIME_PASSED,
            episode=match.episode,
        )
        fired += firing is not None
    return fired


def run_rule(rule: Rule, now: datetime.datetime, calendars: Calendars | None = None) -> int:
    """Fire one rule for every ticket it matches at ``now``."""
    return run_rules([rule], now, calendars)


def _due(hour: datetime.datetime) -> Q:
    return Q(last_run_at__isnull=True) | Q(last_run_at__lt=hour)


def run(*, now: datetime.datetime) -> int:
    """The scheduled work's hourly step: each active time-based rule not yet evaluated this
    hour is claimed (one conditional UPDATE: whoever updates it evaluates it), then each
    department's claimed rules run over one scan of its tickets. A department that fails is
    logged and skipped; the others still run. Returns the firings made."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    due = Rule.objects.active().filter(kind=Rule.Kind.TIME_BASED).filter(_due(hour))
    claimed = [
        rule
        for rule in due.order_by("department_id", "position", "pk")
        if Rule.objects.filter(pk=rule.pk).filter(_due(hour)).update(last_run_at=hour)
    ]
    calendars = Calendars()
    fired, failed = 0, []
    for department_id, rules in groupby(claimed, key=lambda rule: rule.department_id):
        try:
            fired += run_rules(list(rules), now, calendars)
        except Exception:
            logger.exception("Time-based rules of department %s: the run failed", department_id)
            failed.append(department_id)
    if failed:
        raise RuntimeError(f"time-based rules of department(s) {failed} failed (see the log)")
    return fired


def would_fire(rule: Rule, now: datetime.datetime, *, shown: int = 5) -> tuple[int, list[Match]]:
    """How many tickets ``rule`` would fire for now, and the first ``shown`` of them."""
    count, first = 0, list[Match]()
    for match in matches([rule], now, Calendars()):
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
