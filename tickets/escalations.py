"""Escalation runs: fire each due escalation level of each open ticket once.

Safe to run every minute from cron. A level fires for a ticket when its time (the target's due
time plus the level's offset, in real minutes) has come and no ``EscalationFiring`` exists for
that ticket, level and due time; the firing row (unique) makes a second run do nothing. When a
due time moves (pause, priority or SLA change), the levels can fire again for the new due time.

Each level remembers the moment up to which a run has fired it (``swept_until``), so a run reads
only the tickets whose time came since then, and the running tickets written since then (each
less ``desk.sweeps.MARGIN``): a due time an edit moved into the past, a ticket that an edit or
another run held while the last run locked it. The work is bounded by the last minutes'
activity, not by the running tickets past due, however many there are. A new level, or one
whose target or offset changed, has no such moment (``sla.services``): its first run reads every
running ticket past its time. Of those, the candidates are the tickets with a level due that
has not fired for its due time (a probe of the firings' index each), so that a busy desk's
tickets written in the last minutes are not all locked and read whole to find the few due.

One query finds the candidates; they are then handled in chunks of ``CHUNK`` tickets, each in its
own transaction and with a fixed number of queries whatever its size: lock the chunk's ticket rows
(in primary-key order, skipping rows another run or a user's edit holds: those are picked up by
the next minute's run), read their firings, decide in Python what fires, insert the firing rows,
write the changed tickets with one history record each, and queue the chunk's emails in the
outbox (``desk.mail.queue``), in the same transaction.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from desk import mail, sweeps
from desk.choices import Priority
from sla.clock import RUNNING, recompute_due_times
from sla.models import SLA, EscalationLevel

from .locks import lock_tickets_skipping_held
from .models import EscalationFiring, Ticket

logger = logging.getLogger(__name__)

DUE_FIELD: dict[str, str] = {
    EscalationLevel.Target.RESPONSE: "response_due_at",
    EscalationLevel.Target.RESOLUTION: "resolution_due_at",
}
# simple_history keeps at most 100 characters of a change reason.
REASON_MAX = 100
# Tickets locked, decided and written per transaction.
CHUNK = 500
# What an escalation's actions can change on a ticket (and ``updated_at``, as ``save()`` would).
ACTION_FIELDS = ["assignee", "assigned_at", "priority", "response_due_at", "resolution_due_at"]


def _levels() -> list[EscalationLevel]:
    return list(
        EscalationLevel.objects.select_related("reassign_to")
        .prefetch_related(mail.readers("notify_users"))
        .order_by("sla_id", "level")
    )


def _level_condition(level: EscalationLevel, now: datetime.datetime) -> Q:
    """Tickets of ``level``'s SLA for which ``level`` is due and has not fired for that due time
    (one probe of the firings' unique index a ticket)."""
    due_field = DUE_FIELD[level.target]
    offset = datetime.timedelta(minutes=level.offset_minutes)
    condition: Q = Q(sla_id=level.sla_id) & Q(**{f"{due_field}__lte": now - offset})
    if level.target == EscalationLevel.Target.RESPONSE:
        condition &= Q(first_responded_at__isnull=True)
    fired = EscalationFiring.objects.filter(
        ticket=OuterRef("pk"), level_id=level.pk, due_at=OuterRef(due_field)
    )
    return condition & Q(~Exists(fired))


def _since_sweep(level: EscalationLevel) -> Q:
    """The tickets whose time for ``level`` came since its sweep (a range of an index); every
    ticket for a level never swept."""
    if level.swept_until is None:
        return Q()
    offset = datetime.timedelta(minutes=level.offset_minutes)
    return Q(**{f"{DUE_FIELD[level.target]}__gt": level.swept_until - sweeps.MARGIN - offset})


def _is_due(ticket: Ticket, level: EscalationLevel, now: datetime.datetime) -> bool:
    due = getattr(ticket, DUE_FIELD[level.target])
    if due is None or ticket.sla_id != level.sla_id:
        return False
    if level.target == EscalationLevel.Target.RESPONSE and ticket.first_responded_at:
        return False
    return due + datetime.timedelta(minutes=level.offset_minutes) <= now


def _running(queryset):
    """Tickets whose SLA clock runs: not resolved, not on hold, under an SLA."""
    return queryset.filter(RUNNING)


def candidates(now: datetime.datetime, levels: list[EscalationLevel]):
    """One query: open, running tickets with at least one level due and not yet fired for
    its due time, among those whose time came since the level's sweep and those written
    since (a range of an index each: a due time an edit moved into the past, a ticket an edit
    or another run held). Only those are locked and read whole."""
    if not levels:
        return Ticket.objects.none()
    condition = Q()
    unfired = Q()
    for level in levels:
        due = _level_condition(level, now)
        condition |= due & _since_sweep(level)
        unfired |= due
    swept = [level.swept_until for level in levels if level.swept_until is not None]
    if swept:
        condition |= Q(updated_at__gt=min(swept) - sweeps.MARGIN) & unfired
    return _running(Ticket.objects.all()).filter(condition).only("pk").order_by("pk")


def _slas_for_raises(levels: list[EscalationLevel]) -> dict[int, SLA]:
    """The SLAs that can raise a priority, with what ``recompute_due_times`` reads (4 queries)."""
    ids = {
        level.sla_id for level in levels if level.action == EscalationLevel.Action.RAISE_PRIORITY
    }
    if not ids:
        return {}
    slas = (
        SLA.objects.filter(pk__in=ids)
        .select_related("holiday_list")
        .prefetch_related("targets", "working_periods", "holiday_list__holidays")
    )
    return {sla.pk: sla for sla in slas}


def _workable(levels: list[EscalationLevel], now: datetime.datetime) -> list[EscalationLevel]:
    """The levels whose time can be computed. One department's bad setting (an offset past any
    date, saved before offsets were bounded) is logged and skipped; every other level runs."""
    usable = []
    for level in levels:
        try:
            now - datetime.timedelta(minutes=level.offset_minutes)
        except (OverflowError, ValueError):
            logger.error(
                "Escalation level %s of SLA %s skipped: its offset of %s minutes is out of range",
                level.pk,
                level.sla_id,
                level.offset_minutes,
            )
            continue
        usable.append(level)
    return usable


def run(*, now: datetime.datetime) -> int:
    """Fire every escalation level that is due at ``now``; returns how many fired."""
    levels = _workable(_levels(), now)
    ticket_ids = list(candidates(now, levels).values_list("pk", flat=True))
    fired = 0
    if ticket_ids:
        fired = _escalate(ticket_ids, levels, now)
    _swept(levels, now)
    return fired


def _escalate(ticket_ids: list[int], levels: list[EscalationLevel], now) -> int:
    by_sla: dict[int, list[EscalationLevel]] = defaultdict(list)
    for level in levels:
        by_sla[level.sla_id].append(level)
    slas = _slas_for_raises(levels)
    fired = 0
    for start in range(0, len(ticket_ids), CHUNK):
        fired += _escalate_chunk(
            ticket_ids=ticket_ids[start : start + CHUNK], by_sla=by_sla, slas=slas, now=now
        )
    return fired


def _swept(levels: list[EscalationLevel], now: datetime.datetime) -> None:
    """Mark ``levels`` fired up to ``now``, unless the level's target or offset changed since it
    was read (its next run reads every ticket)."""
    if not levels:
        return
    read_as = Q()
    for level in levels:
        read_as |= Q(pk=level.pk, target=level.target, offset_minutes=level.offset_minutes)
    sweeps.mark(EscalationLevel.objects.filter(read_as), now)


@transaction.atomic
def _escalate_chunk(
    *, ticket_ids: list[int], by_sla: dict, slas: dict[int, SLA], now: datetime.datetime
) -> int:
    """Fire the due levels of the chunk's tickets, in a fixed number of queries, whatever its
    size."""
    tickets = list(lock_tickets_skipping_held(_running(Ticket.objects.filter(pk__in=ticket_ids))))
    if not tickets:
        return 0
    fired_keys: dict[int, set] = defaultdict(set)
    for ticket_id, level_id, due_at in EscalationFiring.objects.filter(
        ticket_id__in=[t.pk for t in tickets]
    ).values_list("ticket_id", "level_id", "due_at"):
        fired_keys[ticket_id].add((level_id, due_at))

    firings: list[EscalationFiring] = []
    changed: list[Ticket] = []
    acted_on: list[Ticket] = []  # reassigned or raised, not only notified about
    mails: list = []
    count = 0
    written_at = timezone.now()
    attnames = [f.attname for f in Ticket._meta.concrete_fields if f.name in ACTION_FIELDS]
    for ticket in tickets:
        before = [getattr(ticket, attname) for attname in attnames]
        if ticket.sla_id in slas:
            ticket.sla = slas[ticket.sla_id]  # the prefetched SLA: recomputing reads nothing
        try:
            reasons, ticket_firings, ticket_mails = _decide(
                ticket, by_sla.get(ticket.sla_id, []), set(fired_keys[ticket.pk]), now
            )
        except Exception:
            # One ticket's SLA that cannot be computed (a schedule saved before the bounds) is
            # logged with the ticket and left for the next run; the chunk goes on.
            logger.exception("Escalations of ticket %s (SLA %s) skipped", ticket.pk, ticket.sla_id)
            continue
        firings += ticket_firings
        mails += ticket_mails
        if reasons:
            count += len(reasons)
            reason = _("Escalation level %(levels)s") % {"levels": "; ".join(reasons)}
            ticket._change_reason = reason[:REASON_MAX]  # type: ignore[attr-defined]
            ticket.updated_at = written_at
            changed.append(ticket)
            if [getattr(ticket, attname) for attname in attnames] != before:
                acted_on.append(ticket)
    if not changed:
        return 0
    EscalationFiring.objects.bulk_create(firings)
    # One UPDATE writes the moment of every ticket that fired; only those an action changed
    # are written field by field (``bulk_update``'s CASE a field costs a millisecond a ticket
    # to build: most firings only notify).
    Ticket.objects.filter(pk__in=[ticket.pk for ticket in changed]).update(updated_at=written_at)
    if acted_on:
        Ticket.objects.bulk_update(acted_on, ACTION_FIELDS)
    # Every ticket that fired gets one history record with its reason, notices included.
    Ticket.history.bulk_history_create(changed, update=True, default_date=written_at)
    if mails:
        mail.queue(mails)
    return count


def _decide(
    ticket: Ticket, levels: list[EscalationLevel], keys: set, now: datetime.datetime
) -> tuple[list[str], list[EscalationFiring], list]:
    """What fires for ``ticket`` (changed in memory): the notes, the firings and the emails."""
    reasons: list[str] = []
    firings: list[EscalationFiring] = []
    mails: list = []
    for level in levels:
        if not _is_due(ticket, level, now):
            continue
        key = (level.pk, getattr(ticket, DUE_FIELD[level.target]))
        if key in keys:
            continue
        keys.add(key)
        firings.append(EscalationFiring(ticket=ticket, level=level, due_at=key[1]))
        reasons.append(_apply(ticket, level, mails, keys=keys, firings=firings))
    return reasons, firings, mails


def _apply(ticket: Ticket, level: EscalationLevel, mails: list, *, keys: set, firings: list) -> str:
    """Do what ``level`` says to ``ticket`` (unsaved); returns a short note for the history.

    A priority raise also records a firing for the due time it produced (added to ``keys`` and
    ``firings``), so it does not fire again for it.
    """
    Action = EscalationLevel.Action
    if level.action == Action.REASSIGN and level.reassign_to is not None:
        ticket.assignee = level.reassign_to
        ticket.assigned_at = timezone.now()
        return _("%(level)s: reassigned to %(user)s") % {
            "level": level.level,
            "user": level.reassign_to.get_username(),
        }
    if level.action == Action.RAISE_PRIORITY:
        before = ticket.priority
        ticket.priority = Priority.raised(ticket.priority)
        if ticket.priority != before:
            recompute_due_times(ticket=ticket)
            # The raise itself does not fire again for the new due time it produced.
            due_at = getattr(ticket, DUE_FIELD[level.target])
            if due_at is not None and (level.pk, due_at) not in keys:
                keys.add((level.pk, due_at))
                firings.append(EscalationFiring(ticket=ticket, level=level, due_at=due_at))
        return _("%(level)s: priority %(before)s → %(after)s") % {
            "level": level.level,
            "before": Priority(before).label,
            "after": Priority(ticket.priority).label,
        }
    messages = mail.messages_for(level.notify_users.all(), lambda: _compose(ticket, level))
    mails.extend(messages)
    return _("%(level)s: notified %(count)s") % {"level": level.level, "count": len(messages)}


def _compose(ticket: Ticket, level: EscalationLevel) -> tuple[str, str]:
    """The notice, in the active language and time zone (the reader's: see ``desk.mail``)."""
    target = level.get_target_display()
    names = {"pk": ticket.pk, "subject": " ".join(ticket.subject.split()), "level": level.level}
    if level.target == EscalationLevel.Target.RESPONSE:
        subject = _("Ticket #%(pk)s “%(subject)s”: response escalated (level %(level)s)") % names
    else:
        subject = _("Ticket #%(pk)s “%(subject)s”: resolution escalated (level %(level)s)") % names
    due = timezone.localtime(getattr(ticket, DUE_FIELD[level.target]))
    body = _(
        "Ticket #%(pk)s “%(subject)s” reached escalation level %(level)s.\n"
        "%(target)s: %(due)s (%(zone)s)."
    ) % {
        "pk": ticket.pk,
        "subject": ticket.subject,
        "level": level.level,
        "target": target,
        "due": formats.date_format(due, "DATETIME_FORMAT"),
        "zone": timezone.get_current_timezone_name(),
    }
    body += "\n\n" + _("Open the ticket: %(url)s") % {"url": mail.link_to(ticket)}
    return subject, body
