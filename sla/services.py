"""SLA clock: due times for a ticket, and how a pause moves them.

Business time is counted by ``sla.business_time`` (24×7 or a weekly schedule with holidays).
"""

import datetime

from .models import SLA


def due_times(
    *, sla: SLA | None, priority: str, start: datetime.datetime
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """First-response and resolution due times of a ticket opened at ``start``."""
    if sla is None:
        return None, None
    target = next((t for t in sla.targets.all() if t.priority == priority), None)
    if target is None:
        return None, None
    return (
        start + datetime.timedelta(minutes=target.response_minutes),
        start + datetime.timedelta(minutes=target.resolution_minutes),
    )


def paused_minutes(*, sla: SLA | None, start: datetime.datetime, end: datetime.datetime) -> int:
    """Business minutes between ``start`` and ``end`` (the time a ticket spent on hold)."""
    if sla is None or end <= start:
        return 0
    return int((end - start).total_seconds() // 60)


def shift(
    *, sla: SLA | None, due: datetime.datetime | None, minutes: int
) -> datetime.datetime | None:
    """Move a due time later by ``minutes`` of business time."""
    if sla is None or due is None or not minutes:
        return due
    return due + datetime.timedelta(minutes=minutes)
