"""Presentation of SLA times: spans of minutes, and a ticket's due times (no queries)."""

import datetime
from dataclasses import dataclass

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def minutes_span(minutes) -> str:
    """``200`` → "3 h 20 min"; days are shown for spans of a day or more, up to two units."""
    if minutes in (None, ""):
        return ""
    minutes = abs(int(minutes))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)s d") % {"n": days})
    if hours:
        parts.append(_("%(n)s h") % {"n": hours})
    if mins and not days:
        parts.append(_("%(n)s min") % {"n": mins})
    return " ".join(parts[:2]) or _("0 min")


@dataclass
class DueTime:
    kind: str  # "response" or "resolution"
    label: str
    due: datetime.datetime
    state: str  # met, missed, paused, running, overdue
    text: str


def _clock(label, kind, due, done_at, ticket, now) -> DueTime:
    if done_at is not None:
        met = done_at <= due
        return DueTime(
            kind, label, due, "met" if met else "missed", _("met") if met else _("missed")
        )
    if ticket.is_on_hold:
        return DueTime(kind, label, due, "paused", _("paused"))
    minutes = int((due - now).total_seconds() // 60)
    if minutes >= 0:
        return DueTime(
            kind, label, due, "running", _("in %(span)s") % {"span": minutes_span(minutes)}
        )
    return DueTime(
        kind, label, due, "overdue", _("overdue by %(span)s") % {"span": minutes_span(-minutes)}
    )


@register.simple_tag
def ticket_due_times(ticket, now=None) -> list[DueTime]:
    """The ticket's response and resolution due times, each with time left, overdue or met."""
    now = now or timezone.now()
    rows = []
    if ticket.response_due_at:
        done = ticket.first_responded_at
        if done is None and ticket.is_resolved:
            done = ticket.resolved_at
        rows.append(
            _clock(_("Response due"), "response", ticket.response_due_at, done, ticket, now)
        )
    if ticket.resolution_due_at:
        done = ticket.resolved_at if ticket.is_resolved else None
        rows.append(
            _clock(_("Resolution due"), "resolution", ticket.resolution_due_at, done, ticket, now)
        )
    return rows
