"""Escalation runs: fire each due escalation level of each open ticket once.

Safe to run every minute from cron. A level fires for a ticket when its time (the target's due
time plus the level's offset, in real minutes) has come and no ``EscalationFiring`` exists for
that ticket, level and due time; the firing row (unique) makes a second run do nothing. When a
due time moves (pause, priority or SLA change), the levels can fire again for the new due time.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from tickets.choices import Priority, Status
from tickets.models import EscalationFiring, Ticket

from .models import EscalationLevel
from .services import recompute_due_times

logger = logging.getLogger(__name__)

DUE_FIELD = {
    EscalationLevel.Target.RESPONSE: "response_due_at",
    EscalationLevel.Target.RESOLUTION: "resolution_due_at",
}
# simple_history keeps at most 100 characters of a change reason.
REASON_MAX = 100


def _levels() -> list[EscalationLevel]:
    return list(
        EscalationLevel.objects.select_related("reassign_to")
        .prefetch_related("notify_users")
        .order_by("sla_id", "level")
    )


def _level_condition(level: EscalationLevel, now: datetime.datetime) -> Q:
    """Tickets of ``level``'s SLA for which ``level`` is due and has not fired for that due time."""
    due_field = DUE_FIELD[level.target]
    condition = Q(sla_id=level.sla_id) & Q(
        **{f"{due_field}__lte": now - datetime.timedelta(minutes=level.offset_minutes)}
    )
    if level.target == EscalationLevel.Target.RESPONSE:
        condition &= Q(first_responded_at__isnull=True)
    fired = EscalationFiring.objects.filter(
        ticket=OuterRef("pk"), level_id=level.pk, due_at=OuterRef(due_field)
    )
    return condition & ~Exists(fired)


def _is_due(ticket: Ticket, level: EscalationLevel, now: datetime.datetime) -> bool:
    due = getattr(ticket, DUE_FIELD[level.target])
    if due is None or ticket.sla_id != level.sla_id:
        return False
    if level.target == EscalationLevel.Target.RESPONSE and ticket.first_responded_at:
        return False
    return due + datetime.timedelta(minutes=level.offset_minutes) <= now


def candidates(now: datetime.datetime, levels: list[EscalationLevel]):
    """One query: open, running tickets with at least one level due and not yet fired."""
    if not levels:
        return Ticket.objects.none()
    condition = Q()
    for level in levels:
        condition |= _level_condition(level, now)
    return (
        Ticket.objects.exclude(status__in=Status.resolved_kinds() | Status.on_hold_kinds())
        .filter(sla__isnull=False)
        .filter(condition)
        .only("pk")
        .order_by("pk")
    )


def run(*, now: datetime.datetime) -> int:
    """Fire every escalation level that is due at ``now``; returns how many fired."""
    levels = _levels()
    by_sla: dict[int, list[EscalationLevel]] = {}
    for level in levels:
        by_sla.setdefault(level.sla_id, []).append(level)
    fired = 0
    for ticket_id in candidates(now, levels).values_list("pk", flat=True).iterator():
        fired += _escalate(ticket_id=ticket_id, by_sla=by_sla, now=now)
    return fired


@transaction.atomic
def _escalate(*, ticket_id: int, by_sla: dict, now: datetime.datetime) -> int:
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("sla").get(pk=ticket_id)
    if ticket.is_resolved or ticket.is_on_hold or ticket.sla_id is None:
        return 0
    reasons = []
    mails = []
    count = 0
    for level in by_sla.get(ticket.sla_id, []):
        if not _is_due(ticket, level, now):
            continue
        due_at = getattr(ticket, DUE_FIELD[level.target])
        __, created = EscalationFiring.objects.get_or_create(
            ticket=ticket, level=level, due_at=due_at
        )
        if not created:
            continue
        count += 1
        reasons.append(_apply(ticket, level, mails))
    if not count:
        return 0
    ticket._change_reason = _("Escalation level %(levels)s") % {"levels": "; ".join(reasons)}
    ticket._change_reason = ticket._change_reason[:REASON_MAX]
    ticket.save()
    if mails:
        transaction.on_commit(lambda: _send(mails))
    return count


def _apply(ticket: Ticket, level: EscalationLevel, mails: list) -> str:
    """Do what ``level`` says to ``ticket`` (unsaved); returns a short note for the history."""
    Action = EscalationLevel.Action
    if level.action == Action.REASSIGN and level.reassign_to is not None:
        ticket.assignee = level.reassign_to
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
            if due_at is not None:
                EscalationFiring.objects.get_or_create(ticket=ticket, level=level, due_at=due_at)
        return _("%(level)s: priority %(before)s → %(after)s") % {
            "level": level.level,
            "before": before,
            "after": ticket.priority,
        }
    recipients = [u.email for u in level.notify_users.all() if u.is_active and u.email]
    if recipients:
        subject = _("Escalation: ticket #%(pk)s %(target)s") % {
            "pk": ticket.pk,
            "target": level.get_target_display(),
        }
        due = getattr(ticket, DUE_FIELD[level.target])
        body = _(
            "Ticket #%(pk)s “%(subject)s” reached escalation level %(level)s.\n"
            "%(target)s: %(due)s (UTC)."
        ) % {
            "pk": ticket.pk,
            "subject": ticket.subject,
            "level": level.level,
            "target": level.get_target_display(),
            "due": due.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
        }
        # One message per person: recipients do not see each other's addresses.
        mails.extend((subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients)
    return _("%(level)s: notified %(count)s") % {"level": level.level, "count": len(recipients)}


def _send(mails: list) -> None:
    try:
        send_mass_mail(mails, fail_silently=False)
    except Exception:  # the firing is recorded; a mail server outage must not undo it
        logger.exception("escalation notices could not be sent")
