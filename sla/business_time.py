"""Business-time arithmetic: pure Python, no ORM.

A :class:`Calendar` knows when the clock runs: always (24×7) or during weekly periods given in
local wall-clock time of one time zone, minus whole-day holidays (local dates). Business time is
real elapsed time inside those stretches, so a period on a daylight-saving day is as long as the
clock says it is (09:00–17:00 is 8 hours on either side of a change; a 24×7 day around a change
is 23 or 25 hours).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable

UTC = datetime.UTC
ONE_DAY = datetime.timedelta(days=1)
# No schedule leaves more than this many consecutive days without business time.
MAX_EMPTY_DAYS = 3660


class Calendar:
    """When an SLA's clock runs.

    ``periods``: ``(weekday, start, end)`` tuples (Monday = 0, local ``datetime.time``), or
    ``None`` for 24×7. ``holidays``: local dates on which the clock does not run at all.
    """

    def __init__(
        self,
        *,
        time_zone: str = "UTC",
        periods: Iterable[tuple[int, datetime.time, datetime.time]] | None = None,
        holidays: Iterable[datetime.date] = (),
    ):
        self.zone = zoneinfo.ZoneInfo(time_zone)
        self.always = periods is None
        self.weekly: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
        for weekday, start, end in periods or ():
            if not 0 <= weekday <= 6 or end <= start:
                raise ValueError(f"bad business period {weekday} {start}–{end}")
            self.weekly.setdefault(weekday, []).append((start, end))
        for day_periods in self.weekly.values():
            day_periods.sort()
        if not self.always and not self.weekly:
            raise ValueError("a weekly schedule needs at least one period")
        self.holidays = frozenset(holidays)
        self._cache: dict[datetime.date, list[tuple[datetime.datetime, datetime.datetime]]] = {}

    def __repr__(self):
        hours = "24x7" if self.always else self.weekly
        return f"Calendar({self.zone.key}, {hours}, {len(self.holidays)} holidays)"

    # -- the stretches of business time ---------------------------------------------------------

    def _local(self, day: datetime.date, at: datetime.time) -> datetime.datetime:
        return datetime.datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)

    def intervals_on(self, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """The business stretches of one local date, as UTC ``(start, end)`` pairs in order."""
        if day in self._cache:
            return self._cache[day]
        intervals: list[tuple[datetime.datetime, datetime.datetime]] = []
        if day not in self.holidays:
            if self.always:
                pairs = [
                    (self._local(day, datetime.time()), self._local(day + ONE_DAY, datetime.time()))
                ]
            else:
                pairs = [
                    (self._local(day, s), self._local(day, e))
                    for s, e in self.weekly.get(day.weekday(), ())
                ]
            last_end = None
            for start, end in pairs:
                if last_end is not None and start < last_end:
                    start = last_end  # overlapping periods count once
                if end > start:
                    intervals.append((start, end))
                    last_end = end
        self._cache[day] = intervals
        return intervals

    def _days_from(self, moment: datetime.datetime):
        day = moment.astimezone(self.zone).date()
        # A period of the previous local date never reaches past midnight, but start one day
        # early anyway so that an instant in a repeated (fall-back) hour is never skipped.
        day -= ONE_DAY
        empty = 0
        while True:
            intervals = self.intervals_on(day)
            empty = 0 if intervals else empty + 1
            if empty > MAX_EMPTY_DAYS:
                raise ValueError("the calendar has no business time ahead")
            yield intervals
            day += ONE_DAY

    # -- arithmetic -----------------------------------------------------------------------------

    def is_business_time(self, moment: datetime.datetime) -> bool:
        """Whether the clock runs at ``moment`` (start inclusive, end exclusive)."""
        moment = _aware(moment)
        local_day = moment.astimezone(self.zone).date()
        for day in (local_day - ONE_DAY, local_day):
            if any(start <= moment < end for start, end in self.intervals_on(day)):
                return True
        return False

    def add(self, start: datetime.datetime, minutes: int) -> datetime.datetime:
        """The earliest instant by which ``minutes`` of business time have passed from ``start``."""
        start = _aware(start)
        if minutes <= 0:
            return start
        left = datetime.timedelta(minutes=minutes)
        if self.always and not self.holidays:
            return start + left
        for intervals in self._days_from(start):
            for begin, end in intervals:
                if end <= start:
                    continue
                begin = max(begin, start)
                if end - begin >= left:
                    return begin + left
                left -= end - begin
        raise AssertionError("unreachable")  # pragma: no cover

    def minutes_between(self, a: datetime.datetime, b: datetime.datetime) -> int:
        """Whole minutes of business time from ``a`` to ``b`` (0 when ``b`` is not after ``a``)."""
        a, b = _aware(a), _aware(b)
        if b <= a:
            return 0
        if self.always and not self.holidays:
            return int((b - a).total_seconds() // 60)
        total = datetime.timedelta()
        for intervals in self._days_from(a):
            for begin, end in intervals:
                if begin >= b:
                    return int(total.total_seconds() // 60)
                overlap = min(end, b) - max(begin, a)
                if overlap > datetime.timedelta():
                    total += overlap
        raise AssertionError("unreachable")  # pragma: no cover


def _aware(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        raise ValueError("business time needs aware datetimes")
    return moment.astimezone(UTC)
