"""The SLA clock (SPEC section 5): when a ticket is due, how a pause moves it, and where it stands.

This module is the one home of:

- due times: computed at creation, recomputed when the priority, the SLA or the contract changes
  (``due_times``, ``recompute_due_times``), moved by the business time spent on hold
  (``paused_minutes``, ``shift``);
- a ticket's SLA state, shown on the ticket page and filtered on the ticket list: one definition,
  evaluated in Python for one ticket (``ticket_state``, ``due_rows``) and in the database for a
  list (``state_condition``); a test holds the two to the same answers.

Business time is counted by ``sla.business_time`` (24×7 or a weekly schedule with holidays).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from desk.choices import Status

from .business_time import BeyondHorizon, Calendar
from .models import SLA, SLATarget

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

logger = logging.getLogger(__name__)


# -- due times ------------------------------------------------------------------------------------


def calendar_for(sla: SLA) -> Calendar:
    """The business-time calendar of ``sla`` (reads its schedule and holidays)."""
    periods = None
    if sla.business_hours == SLA.BusinessHours.WEEKLY:
        periods = [(p.weekday, p.start_time, p.end_time) for p in sla.working_periods.all()]
    holidays = []
    if sla.holiday_list is not None:
        holidays = [h.date for h in sla.holiday_list.holidays.all()]
    if periods == []:  # a schedule emptied in the admin: count nothing, rather than loop forever
        periods = None
    return Calendar(time_zone=sla.time_zone, periods=periods, holidays=holidays)


def _target(sla: SLA, priority: str) -> SLATarget | None:
    return next((t for t in sla.targets.all() if t.priority == priority), None)


def _add(
    calendar: Calendar, sla: SLA, start: datetime.datetime, minutes: int
) -> datetime.datetime | None:
    """``start`` plus ``minutes`` of business time, or no due time at all (logged) when the SLA's
    schedule cannot reach it within the clock's horizon: an SLA saved before its targets were
    bounded by its schedule must not break the ticket that follows it."""
    try:
        return calendar.add(start, minutes)
    except BeyondHorizon as error:
        logger.warning("SLA %s: no due time %s minutes after %s: %s", sla.pk, minutes, start, error)
        return None


def due_times(
    *, sla: SLA | None, priority: str, start: datetime.datetime
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """First-response and resolution due times of a ticket opened at ``start``."""
    if sla is None:
        return None, None
    target = _target(sla, priority)
    if target is None:
        return None, None
    calendar = calendar_for(sla)
    return (
        _add(calendar, sla, start, target.response_minutes),
        _add(calendar, sla, start, target.resolution_minutes),
    )


def paused_minutes(*, sla: SLA | None, start: datetime.datetime, end: datetime.datetime) -> int:
    """Business minutes between ``start`` and ``end`` (the time a ticket spent on hold).

    A pause longer than the clock's horizon counts in wall-clock minutes (logged).
    """
    if sla is None or end <= start:
        return 0
    try:
        return calendar_for(sla).minutes_between(start, end)
    except BeyondHorizon as error:
        logger.warning(
            "SLA %s: pause from %s to %s counted in clock time: %s", sla.pk, start, end, error
        )
        return int((end - start).total_seconds() // 60)


def shift(
    *, sla: SLA | None, due: datetime.datetime | None, minutes: int
) -> datetime.datetime | None:
    """Move a due time later by ``minutes`` of business time (none, logged, past the horizon)."""
    if sla is None or due is None or not minutes:
        return due
    return _add(calendar_for(sla), sla, due, minutes)


def recompute_due_times(*, ticket: Any) -> None:
    """Set the ticket's due times from its creation under its SLA and priority (no save).

    Business time already spent on hold (``sla_paused_minutes``) pushes both back.
    """
    sla = ticket.sla
    target = _target(sla, ticket.priority) if sla is not None else None
    if target is None:
        ticket.response_due_at = ticket.resolution_due_at = None
        return
    calendar = calendar_for(sla)
    paused = ticket.sla_paused_minutes or 0
    ticket.response_due_at = _add(
        calendar, sla, ticket.created_at, target.response_minutes + paused
    )
    ticket.resolution_due_at = _add(
        calendar, sla, ticket.created_at, target.resolution_minutes + paused
    )


# -- where a ticket stands ------------------------------------------------------------------------


class SlaState(models.TextChoices):
    """A ticket's standing against its SLA, as the ticket list filters it."""

    NONE = "none", _("Follows no SLA")
    ON_TRACK = "on_track", _("On track")
    DUE_SOON = "due_soon", _("Due within the hour")
    OVERDUE = "overdue", _("Overdue")
    PAUSED = "paused", _("Paused (on hold)")
    MET = "met", _("Resolved in time")
    BREACHED = "breached", _("Resolved late")


