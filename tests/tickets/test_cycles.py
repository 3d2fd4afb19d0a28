"""Credit cycles anchored to the contract start (SPEC section 4)."""

import calendar
import datetime

from hypothesis import given
from hypothesis import strategies as st

from contracts.cycles import Cycle, cycle_containing, cycles_between

D = datetime.date


def containing(anchor, end, cycle, day):
    return cycle_containing(anchor=anchor, contract_end=end, cycle=cycle, day=day)


def test_monthly_cycles_run_from_the_start_day():
    anchor, end = D(2026, 1, 15), D(2026, 12, 31)
    assert containing(anchor, end, "monthly", D(2026, 1, 15)) == Cycle(
        D(2026, 1, 15), D(2026, 2, 14)
    )
    assert containing(anchor, end, "monthly", D(2026, 2, 14)) == Cycle(
        D(2026, 1, 15), D(2026, 2, 14)
    )
    assert containing(anchor, end, "monthly", D(2026, 2, 15)) == Cycle(
        D(2026, 2, 15), D(2026, 3, 14)
    )


def test_a_cycle_starting_on_the_31st_starts_on_the_last_day_of_shorter_months():
    anchor, end = D(2026, 1, 31), D(2027, 1, 30)
    starts = [c.start for c in cycles_between(anchor=anchor, contract_end=end, cycle="monthly")]
    assert starts[:4] == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)]


def test_leap_year_february():
    anchor, end = D(2028, 1, 31), D(2028, 12, 31)
    assert containing(anchor, end, "monthly", D(2028, 2, 29)).start == D(2028, 2, 29)
    assert containing(anchor, end, "monthly", D(2028, 2, 28)) == Cycle(
        D(2028, 1, 31), D(2028, 2, 28)
    )


def test_yearly_cycle_from_29_february():
    anchor, end = D(2028, 2, 29), D(2031, 12, 31)
    assert containing(anchor, end, "yearly", D(2029, 3, 1)) == Cycle(D(2029, 2, 28), D(2030, 2, 27))


def test_weekly_and_quarterly():
    anchor, end = D(2026, 3, 4), D(2027, 3, 3)
    assert containing(anchor, end, "weekly", D(2026, 3, 11)) == Cycle(
        D(2026, 3, 11), D(2026, 3, 17)
    )
    assert containing(anchor, end, "quarterly", D(2026, 7, 1)) == Cycle(
        D(2026, 6, 4), D(2026, 9, 3)
    )


def test_the_last_cycle_ends_with_the_contract():
    anchor, end = D(2026, 1, 15), D(2026, 3, 1)
    assert containing(anchor, end, "monthly", D(2026, 2, 20)) == Cycle(
        D(2026, 2, 15), D(2026, 3, 1)
    )


def test_days_outside_the_contract_count_in_its_first_or_last_cycle():
    anchor, end = D(2026, 1, 15), D(2026, 6, 30)
    assert containing(anchor, end, "monthly", D(2025, 12, 1)).start == anchor
    assert containing(anchor, end, "monthly", D(2027, 1, 1)).end == end


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))
cycle_kinds = st.sampled_from(["weekly", "monthly", "quarterly", "yearly"])


@given(
    anchor=dates, length=st.integers(0, 3 * 366), cycle=cycle_kinds, offset=st.integers(0, 3 * 366)
)
def test_the_day_lies_in_its_cycle_and_cycles_tile_the_contract(anchor, length, cycle, offset):
    end = anchor + datetime.timedelta(days=length)
    day = min(anchor + datetime.timedelta(days=offset), end)
    found = containing(anchor, end, cycle, day)
    assert day in found
    assert anchor <= found.start <= found.end <= end
    cycles = cycles_between(anchor=anchor, contract_end=end, cycle=cycle)
    assert found in cycles
    assert cycles[0].start == anchor and cycles[-1].end == end
    for earlier, later in zip(cycles, cycles[1:], strict=False):
        assert later.start == earlier.end + datetime.timedelta(days=1)  # no gap, no overlap


@given(anchor=dates, n=st.integers(0, 40))
def test_monthly_cycle_starts_keep_the_anchor_day_or_clamp_to_month_end(anchor, n):
    end = D(2099, 12, 31)
    starts = cycles_between(anchor=anchor, contract_end=end, cycle="monthly")
    start = starts[n].start
    last_day = calendar.monthrange(start.year, start.month)[1]
    assert start.day == min(anchor.day, last_day)
