"""Business-time arithmetic finishes in bounded time: past ``HORIZON_DAYS`` it stops with
``BeyondHorizon`` (a ``ValueError``) instead of walking day after day for years."""

import datetime
import time

import pytest

from sla.business_time import (
    HORIZON_DAYS,
    WEEK_MINUTES,
    BeyondHorizon,
    Calendar,
    weekly_minutes,
)

UTC = datetime.UTC
START = datetime.datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # a Monday
NINE, NINE_01 = datetime.time(9, 0), datetime.time(9, 1)
ONE_MINUTE_ON_MONDAYS = [(0, NINE, NINE_01)]


def test_weekly_minutes_of_a_schedule():
    nine_to_six = [(day, datetime.time(9), datetime.time(18)) for day in range(5)]
    assert weekly_minutes(None) == WEEK_MINUTES == 10_080
    assert weekly_minutes(nine_to_six) == 5 * 9 * 60
    assert weekly_minutes(ONE_MINUTE_ON_MONDAYS) == 1
    overlapping = [
        (2, datetime.time(8), datetime.time(12)),
        (2, datetime.time(11), datetime.time(13)),
    ]
    assert weekly_minutes(overlapping) == 5 * 60  # 08:00–13:00, the overlap counted once
    assert weekly_minutes([(2, datetime.time(8), datetime.time(12))] * 2) == 4 * 60


def test_ten_years_of_a_sparse_schedule_are_within_the_horizon():
    calendar = Calendar(periods=ONE_MINUTE_ON_MONDAYS)
    due = calendar.add(START, 520)
    assert due.date() == (START + datetime.timedelta(weeks=519)).date()
    assert calendar.minutes_between(START, due) == 520


def test_a_year_of_a_one_minute_week_stops_at_the_horizon_quickly():
    # A target of 35,791,394 hours on this schedule once took 11 s and then answered 500.
    calendar = Calendar(periods=ONE_MINUTE_ON_MONDAYS)
    began = time.monotonic()
    for minutes in (525_600, 35_791_394 * 60):
        with pytest.raises(BeyondHorizon):
            calendar.add(START, minutes)
    assert time.monotonic() - began < 5
    assert issubclass(BeyondHorizon, ValueError)


def test_holidays_as_far_as_the_horizon_stop_there():
    every_day = [START.date() + datetime.timedelta(days=n) for n in range(HORIZON_DAYS + 10)]
    calendar = Calendar(holidays=every_day[:10])
    assert calendar.add(START, 60) == datetime.datetime(2026, 3, 19, 1, 0, tzinfo=UTC)
    with pytest.raises(BeyondHorizon):
        Calendar(holidays=every_day).add(START, 60)


def test_24x7_past_the_horizon_or_the_calendar_stops_too():
    always = Calendar()
    assert always.add(START, HORIZON_DAYS * 24 * 60) == START + datetime.timedelta(
        days=HORIZON_DAYS
    )
    with pytest.raises(BeyondHorizon):
        always.add(START, HORIZON_DAYS * 24 * 60 + 1)
    near_the_end = datetime.datetime(9999, 12, 1, tzinfo=UTC)
    with pytest.raises(BeyondHorizon):
        always.add(near_the_end, 60 * 24 * 365)
    with pytest.raises(BeyondHorizon):
        Calendar(periods=ONE_MINUTE_ON_MONDAYS).add(near_the_end, 60)


def test_minutes_between_counts_up_to_the_horizon_and_refuses_beyond():
    calendar = Calendar(periods=ONE_MINUTE_ON_MONDAYS)
    assert calendar.minutes_between(START, START + datetime.timedelta(weeks=52)) == 52
    with pytest.raises(BeyondHorizon):
        calendar.minutes_between(START, START + datetime.timedelta(days=HORIZON_DAYS + 1))


def test_a_calendar_knows_its_weekly_minutes():
    assert Calendar().weekly_minutes() == WEEK_MINUTES
    assert Calendar(periods=ONE_MINUTE_ON_MONDAYS).weekly_minutes() == 1