# A running due time this close is "due soon" rather than "on track".
DUE_SOON_WITHIN = datetime.timedelta(hours=1)


class DueState(models.TextChoices):
    """One due time's standing, as the ticket page shows it beside the time."""

    RUNNING = "running", _("running")
    OVERDUE = "overdue", _("overdue")
    PAUSED = "paused", _("paused")
    MET = "met", _("met")
    MISSED = "missed", _("missed")


@dataclass(frozen=True)
class DueRow:
    kind: str  # "response" or "resolution"
    due: datetime.datetime
    done_at: datetime.datetime | None
    state: str  # a DueState
    minutes_left: int  # negative when overdue

    @property
    def label(self) -> _StrPromise:
        return _("Response due") if self.kind == "response" else _("Resolution due")


def _due_state(
    due: datetime.datetime, done_at: datetime.datetime | None, on_hold: bool, now
) -> str:
    if done_at is not None:
        return DueState.MET if done_at <= due else DueState.MISSED
    if on_hold:
        return DueState.PAUSED
    return DueState.RUNNING if due >= now else DueState.OVERDUE


def due_rows(ticket: Any, now: datetime.datetime) -> list[DueRow]:
    """The ticket's response and resolution due times, each with its state (no queries).

    The response is done at the first response or, failing one, at the resolution; the
    resolution at the resolution.
    """
    resolved_at = ticket.resolved_at if ticket.status in Status.resolved_kinds() else None
    on_hold = ticket.status in Status.on_hold_kinds()
    rows = []
    for kind, due, done_at in (
        ("response", ticket.response_due_at, ticket.first_responded_at or resolved_at),
        ("resolution", ticket.resolution_due_at, resolved_at),
    ):
        if due is not None:
            state = _due_state(due, done_at, on_hold, now)
            minutes = int((due - now).total_seconds() // 60)
            rows.append(DueRow(kind, due, done_at, state, minutes))
    return rows


def ticket_state(ticket: Any, now: datetime.datetime) -> str:
    """The ticket's SlaState at ``now``; ``state_condition`` answers the same in SQL."""
    if ticket.sla_id is None:
        return SlaState.NONE
    if ticket.status in Status.resolved_kinds():
        due = ticket.resolution_due_at
        met = due is None or ticket.resolved_at is None or ticket.resolved_at <= due
        return SlaState.MET if met else SlaState.BREACHED
    if ticket.status in Status.on_hold_kinds():
        return SlaState.PAUSED
    rows = due_rows(ticket, now)
    if any(row.state == DueState.OVERDUE for row in rows):
        return SlaState.OVERDUE
    soon = now + DUE_SOON_WITHIN
    if any(row.state == DueState.RUNNING and row.due < soon for row in rows):
        return SlaState.DUE_SOON
    return SlaState.ON_TRACK


# The tickets whose SLA clock runs: under an SLA, neither resolved nor on hold. One expression
# for the states below, the escalation run and the partial indexes that hold those tickets
# (``tickets.models``), so that PostgreSQL can tell an index holds every row a query asks for.
RUNNING = Q(sla__isnull=False) & ~Q(
    status__in=sorted(Status.resolved_kinds() | Status.on_hold_kinds())
)


def state_condition(state: str, now: datetime.datetime) -> Q:
    """The tickets in ``state`` at ``now``, as a condition the database evaluates."""
    done = Q(status__in=Status.resolved_kinds())
    paused = Q(status__in=Status.on_hold_kinds())
    late = Q(resolution_due_at__lt=now) | Q(
        first_responded_at__isnull=True, response_due_at__lt=now
    )
    # Due within the hour, written as ranges (the lower bounds change nothing where a ticket is
    # not late, the only place it is read): PostgreSQL then reads them from the running
    # tickets' due-time indexes rather than scanning the desk for them.
    within = {"gte": now, "lt": now + DUE_SOON_WITHIN}
    soon = Q(**{f"resolution_due_at__{op}": at for op, at in within.items()}) | Q(
        first_responded_at__isnull=True,
        **{f"response_due_at__{op}": at for op, at in within.items()},
    )
    met = (
        Q(resolution_due_at__isnull=True)
        | Q(resolved_at__isnull=True)
        | Q(resolved_at__lte=F("resolution_due_at"))
    )
    with_sla = Q(sla__isnull=False)
    return {
        SlaState.NONE: Q(sla__isnull=True),
        SlaState.PAUSED: with_sla & ~done & paused,
        SlaState.OVERDUE: RUNNING & late,
        SlaState.DUE_SOON: RUNNING & ~late & soon,
        SlaState.ON_TRACK: RUNNING & ~late & ~soon,
        SlaState.MET: with_sla & done & met,
        SlaState.BREACHED: with_sla & done & ~met,
    }[SlaState(state)]
