"""Presentation of SLA times: spans of minutes, and a ticket's due times (no queries)."""

import datetime
from dataclasses import dataclass

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from sla import clock

register = template.Library()


@register.filter
def minutes_span(minutes) -> str:
    """``200`` → "3 h 20 min", ``2880`` → "48 h": hours and minutes, as targets are entered.

    Never days: a target counts business minutes, and "2 d" of an 8-hour business day would read
    as 48 hours."""
    if minutes in (None, ""):
        return ""
    hours, mins = divmod(abs(int(minutes)), 60)
    parts = []
    if hours:
        parts.append(_("%(n)s h") % {"n": hours})
    if mins:
        parts.append(_("%(n)s min") % {"n": mins})
    return " ".join(parts) or _("0 min")


@dataclass(frozen=True)
class DueTime:
    kind: str  # "response" or "resolution"
    label: str
    due: datetime.datetime
    state: str  # a clock.DueState: met, missed, paused, running, overdue
    text: str


def _text(row: clock.DueRow) -> str:
    if row.state == clock.DueState.RUNNING:
        return _("in %(span)s") % {"span": minutes_span(row.minutes_left)}
    if row.state == clock.DueState.OVERDUE:
        return _("overdue by %(span)s") % {"span": minutes_span(-row.minutes_left)}
    return str(clock.DueState(row.state).label)


@register.simple_tag
def ticket_due_times(ticket, now=None) -> list[DueTime]:
    """The ticket's response and resolution due times, each with time left, overdue or met
    (their states are ``sla.clock``'s)."""
    rows = clock.due_rows(ticket, now or timezone.now())
    return [DueTime(row.kind, str(row.label), row.due, row.state, _text(row)) for row in rows]
