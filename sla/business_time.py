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
WEEK_MINUTES = 7 * 24 * 60
# No schedule leaves more than this many consecutive days without business time.
MAX_EMPTY_DAYS = 3660
# How far ahead the clock counts, in days: 25 years. The SLA settings accept at most 10 years of a
# schedule's business hours (``sla.services``); holidays and time on hold take up the rest. Past
# the horizon the arithmetic stops, in bounded time, with ``BeyondHorizon``.
HORIZON_DAYS = 25 * 366


class BeyondHorizon(ValueError):
    """The business time asked for does not fit within ``HORIZON_DAYS`` of the calendar."""


def weekly_minutes(periods: Iterable[tuple[int, datetime.time, datetime.time]] | None) -> int:
    """Business minutes in a week of wall-clock time: ``periods`` as :class:`Calendar` takes
    them (``None`` for 24×7); overlapping periods of a day count once."""
    if periods is None:
        return WEEK_MINUTES
    by_day: dict[int, list[tuple[int, int]]] = {}
    for weekday, opens, closes in periods:
        by_day.setdefault(weekday, []).append(
            (opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute)
        )
    total = 0
    for day_periods in by_day.values():
        reached = 0
        for start, end in sorted(day_periods):
            start = max(start, reached)
            if end > start:
                total += end - start
                reached = end
    return total


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

    def weekly_minutes(self) -> int:
        """Business minutes in a week of wall-clock time, holidays aside."""
        if self.always:
            return WEEK_MINUTES
        return weekly_minutes(
            (weekday, start, end) for weekday, pairs in self.weekly.items() for start, end in pairs
        )

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

    def _days_from(self, moment: datetime.datetime, step: datetime.timedelta = ONE_DAY):
        """The business stretches of each local date from ``moment`` on (``step`` of minus one
        day: back, latest first), for at most ``HORIZON_DAYS`` days (then ``BeyondHorizon``)."""
        day = moment.astimezone(self.zone).date()
        # A period of the previous local date never reaches past midnight, but start one day
        # early anyway so that an instant in a repeated (fall-back) hour is never skipped.
        day -= step
        empty = 0
        try:
            for _ in range(HORIZON_DAYS + 2):
                intervals = self.intervals_on(day)
                empty = 0 if intervals else empty + 1
                if empty > MAX_EMPTY_DAYS:
                    raise BeyondHorizon(f"{self!r} has no business time for {empty} days")
                yield day, intervals
                day += step
        except OverflowError as error:  # the end of the calendar (year 9999) came first
            raise BeyondHorizon(f"{self!r}: past the last date from {moment}") from error
        raise BeyondHorizon(f"{self!r}: past the horizon of {HORIZON_DAYS} days from {moment}")

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
        """The earliest instant by which ``minutes`` of business time have passed from ``start``.

        Raises ``BeyondHorizon`` if that instant lies more than ``HORIZON_DAYS`` ahead.
        """
        start = _aware(start)
        if minutes <= 0:
            return start
        if minutes > HORIZON_DAYS * 24 * 60:
            raise BeyondHorizon(f"{minutes} minutes is past the horizon of {HORIZON_DAYS} days")
        left = datetime.timedelta(minutes=minutes)
        if self.always and not self.holidays:
            try:
                return start + left
            except OverflowError as error:
                raise BeyondHorizon(
                    f"{start} plus {minutes} minutes is past the calendar"
                ) from error
        for _day, intervals in self._days_from(start):
            for begin, end in intervals:
                if end <= start:
                    continue
                begin = max(begin, start)
                if end - begin >= left:
                    return begin + left
                left -= end - begin
        raise AssertionError("unreachable")  # pragma: no cover

    def subtract(self, end: datetime.datetime, minutes: int) -> datetime.datetime:
        """The latest instant from which ``minutes`` of business time have passed by ``end``:
        ``add`` backwards. Raises ``BeyondHorizon`` past ``HORIZON_DAYS`` before ``end``."""
        end = _aware(end)
        if minutes <= 0:
            return end
        if minutes > HORIZON_DAYS * 24 * 60:
            raise BeyondHorizon(f"{minutes} minutes is past the horizon of {HORIZON_DAYS} days")
        left = datetime.timedelta(minutes=minutes)
        if self.always and not self.holidays:
            try:
                return end - left
            except OverflowError as error:
                raise BeyondHorizon(f"{end} less {minutes} minutes: before the calendar") from error
        for _day, intervals in self._days_from(end, -ONE_DAY):
            for begin, stop in reversed(intervals):
                if begin >= end:
                    continue
                stop = min(stop, end)
                if stop - begin >= left:
                    return stop - left
                left -= stop - begin
        raise AssertionError("unreachable")  # pragma: no cover

    def minutes_between(self, a: datetime.datetime, b: datetime.datetime) -> int:
        """Whole minutes of business time from ``a`` to ``b`` (0 when ``b`` is not after ``a``).

        Raises ``BeyondHorizon`` if ``b`` lies more than ``HORIZON_DAYS`` after ``a``.
        """
        a, b = _aware(a), _aware(b)
        if b <= a:
            return 0
        if self.always and not self.holidays:
            return int((b - a).total_seconds() // 60)
        if b - a > datetime.timedelta(days=HORIZON_DAYS):
            raise BeyondHorizon(f"{a} to {b} is past the horizon of {HORIZON_DAYS} days")
        total = datetime.timedelta()
        last_day = b.astimezone(self.zone).date()
        for day, intervals in self._days_from(a):
            if day > last_day:  # its stretches all begin after b
                return int(total.total_seconds() // 60)
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
