import datetime
import zoneinfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sla.business_time import Calendar

UTC = datetime.UTC
NINE, SIX_PM = datetime.time(9), datetime.time(18)
WEEKDAYS = [(day, NINE, SIX_PM) for day in range(5)]


def local(zone, *args):
    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone))


def test_issue_example_friday_evening_high_ticket():
    """High: 1 h response, 8 h resolution; Mon–Fri 09:00–18:00 Asia/Shanghai."""
    calendar = Calendar(time_zone="Asia/Shanghai", periods=WEEKDAYS)
    created = local("Asia/Shanghai", 2026, 3, 6, 17, 30)  # a Friday
    assert calendar.add(created, 60) == local("Asia/Shanghai", 2026, 3, 9, 9, 30)
    assert calendar.add(created, 8 * 60) == local("Asia/Shanghai", 2026, 3, 9, 16, 30)


def test_issue_example_with_monday_holiday():
    calendar = Calendar(
        time_zone="Asia/Shanghai", periods=WEEKDAYS, holidays=[datetime.date(2026, 3, 9)]
    )
    created = local("Asia/Shanghai", 2026, 3, 6, 17, 30)
    assert calendar.add(created, 60) == local("Asia/Shanghai", 2026, 3, 10, 9, 30)
    assert calendar.add(created, 8 * 60) == local("Asia/Shanghai", 2026, 3, 10, 16, 30)


def test_weekly_schedule_needs_a_period():
    with pytest.raises(ValueError):
        Calendar(time_zone="UTC", periods=[])


def test_new_york_spring_forward_keeps_local_opening_hours():
    calendar = Calendar(time_zone="America/New_York", periods=WEEKDAYS)
    friday = local("America/New_York", 2024, 3, 8, 17, 0)  # clocks go forward Sun 10 March
    assert calendar.add(friday, 2 * 60) == local("America/New_York", 2024, 3, 11, 10, 0)
    assert calendar.minutes_between(friday, local("America/New_York", 2024, 3, 11, 10, 0)) == 120


def test_24x7_day_across_dst_is_real_elapsed_time():
    calendar = Calendar(time_zone="Europe/Berlin", holidays=[datetime.date(2024, 3, 30)])
    start = local("Europe/Berlin", 2024, 3, 29, 12, 0)
    # Saturday 30 March is a holiday; Sunday 31 March has 23 hours (clocks go forward).
    end = calendar.add(start, 12 * 60 + 23 * 60 + 60)
    assert end == local("Europe/Berlin", 2024, 4, 1, 1, 0)


ZONES = st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin"])
STARTS = st.datetimes(
    min_value=datetime.datetime(2023, 1, 1), max_value=datetime.datetime(2026, 12, 31)
).map(lambda d: d.replace(tzinfo=UTC))
MINUTES = st.integers(min_value=0, max_value=60 * 24 * 20)


@st.composite
def calendars(draw):
    zone = draw(ZONES)
    if draw(st.booleans()):
        periods = None
    else:
        days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True))
        periods = []
        for day in days:
            start = draw(st.integers(0, 22 * 60))
            end = draw(st.integers(start + 1, 23 * 60 + 59))
            periods.append(
                (day, datetime.time(*divmod(start, 60)), datetime.time(*divmod(end, 60)))
            )
    holidays = draw(
        st.lists(st.dates(datetime.date(2023, 1, 1), datetime.date(2027, 1, 31)), max_size=40)
    )
    return Calendar(time_zone=zone, periods=periods, holidays=holidays)


def reachable(calendar: Calendar, minutes: int) -> bool:
    """Whether an SLA may ask ``minutes`` of the calendar: at most 10 years of its business hours
    (``sla.services``); a one-minute week reaches no further than its horizon (``test_horizon``)."""
    return minutes <= calendar.weekly_minutes() * 52 * 10


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), start=STARTS, minutes=MINUTES)
def test_add_then_measure_round_trips(calendar, start, minutes):
    assume(reachable(calendar, minutes))
    assert calendar.minutes_between(start, calendar.add(start, minutes)) == minutes


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), start=STARTS, minutes=st.integers(1, 60 * 24 * 20))
def test_result_lands_in_business_time_never_on_a_holiday_or_closed_day(calendar, start, minutes):
    assume(reachable(calendar, minutes))
    due = calendar.add(start, minutes)
    assert due > start
    last_second = due - datetime.timedelta(microseconds=1)
    # The last instant counted was business time: a working day, inside opening hours.
    assert calendar.is_business_time(last_second)
    local_day = last_second.astimezone(calendar.zone).date()
    assert local_day not in calendar.holidays
    if not calendar.always:
        assert local_day.weekday() in calendar.weekly


def test_subtracting_walks_back_over_the_weekend_and_the_holiday():
    calendar = Calendar(
        time_zone="Asia/Shanghai", periods=WEEKDAYS, holidays=[datetime.date(2026, 3, 9)]
    )
    tuesday = local("Asia/Shanghai", 2026, 3, 10, 9, 30)
    assert calendar.subtract(tuesday, 60) == local("Asia/Shanghai", 2026, 3, 6, 17, 30)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), end=STARTS, minutes=st.integers(1, 60 * 24 * 20))
def test_subtract_is_the_latest_start_with_that_much_business_time(calendar, end, minutes):
    assume(reachable(calendar, minutes))
    start = calendar.subtract(end, minutes)
    assert calendar.minutes_between(start, end) == minutes
    # The latest: the clock runs from it on, so any later start has had less by ``end``.
    assert calendar.is_business_time(start)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), start=STARTS, a=MINUTES, b=MINUTES)
def test_adding_in_two_steps_equals_adding_once(calendar, start, a, b):
    assume(reachable(calendar, a + b))
    assert calendar.add(calendar.add(start, a), b) == calendar.add(start, a + b)


@settings(max_examples=100, deadline=None)
@given(zone=ZONES, start=STARTS, minutes=MINUTES)
def test_24x7_without_holidays_is_wall_clock_elapsed_time(zone, start, minutes):
    calendar = Calendar(time_zone=zone)
    assert calendar.add(start, minutes) == start + datetime.timedelta(minutes=minutes)


@settings(max_examples=100, deadline=None)
@given(
    zone=st.sampled_from(["America/New_York", "Europe/Berlin"]),
    day=st.dates(datetime.date(2023, 1, 1), datetime.date(2026, 12, 31)),
    minutes=st.integers(0, 8 * 60),
)
def test_dst_zones_keep_local_office_hours(zone, day, minutes):
    """Whatever the UTC offset that day, 09:00 local + m minutes of a 09:00–17:00 day is local."""
    calendar = Calendar(time_zone=zone, periods=[(d, NINE, datetime.time(17)) for d in range(7)])
    opening = datetime.datetime.combine(day, NINE, tzinfo=zoneinfo.ZoneInfo(zone))
    due = calendar.add(opening, minutes).astimezone(zoneinfo.ZoneInfo(zone))
    assert due.date() == day
    assert (
        due.time()
        == (datetime.datetime.combine(day, NINE) + datetime.timedelta(minutes=minutes)).time()
    )
