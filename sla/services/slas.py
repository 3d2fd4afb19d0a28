"""Writes to SLAs: targets, business hours, escalation levels, activation and deletion.

The clock these settings drive (due times, pauses, a ticket's SLA state) is ``sla.clock``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from desk.access import (
    MANAGE_AUTOMATION,
    require_department,
    require_permission,
)
from desk.choices import Priority
from desk.integrity import duplicates_refused

from ..business_time import weekly_minutes
from ..locks import lock_department_slas, lock_sla
from ..models import SLA, EscalationLevel, SLATarget, WorkingPeriod

# A target, and an escalation level's time before or after it, is at most a year.
MAX_TARGET_MINUTES = 365 * 24 * 60  # 525,600
MAX_TARGET_HOURS = MAX_TARGET_MINUTES // 60  # 8,760
MAX_OFFSET_MINUTES = MAX_TARGET_MINUTES
# ... and at most this many years of the schedule's business hours, so that a sparse schedule
# (an hour a week) still reaches its due times within the clock's horizon (``business_time``).
SCHEDULE_YEARS = 10

TARGET_MISSING = _("Enter a time.")
TARGET_NEGATIVE = _("The time cannot be negative.")
RESPONSE_ZERO = _("The response time must be longer than zero.")
RESPONSE_AFTER_RESOLUTION = _("The response time cannot exceed the resolution time.")
SCHEDULE_EMPTY = _("A weekly schedule needs business hours on at least one day.")
PERIOD_INCOMPLETE = _("Enter both the start and the end time, or neither.")
PERIOD_END_BEFORE_START = _("Business hours must end after they start.")
PERIODS_OVERLAP = _("This period overlaps another one of the same day.")
LEVEL_NEEDS_AGENT = _("Escalation level %(level)s: choose the agent to reassign to.")
LEVEL_NEEDS_USERS = _("Escalation level %(level)s: choose at least one user to notify.")
DEPARTMENT_LOCKED = _("This SLA is used by support plans, so it cannot move to another department.")
SLA_IN_USE = ngettext_lazy(
    "This SLA is used by %(count)s support plan and cannot be deleted. Deactivate it instead.",
    "This SLA is used by %(count)s support plans and cannot be deleted. Deactivate it instead.",
    "count",
)
SLA_HAS_TICKETS = _("Tickets follow this SLA, so it cannot be deleted. Deactivate it instead.")
TARGET_TOO_LONG = _("Enter a time of at most %(limit_value)s hours (one year).")
TARGET_BEYOND_SCHEDULE = _(
    "Enter a time of at most %(hours)s h %(minutes)s min: %(years)s years of this schedule's "
    "business hours."
)
OFFSET_TOO_LONG = _("Enter at most %(limit_value)s minutes (one year).")
DEFAULT_NEEDS_ACTIVE = _("Only an active SLA can be the department's default: reactivate it first.")
LEVEL_OFFSET_TOO_LONG = _("Escalation level %(level)s: enter at most %(limit)s minutes (one year).")
REASON_MAX = 100


@dataclass
class LevelInput:
    """One escalation level as entered; levels are numbered 1, 2, … in the order given."""

    target: str
    offset_minutes: int
    action: str
    notify_users: Iterable = field(default_factory=list)
    reassign_to: Any = None


# -- writes --------------------------------------------------------------------------------------


def _day_key(weekday: int) -> str:
    return WorkingPeriod.Weekday(weekday).name.lower()


def target_limit(business_hours: str, periods: list | None) -> tuple[int, ValidationError]:
    """The longest target the schedule takes, in minutes, and the message that names it: a year,
    or ``SCHEDULE_YEARS`` years of a sparse schedule's business hours (``periods``: the clean
    weekly periods; ``None`` when they are not known, for they have errors)."""
    year = ValidationError(TARGET_TOO_LONG, params={"limit_value": MAX_TARGET_HOURS})
    if business_hours != SLA.BusinessHours.WEEKLY or not periods:
        return MAX_TARGET_MINUTES, year
    limit = weekly_minutes(periods) * 52 * SCHEDULE_YEARS
    if limit >= MAX_TARGET_MINUTES:
        return MAX_TARGET_MINUTES, year
    hours, minutes = divmod(limit, 60)
    params = {"hours": hours, "minutes": minutes, "years": SCHEDULE_YEARS}
    return limit, ValidationError(TARGET_BEYOND_SCHEDULE, params=params)


def _check_targets(
    targets: Mapping[str, tuple[int | None, int | None]],
    errors: dict,
    *,
    business_hours: str,
    periods: list | None,
) -> None:
    most, too_long = target_limit(business_hours, periods)
    for priority in Priority.values:
        response, resolution = targets.get(priority, (None, None))
        for kind, value in (("response", response), ("resolution", resolution)):
            if value is None:
                errors.setdefault(f"{priority}_{kind}", []).append(TARGET_MISSING)
            elif value < 0:
                errors.setdefault(f"{priority}_{kind}", []).append(TARGET_NEGATIVE)
            elif value > most:
                errors.setdefault(f"{priority}_{kind}", []).append(too_long)
        if response is not None and response == 0:
            errors.setdefault(f"{priority}_response", []).append(RESPONSE_ZERO)
        if (
            response is not None
            and resolution is not None
            and response >= 0
            and resolution >= 0
            and response > resolution
        ):
            errors.setdefault(f"{priority}_response", []).append(RESPONSE_AFTER_RESOLUTION)


def period_field(weekday: int, number: int, end: str) -> str:
    """The form field of a day's ``number``-th period (1, 2, …): ``monday_start``,
    ``monday_end_2``; ``end`` is "start" or "end"."""
    suffix = "" if number == 1 else f"_{number}"
    return f"{_day_key(weekday)}_{end}{suffix}"


def _check_periods(business_hours: str, periods, errors: dict) -> list:
    """Periods are ``(weekday, start, end)``, a day's in the order its fields are numbered (empty
    ones included, so errors land on the right field)."""
    clean = []
    numbers: dict[int, int] = {}
    by_day: dict[int, list] = {}
    for weekday, start, end in periods:
        number = numbers[weekday] = numbers.get(weekday, 0) + 1
        if start is None and end is None:
            continue
        if start is None or end is None:
            errors.setdefault(period_field(weekday, number, "end"), []).append(PERIOD_INCOMPLETE)
        elif end <= start:
            errors.setdefault(period_field(weekday, number, "end"), []).append(
                PERIOD_END_BEFORE_START
            )
        else:
            clean.append((weekday, start, end))
            by_day.setdefault(weekday, []).append((start, end, number))
    for weekday, day_periods in by_day.items():
        day_periods.sort()
        for earlier, (start, _end, number) in itertools.pairwise(day_periods):
            if start < earlier[1]:
                errors.setdefault(period_field(weekday, number, "start"), []).append(
                    PERIODS_OVERLAP
                )
    if business_hours == SLA.BusinessHours.WEEKLY and not clean and not errors:
        errors.setdefault("business_hours", []).append(SCHEDULE_EMPTY)
    return clean


def _check_levels(levels: list[LevelInput], errors: dict) -> None:
    for number, level in enumerate(levels, start=1):
        if abs(level.offset_minutes) > MAX_OFFSET_MINUTES:
            errors.setdefault("escalation_levels", []).append(
                LEVEL_OFFSET_TOO_LONG % {"level": number, "limit": MAX_OFFSET_MINUTES}
            )
        if level.action == EscalationLevel.Action.REASSIGN and level.reassign_to is None:
            errors.setdefault("escalation_levels", []).append(LEVEL_NEEDS_AGENT % {"level": number})
        if level.action == EscalationLevel.Action.NOTIFY and not list(level.notify_users):
            errors.setdefault("escalation_levels", []).append(LEVEL_NEEDS_USERS % {"level": number})


def _write(
    *,
    by,
    sla: SLA,
    targets: Mapping[str, tuple[int | None, int | None]],
    periods: Iterable,
    levels: Iterable[LevelInput],
) -> SLA:
    levels = list(levels)
    errors: dict[str, list] = {}
    clean_periods = _check_periods(sla.business_hours, list(periods), errors)
    _check_targets(
        targets,
        errors,
        business_hours=sla.business_hours,
        periods=None if errors else clean_periods,
    )
    _check_levels(levels, errors)
    try:
        sla.full_clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    sla._history_user = by  # type: ignore[attr-defined]  # simple_history's "who"
    with duplicates_refused(sla):  # an SLA of that name saved meanwhile by someone else
        sla.save()

    existing = {t.priority: t for t in sla.targets.all()}
    for priority in Priority.values:
        response, resolution = targets[priority]
        assert response is not None and resolution is not None  # _check_targets refused None
        target = existing.get(priority) or SLATarget(sla=sla, priority=priority)
        target.response_minutes, target.resolution_minutes = response, resolution
        target.full_clean()
        target.save()

    sla.working_periods.all().delete()
    if sla.business_hours == SLA.BusinessHours.WEEKLY:
        WorkingPeriod.objects.bulk_create(
            WorkingPeriod(sla=sla, weekday=w, start_time=s, end_time=e) for w, s, e in clean_periods
        )

    # Update levels in place by number, so what has already fired stays fired.
    current = {level.level: level for level in sla.escalation_levels.all()}
    for number, entered in enumerate(levels, start=1):
        level = current.pop(number, None) or EscalationLevel(sla=sla, level=number)
        if (level.target, level.offset_minutes) != (entered.target, entered.offset_minutes):
            level.swept_until = None  # which tickets it fires for changed: the next run reads all
        level.target = entered.target
        level.offset_minutes = entered.offset_minutes
        level.action = entered.action
        level.reassign_to = (
            entered.reassign_to if entered.action == EscalationLevel.Action.REASSIGN else None
        )
        level.full_clean()
        level.save()
        if entered.action == EscalationLevel.Action.NOTIFY:
            level.notify_users.set(list(entered.notify_users))
        else:
            level.notify_users.clear()
    for stale in current.values():
        stale.delete()
    return sla


@transaction.atomic
def sla_create(
    *,
    by,
    department,
    name: str,
    business_hours: str,
    time_zone: str,
    targets: Mapping[str, tuple[int | None, int | None]],
    periods: Iterable = (),
    levels: Iterable[LevelInput] = (),
    holiday_list=None,
    is_active: bool = True,
    description: str = "",
) -> SLA:
    """Create an SLA with its targets per priority, weekly schedule and escalation levels."""
    require_permission(by, MANAGE_AUTOMATION)
    require_department(by, department, field="department")
    sla = SLA(
        department=department,
        name=name,
        description=description,
        is_active=is_active,
        business_hours=business_hours,
        time_zone=time_zone,
        holiday_list=holiday_list,
    )
    return _write(by=by, sla=sla, targets=targets, periods=periods, levels=levels)


@transaction.atomic
def sla_update(
    *,
    by,
    sla: SLA,
    department,
    name: str,
    business_hours: str,
    time_zone: str,
    targets: Mapping[str, tuple[int | None, int | None]],
    periods: Iterable = (),
    levels: Iterable[LevelInput] = (),
    holiday_list=None,
    is_active: bool = True,
    description: str = "",
) -> SLA:
    """Change an SLA and replace its targets, schedule and escalation levels."""
    require_permission(by, MANAGE_AUTOMATION)
    sla = lock_sla(sla.pk)
    require_department(by, sla.department)
    require_department(by, department, field="department")
    if department.pk != sla.department_id and sla.support_plans.exists():
        raise ValidationError({"department": DEPARTMENT_LOCKED})
    if not is_active or department.pk != sla.department_id:
        # Only an active SLA is a default, and only of its own department.
        sla.is_default = False
    sla.department = department
    sla.name = name
    sla.description = description
    sla.is_active = is_active
    sla.business_hours = business_hours
    sla.time_zone = time_zone
    sla.holiday_list = holiday_list
    return _write(by=by, sla=sla, targets=targets, periods=periods, levels=levels)


@transaction.atomic
def sla_set_active(*, by, sla: SLA, active: bool) -> SLA:
    """Deactivate (no new plan can choose it; existing plans keep it) or reactivate an SLA."""
    require_permission(by, MANAGE_AUTOMATION)
    sla = lock_sla(sla.pk)
    require_department(by, sla.department)
    if sla.is_active != active:
        sla.is_active = active
        if not active:
            sla.is_default = False  # only an active SLA is the department's default
        sla._history_user = by  # type: ignore[attr-defined]
        sla.save(update_fields=["is_active", "is_default", "updated_at"])
    return sla


@transaction.atomic
def sla_set_default(*, by, sla: SLA, is_default: bool) -> SLA:
    """Make ``sla`` its department's default SLA (SPEC section 4: followed by tickets that follow
    no plan's SLA), in place of the previous one; or make it no longer the default."""
    require_permission(by, MANAGE_AUTOMATION)
    locked: dict[int, SLA] = {}
    while sla.pk not in locked:  # again if it moved to another department meanwhile
        department_id = SLA.objects.values_list("department_id", flat=True).get(pk=sla.pk)
        locked = {each.pk: each for each in lock_department_slas(department_id)}
    sla = locked[sla.pk]
    require_department(by, sla.department)
    if is_default and not sla.is_active:
        raise ValidationError(DEFAULT_NEEDS_ACTIVE, code="inactive")
    if sla.is_default == is_default:
        return sla
    if is_default:
        for previous in locked.values():
            if previous.is_default:  # unset first: the database allows one default at a time
                previous.is_default = False
                previous._history_user = by  # type: ignore[attr-defined]
                previous.save(update_fields=["is_default", "updated_at"])
    sla.is_default = is_default
    sla._history_user = by  # type: ignore[attr-defined]
    sla.save(update_fields=["is_default", "updated_at"])
    return sla


@transaction.atomic
def sla_delete(*, by, sla: SLA) -> None:
    """Delete an SLA that no support plan uses."""
    require_permission(by, MANAGE_AUTOMATION)
    sla = lock_sla(sla.pk)
    require_department(by, sla.department)
    sla._history_user = by  # type: ignore[attr-defined]
    count = sla.support_plans.count()
    if count:
        raise ValidationError(SLA_IN_USE, params={"count": count})
    try:
        sla.delete()
    except ProtectedError as exc:
        raise ValidationError(SLA_HAS_TICKETS) from exc
