"""Sweeps: how far the scheduled work has read (issue 21).

An escalation level and a time-based rule each keep ``swept_until``: the moment a run evaluated
it for every ticket. The next run reads only the tickets whose time came since then, or that
were written since then, each less ``MARGIN``. ``mark`` moves the moment on, never back.
"""

import datetime

from django.db.models import Q, QuerySet

# How far before its last sweep a run looks again: an edit saved just before a run read the
# tickets and committed after it, a ticket an edit or another run held while the last run locked
# it, are read by the runs within this time.
MARGIN = datetime.timedelta(minutes=10)


def mark(records: QuerySet, now: datetime.datetime) -> None:
    """Mark ``records`` (escalation levels, rules) swept up to ``now`` in one UPDATE, unless a
    later run did already."""
    records.filter(Q(swept_until__isnull=True) | Q(swept_until__lt=now)).update(swept_until=now)
