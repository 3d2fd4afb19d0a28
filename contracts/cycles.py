"""Credit cycle arithmetic (SPEC section 4). Pure functions of dates; no database.

Cycles are anchored to the contract's start date and counted from it, never chained, so a
monthly contract starting on 31 January has cycles starting 31 Jan, 28/29 Feb, 31 Mar, 30 Apr, …
(a cycle starting on the 31st starts on the last day of shorter months). The last cycle ends with
the contract; a contract without an end date has cycles from its start for ever.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

ONE_DAY = datetime.timedelta(days=1)

STEPS = {
    "weekly": relativedelta(weeks=1),
    "monthly": relativedelta(months=1),
    "quarterly": relativedelta(months=3),
    "yearly": relativedelta(years=1),
}


@dataclass(frozen=True)
class Cycle:
    start: datetime.date
    end: datetime.date

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def _nth_start(anchor: datetime.date, cycle: str, n: int) -> datetime.date:
    return anchor + STEPS[cycle] * n


def cycle_containing(
    *, anchor: datetime.date, contract_end: datetime.date | None, cycle: str, day: datetime.date
) -> Cycle:
    """The cycle of a contract (start ``anchor``, end ``contract_end``) that contains ``day``.

    A day before the contract starts counts in the first cycle, a day after it ends in the last.
    Without an end date (``None``) the cycles run on from the start indefinitely.
    """
    day = max(day, anchor)
    if contract_end is not None:
        day = min(day, contract_end)
    if cycle == "weekly":
        n = (day - anchor).days // 7
    else:
        step_months = STEPS[cycle].months + 12 * STEPS[cycle].years
        n = ((day.year - anchor.year) * 12 + day.month - anchor.month) // step_months
    while n > 0 and _nth_start(anchor, cycle, n) > day:
        n -= 1
    while _nth_start(anchor, cycle, n + 1) <= day:
        n += 1
    start = _nth_start(anchor, cycle, n)
    end = _nth_start(anchor, cycle, n + 1) - ONE_DAY
    if contract_end is not None:
        end = min(end, contract_end)
    return Cycle(start, end)


def cycles_between(
    *,
    anchor: datetime.date,
    contract_end: datetime.date | None,
    cycle: str,
    until: datetime.date | None = None,
) -> list[Cycle]:
    """Every cycle of the contract, in order, that starts on or before ``until`` if given.

    A contract without an end date has endless cycles: ``until`` is then required.
    """
    last_day = contract_end if until is None else until
    if last_day is None:
        raise ValueError("cycles_between() needs until= for a contract without an end date")
    if contract_end is not None:
        last_day = min(last_day, contract_end)
    cycles = []
    n = 0
    while (start := _nth_start(anchor, cycle, n)) <= last_day:
        end = _nth_start(anchor, cycle, n + 1) - ONE_DAY
        if contract_end is not None:
            end = min(end, contract_end)
        cycles.append(Cycle(start, end))
        n += 1
    return cycles
