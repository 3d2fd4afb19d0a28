"""Time-based rules (SPEC section 11): fired by the passing of time, once per ticket and episode.

A rule's time condition counts whole hours *since* something happened to the ticket (created,
its status changed, assigned, the last reply of either side, resolved, reopened) or *to* one of
its due times, in calendar hours or in the business hours of the ticket's SLA; its ticket
criteria are those of the workflow rules. The scheduled work (``run``) evaluates each active rule
once an hour: the hour's rules are claimed (locked as they are read, skipping those another run
holds, and marked), so a run every minute, or on several machines at once, evaluates each once.
It reads the department's tickets in chunks by primary key (bounded memory), narrowed in SQL by
bounds that no ticket the condition holds for can miss, then decides each in Python.

The **episode** is the moment the hours count from (the status change, the reply, the due time):
a rule fires at most once per ticket and episode, enforced by the firing's unique key, so a
rerun, or two runs at once, never fire it twice; a new status change or reply starts a new one.
On-hold tickets never match a condition on due times, nor does a responded ticket the response
due time.

**The run decides, the workers act.** The run claims each match's episode (a queued firing,
written in bulk) and queues its actions for the task workers in the same transaction (``act``,
a hundred firings a task): a backlog of thousands of firings costs the run a few inserts, and
the ticket updates, alerts and tasks go through the one door on as many workers as there are. A
worker acts on the ticket as it is then; one that moved on meanwhile (a new episode, its
criteria or the rule no longer met) lets the firing lapse.

**Sweeps.** A run remembers, on each rule, the moment it evaluated the rule for every ticket
(``swept_until``), and the next run reads only the tickets that can have changed their answer
since: those whose condition came true since then, and those written since then (a ticket is
written whenever one of its moments, due times or own fields changes, so ``updated_at`` is never
before them). Each is a range of an index (the ticket's moment, a running ticket's due time, its
``updated_at``: ``arms``), so an hour's run reads the last hours' activity, not the desk's
history. A rule whose criteria read what changes without the ticket being written (its
contract's credits, plan or end date, its account's name: ``criteria.OWN_TICKET_FIELDS``) is not
swept and reads its whole scope every hour, and so does a new, changed or reactivated rule on
its first run (``automation.services``). ``desk.sweeps.MARGIN`` covers edits in flight while a
run read.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q

from desk import sweeps
from desk.choices import Status
from sla.business_time import BeyondHorizon, Calendar
from sla.clock import RUNNING, calendar_for
from sla.models import SLA
from tickets.models import UNRESOLVED, Ticket

from . import criteria, engine, tasks
from .models import Firing, Module, Rule

logger = logging.getLogger(__name__)

Field = Rule.TimeField
Operator = Rule.TimeOperator
HOUR = datetime.timedelta(hours=1)
CHUNK = 500
# The firings one task of the workers acts on (tasks run side by side, on as many workers).
ACTED_PER_TASK = 100
# How much wider than exact each bound of ``arms`` is (business time is counted in whole minutes).
SLACK = datetime.timedelta(minutes=1)

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

    _every = False

    def _slas(self):
        return SLA.objects.prefetch_related("working_periods", "holiday_list__holidays")

    def minutes(self, sla_id: int | None, start: datetime.datetime, end: datetime.datetime):
        if end <= start:
            return 0
        if sla_id is None:  # no SLA, no business hours: calendar time
            return int((end - start).total_seconds() // 60)
        if sla_id not in self:
            self[sla_id] = calendar_for(self._slas().get(pk=sla_id))
        calendar: Calendar = self[sla_id]
        try:
            return calendar.minutes_between(start, end)
        except BeyondHorizon:
            return int((end - start).total_seconds() // 60)

    def measures(self, business: bool) -> list[tuple[Q, Calendar | None]]:
        """How a rule's hours are counted, for which tickets: in calendar time (None) for every
        ticket, or in business hours, each SLA's tickets by its calendar and the tickets without
        an SLA in calendar time. (Every SLA's calendar is read once, the first time.)"""
        if not business:
            return [(Q(), None)]
        if not self._every:
            for sla in self._slas().exclude(pk__in=list(self)):
                self[sla.pk] = calendar_for(sla)
            self._every = True
        return [(Q(sla_id=pk), calendar) for pk, calendar in self.items()] + [
            (Q(sla_id=None), None)
        ]


def shifted(calendar: Calendar | None, moment: datetime.datetime, hours: int):
    """``moment`` moved ``hours`` whole hours (back when negative) of ``calendar``'s business
    time, or of calendar time (None); None past the calendar's horizon."""
    try:
        if calendar is None:
            return moment + datetime.timedelta(hours=hours)
        if hours < 0:
            return calendar.subtract(moment, -hours * 60)
        return calendar.add(moment, hours * 60)
    except (BeyondHorizon, OverflowError):
        return None


def applies(rule: Rule, ticket: Ticket) -> bool:
    """Whether ``rule``'s condition can apply to ``ticket`` at all: its moment is set; "since
    resolved" reads resolved tickets only, every other condition open ones; a due time neither
    on-hold tickets nor, for the response, responded ones."""
    if getattr(ticket, ANCHORS[rule.time_field]) is None:
        return False
    if ticket.is_resolved != (rule.time_field == Field.RESOLVED):
        return False
    if rule.time_field in DUE:
        if ticket.is_on_hold:
            return False
        if rule.time_field == Field.RESPONSE_DUE and ticket.first_responded_at is not None:
            return False
    return True


def hours(rule: Rule, ticket: Ticket, now: datetime.datetime, calendars: Calendars) -> int | None:
    """The whole hours of ``rule``'s condition for ``ticket`` at ``now`` (since its moment, or to
    its due time, negative once past); None when the condition cannot apply to it."""
    if not applies(rule, ticket):
        return None
    moment = getattr(ticket, ANCHORS[rule.time_field])
    if rule.time_field in DUE:
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
    return _time_bound(rule, now) & criteria.as_q(rule)


def _time_bound(rule: Rule, now: datetime.datetime) -> Q:
    """``scope`` but the criteria. They come last in every filter: PostgreSQL tests the
    conditions of an ``OR`` of ``AND``-ed terms in the order written, so the columns' comparisons
    leave few rows to the criteria's text matching (a department's first read at a million
    tickets: 2.3-2.9 s with the criteria first, 1.4 s last)."""
    anchor = ANCHORS[rule.time_field]
    q = Q(**{f"{anchor}__isnull": False})
    if rule.time_field == Field.RESOLVED:
        q &= Q(status__in=sorted(Status.resolved_kinds()))
    else:
        q &= UNRESOLVED  # as the indexes of moments say it
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


def arms(rule: Rule, now: datetime.datetime, calendars: Calendars) -> list[Q]:
    """``scope``, narrowed to the tickets whose answer can have changed since the rule's last
    sweep, as ranges of an index: a ticket's moment or a running ticket's due time (per SLA
    calendar for business hours: each calendar's window is a few hours wide; the SLAs whose
    calendars give the same window share one range), or its ``updated_at``. Each is only a
    bound, a minute wider than exact; ``hours`` decides."""
    matching = criteria.as_q(rule)  # last in each (``_time_bound``)
    q = _time_bound(rule, now)
    n, operator = rule.time_hours, rule.time_operator
    swept = rule.swept_until if criteria.reads_only_the_ticket(rule) else None
    anchor = ANCHORS[rule.time_field]
    changed = [q & Q(updated_at__gt=swept - sweeps.MARGIN)] if swept is not None else []
    if rule.time_field in DUE:
        q &= RUNNING  # the running tickets' due times: an index
        if operator == Operator.GREATER:  # the hours to a due time only fall: new if written
            return [arm & matching for arm in changed or [q]]
    elif operator == Operator.GREATER and swept is None and not rule.business_hours:
        return [q & matching]
    windows: dict[tuple, Q] = {}  # the tickets of each window
    for tickets, calendar in calendars.measures(rule.business_hours):
        if rule.time_field in DUE:  # from, until: the due times the condition holds for
            if operator == Operator.IS:
                bounds = shifted(calendar, now, n), shifted(calendar, now, n + 1)
            elif swept is None:  # less than
                bounds = None, shifted(calendar, now, n)
            else:  # less than, came true since the sweep
                bounds = shifted(calendar, swept, n), shifted(calendar, now, n)
                bounds = (bounds[0] and bounds[0] - sweeps.MARGIN), bounds[1]
        elif operator == Operator.IS:  # after, until: the moments it holds for
            bounds = shifted(calendar, now, -(n + 1)), shifted(calendar, now, -n)
        elif operator == Operator.LESS:
            bounds = shifted(calendar, now, -n), None
        elif swept is None:  # more than, ever: in business hours, each calendar's own bound
            bounds = None, shifted(calendar, now, -(n + 1))
        else:  # more than, came true since the sweep
            bounds = shifted(calendar, swept, -(n + 1)), shifted(calendar, now, -(n + 1))
            bounds = (bounds[0] and bounds[0] - sweeps.MARGIN), bounds[1]
        windows[bounds] = windows[bounds] | tickets if bounds in windows else tickets
    found = []
    for bounds, tickets in windows.items():
        within = q & tickets
        if bounds[0] is not None:
            within &= Q(**{f"{anchor}__gte": bounds[0] - SLACK})
        if bounds[1] is not None:
            within &= Q(**{f"{anchor}__lte": bounds[1] + SLACK})
        found.append(within)
    return [arm & matching for arm in found + changed]


def candidates(rule: Rule, now: datetime.datetime):
    """The rule's department's tickets it may fire for at ``now`` (``scope``)."""
    return Ticket.objects.filter(scope(rule, now), department_id=rule.department_id)


def _chunks(tickets, flags: dict[str, ExpressionWrapper]) -> Iterator[list[Ticket]]:
    """``tickets``, ``CHUNK`` at a time in primary-key order, with what the criteria read and
    ``flags`` (conditions answered for each row): their ids in one query (its filter's indexes
    are read once, not once a chunk), then each chunk's rows. Memory holds the ids and one chunk
    of rows, whatever the desk's size."""
    ids = list(tickets.order_by("pk").values_list("pk", flat=True))
    rows = Ticket.objects.select_related(*RELATED).annotate(**flags).order_by("pk")
    for start in range(0, len(ids), CHUNK):
        yield list(rows.filter(pk__in=ids[start : start + CHUNK]))


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


def _distinct_arms(rules: list[Rule], now: datetime.datetime, calendars: Calendars):
    """Each distinct arm of ``rules`` once (rules of one condition and criteria, whatever their
    actions, share theirs: the query's size, and Django's time to build it, follow the distinct
    conditions), and for each rule the positions of its own among them."""
    distinct: dict[Q, int] = {}
    own = {
        rule.pk: {distinct.setdefault(arm, len(distinct)) for arm in arms(rule, now, calendars)}
        for rule in rules
    }
    return list(distinct), own


def _by_department(rules: list[Rule]) -> dict[int, list[Rule]]:
    of_department: dict[int, list[Rule]] = {}
    for rule in rules:
        of_department.setdefault(rule.department_id, []).append(rule)
    return of_department


def _any_of(of_department: dict[int, list[Rule]], distinct: list[Q], own: dict[int, set[int]]):
    """The tickets of each department in any arm of its rules."""
    either = Q()
    for department_id, rules in of_department.items():
        its_arms = Q()
        for n in sorted(set().union(*(own[rule.pk] for rule in rules))):
            its_arms |= distinct[n]
        either |= Q(department_id=department_id) & its_arms
    return Ticket.objects.filter(either)


def to_read(rules: list[Rule], now: datetime.datetime, calendars: Calendars):
    """The tickets (of their departments) any of ``rules`` may fire for at ``now``."""
    distinct, own = _distinct_arms(rules, now, calendars)
    return _any_of(_by_department(rules), distinct, own)


def _matched(rules: list[Rule], now: datetime.datetime, calendars: Calendars):
    """What ``rules`` fire for at ``now``, a chunk of tickets at a time: one scan of the tickets
    any of them may fire for, every department's at once (a department's tickets lie on every
    page of the table: read one department at a time, the table was read once a department),
    each ticket decided, in list order, for its department's rules whose own arms it is in
    (each row says which: a rule that watches for a rare case is not decided for the tickets
    another rule's arm brought), less the episodes fired already."""
    if not rules:
        return
    of_department = _by_department(rules)
    distinct, own = _distinct_arms(rules, now, calendars)
    flags = {
        f"timed_arm_{n}": ExpressionWrapper(arm, output_field=BooleanField())
        for n, arm in enumerate(distinct)
    }
    for chunk in _chunks(_any_of(of_department, distinct, own), flags):
        found = []
        for ticket in chunk:
            held = {n for n, flag in enumerate(flags) if getattr(ticket, flag)}
            for rule in of_department.get(ticket.department_id, []):
                if own[rule.pk] & held and (match := _decide(rule, ticket, now, calendars)):
                    found.append(match)
        yield list(_unfired(found))


def matches(rules: list[Rule], now: datetime.datetime, calendars: Calendars) -> Iterator[Match]:
    """What ``rules`` fire for at ``now``, one by one."""
    for found in _matched(rules, now, calendars):
        yield from found


def run_rules(rules: list[Rule], now: datetime.datetime, calendars: Calendars | None = None):
    """Fire ``rules`` for every ticket each matches at ``now``: each firing's episode claimed
    here (a queued firing), its actions queued for the task workers (``act``) in the same
    transaction, a chunk of tickets at a time. How many were queued."""
    calendars = calendars if calendars is not None else Calendars()
    queued = 0
    for found in _matched(rules, now, calendars):
        if found:
            with transaction.atomic():
                ids = [firing.pk for firing in _claim_episodes(found)]
                for start in range(0, len(ids), ACTED_PER_TASK):
                    tasks.act_on_time_rule_firings.enqueue(ids[start : start + ACTED_PER_TASK])
            queued += len(ids)
    return queued


def run_rule(rule: Rule, now: datetime.datetime, calendars: Calendars | None = None) -> int:
    """Fire one rule for every ticket it matches at ``now``."""
    return run_rules([rule], now, calendars)


def _claim_episodes(found: list[Match]) -> list[Firing]:
    """A queued firing for each match, in one statement; the episodes another run claimed since
    they were read (a run that overran its hour) left out, one by one."""
    firings = [
        Firing(
            rule=match.rule,
            ticket=match.ticket,
            trigger=Rule.Trigger.TIME_PASSED,
            episode=match.episode,
            outcome=Firing.Outcome.QUEUED,
        )
        for match in found
    ]
    try:
        with transaction.atomic():
            return Firing.objects.bulk_create(firings)
    except IntegrityError:
        claimed = []
        for firing in firings:
            try:
                with transaction.atomic():
                    firing.save()
            except IntegrityError:
                continue
            claimed.append(firing)
        return claimed


def act(firing_ids: list[int]) -> int:
    """What a task worker does for the firings the hourly run queued: each firing's actions, in
    a transaction of its own that holds the firing (two workers never act on one twice). A
    firing whose ticket moved on since (deleted, a new episode, its rule's criteria or the rule
    no longer met) lapses: it is deleted, as if the run had not matched. How many were done."""
    done = 0
    for pk in firing_ids:
        with transaction.atomic():
            firing = (
                Firing.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("rule")
                .filter(pk=pk, outcome=Firing.Outcome.QUEUED)
                .first()
            )
            if firing is None:
                continue  # done, lapsed, or in another worker's hands
            ticket = engine.load(Module.TICKETS, firing.ticket_id) if firing.ticket_id else None
            facts = criteria.Facts(Module.TICKETS, ticket) if ticket is not None else None
            if facts is None or not still_holds(firing, facts):
                firing.delete()
                continue
            engine.act(firing, facts.record, facts=facts)
            done += 1
    return done


def still_holds(firing: Firing, facts: criteria.Facts) -> bool:
    """Whether the queued ``firing`` still applies to its ticket as read now (``facts``): its
    rule active, the ticket in the episode it was queued for and meeting the rule's criteria.
    (Its hours are not counted again: the run counted them for its hour, and the workers act
    within moments of it.)"""
    rule, ticket = firing.rule, facts.record
    return (
        rule.is_active
        and rule.kind == Rule.Kind.TIME_BASED
        and applies(rule, ticket)
        and episode(rule, ticket) == firing.episode
        and criteria.evaluate(rule, facts).holds
    )


def _due(hour: datetime.datetime) -> Q:
    return Q(last_run_at__isnull=True) | Q(last_run_at__lt=hour)


@transaction.atomic
def _claim(hour: datetime.datetime) -> list[Rule]:
    """The active time-based rules not yet evaluated this hour, marked evaluated: locked as
    they are read, skipping those another run is claiming (which re-reads them as they come
    free, and finds them claimed), so that each is evaluated by one run (two queries)."""
    due = Rule.objects.active().filter(kind=Rule.Kind.TIME_BASED).filter(_due(hour))
    claimed = list(
        due.select_for_update(skip_locked=True, of=("self",)).order_by(
            "department_id", "position", "pk"
        )
    )
    Rule.objects.filter(pk__in=[rule.pk for rule in claimed]).update(last_run_at=hour)
    return claimed


def run(*, now: datetime.datetime) -> int:
    """The scheduled work's hourly step: each active time-based rule not yet evaluated this
    hour is claimed (``_claim``), then the claimed rules run over one scan of the tickets. If
    that fails, each department's rules run again on their own (the episodes claimed already
    are not claimed twice): a department that fails is logged and skipped, the others still
    run. Returns the firings queued."""
    claimed = _claim(now.replace(minute=0, second=0, microsecond=0))
    calendars = Calendars()
    try:
        fired = run_rules(claimed, now, calendars)
        _swept(claimed, now)
        return fired
    except Exception:
        logger.exception("Time-based rules: the run failed; department by department")
    fired, failed = 0, []
    for department_id, group in groupby(claimed, key=lambda rule: rule.department_id):
        rules = list(group)
        try:
            fired += run_rules(rules, now, calendars)
            _swept(rules, now)
        except Exception:
            logger.exception("Time-based rules of department %s: the run failed", department_id)
            failed.append(department_id)
    if failed:
        raise RuntimeError(f"time-based rules of department(s) {failed} failed (see the log)")
    return fired


def _swept(rules: list[Rule], now: datetime.datetime) -> None:
    """Mark ``rules`` evaluated for every ticket at ``now``, unless the rule was saved since it
    was read (its next run reads its whole scope)."""
    read_as = Q()
    for rule in rules:
        read_as |= Q(pk=rule.pk, updated_at=rule.updated_at)
    sweeps.mark(Rule.objects.filter(read_as), now)


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
