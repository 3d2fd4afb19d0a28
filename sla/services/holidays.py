"""Writes to the holiday lists that SLAs share: whole days on which their clocks do not run."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from simple_history.utils import bulk_update_with_history

from desk.access import (
    MANAGE_AUTOMATION,
    require_permission,
    sees_all_departments,
)
from desk.integrity import duplicates_refused

from ..locks import lock_holiday_list, lock_slas_using
from ..models import SLA, Holiday, HolidayList
from .slas import REASON_MAX

HOLIDAY_DATE_MISSING = _("Holiday %(row)s: enter its date.")
HOLIDAY_DATE_TWICE = _("%(date)s is listed more than once: a list holds one holiday a day.")
HOLIDAY_INVALID = _("Holiday on %(date)s: %(message)s")
HOLIDAY_LIST_IN_USE = ngettext_lazy(
    "This holiday list is used by %(count)s SLA and cannot be deleted. Choose another list "
    "for it first.",
    "This holiday list is used by %(count)s SLAs and cannot be deleted. Choose other lists "
    "for them first.",
    "count",
)
HOLIDAY_LIST_OTHER_DEPARTMENTS = _(
    "SLAs of departments you do not work in use this holiday list: only someone who works in "
    "all their departments can change it."
)
# An SLA's history record when the holidays of its list change (simple_history keeps 100
# characters of a reason).
HOLIDAYS_CHANGED = _("Holidays of %(name)s: %(changes)s")
HOLIDAYS_ADDED = _("added %(dates)s")
HOLIDAYS_REMOVED = _("removed %(dates)s")


@dataclass
class HolidayInput:
    """One holiday as entered: a whole day, and what it is called."""

    date: datetime.date | None
    name: str = ""


def _check_holidays(holidays: list[HolidayInput], errors: dict) -> list[Holiday]:
    """The holidays as rows to save (without their list), each checked as the model checks it;
    a day entered twice is refused, naming the day."""
    rows: list[Holiday] = []
    seen: set[datetime.date] = set()
    for number, entered in enumerate(holidays, start=1):
        if entered.date is None:
            errors.setdefault("holidays", []).append(HOLIDAY_DATE_MISSING % {"row": number})
            continue
        day = entered.date.isoformat()
        if entered.date in seen:
            message = HOLIDAY_DATE_TWICE % {"date": day}
            if message not in errors.get("holidays", []):
                errors.setdefault("holidays", []).append(message)
            continue
        seen.add(entered.date)
        holiday = Holiday(date=entered.date, name=(entered.name or "").strip())
        try:
            holiday.full_clean(exclude=["holiday_list"], validate_unique=False)
        except ValidationError as error:
            for message in error.messages:
                errors.setdefault("holidays", []).append(
                    HOLIDAY_INVALID % {"date": day, "message": message}
                )
            continue
        rows.append(holiday)
    return rows


def _require_departments_of(by, slas: list[SLA]) -> None:
    """The department wall for a shared list: its holidays are business time of every SLA that
    uses it, so only someone who works in all their departments changes it."""
    if not slas or sees_all_departments(by):
        return
    mine = set(by.departments.values_list("pk", flat=True))
    if any(sla.department_id not in mine for sla in slas):
        raise ValidationError(HOLIDAY_LIST_OTHER_DEPARTMENTS, code="other_departments")


def _dates(days: Iterable[datetime.date]) -> str:
    return ", ".join(day.isoformat() for day in sorted(days))


def _record_on_slas(*, by, holiday_list: HolidayList, slas: list[SLA], added, removed) -> None:
    """One history record on each SLA that uses the list, saying which days were added and
    removed: its business time changed though none of its own fields did."""
    if not slas or not (added or removed):
        return
    changes = []
    if added:
        changes.append(str(HOLIDAYS_ADDED % {"dates": _dates(added)}))
    if removed:
        changes.append(str(HOLIDAYS_REMOVED % {"dates": _dates(removed)}))
    reason = str(HOLIDAYS_CHANGED % {"name": holiday_list.name, "changes": "; ".join(changes)})
    if len(reason) > REASON_MAX:
        reason = reason[: REASON_MAX - 1] + "…"
    now = timezone.now()
    for sla in slas:
        sla.updated_at = now
    bulk_update_with_history(
        slas, SLA, ["updated_at"], default_user=by, default_change_reason=reason, default_date=now
    )


def _write_holidays(
    *, by, holiday_list: HolidayList, holidays: Iterable[HolidayInput], slas: list[SLA]
) -> HolidayList:
    errors: dict[str, list] = {}
    rows = _check_holidays(list(holidays), errors)
    try:
        holiday_list.full_clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with duplicates_refused(holiday_list):  # a list of that name saved meanwhile by someone else
        holiday_list.save()

    # Kept by date, so a day that stays keeps its row; removed days go before new ones come.
    existing = {holiday.date: holiday for holiday in holiday_list.holidays.all()}
    wanted = {row.date: row for row in rows}
    removed = [day for day in existing if day not in wanted]
    added = [day for day in wanted if day not in existing]
    if removed:
        Holiday.objects.filter(pk__in=[existing[day].pk for day in removed]).delete()
    for day, row in wanted.items():
        if day in existing and existing[day].name != row.name:
            existing[day].name = row.name
            existing[day].save(update_fields=["name"])
    for day in added:
        wanted[day].holiday_list = holiday_list
    Holiday.objects.bulk_create([wanted[day] for day in added])
    _record_on_slas(by=by, holiday_list=holiday_list, slas=slas, added=added, removed=removed)
    return holiday_list


@transaction.atomic
def holiday_list_create(*, by, name: str, holidays: Iterable[HolidayInput] = ()) -> HolidayList:
    """Create a holiday list (shared by any SLA of any department) with its holidays."""
    require_permission(by, MANAGE_AUTOMATION)
    holiday_list = HolidayList(name=(name or "").strip())
    return _write_holidays(by=by, holiday_list=holiday_list, holidays=holidays, slas=[])


@transaction.atomic
def holiday_list_update(
    *, by, holiday_list: HolidayList, name: str, holidays: Iterable[HolidayInput]
) -> HolidayList:
    """Rename a holiday list and replace its holidays with ``holidays``.

    The days added and removed are business time of every SLA that uses the list: each gets a
    history record saying so. Due times already set on tickets stay as they are, as when an
    SLA's business hours change (``sla_update``); the days count from the next time a ticket's
    due times are computed."""
    require_permission(by, MANAGE_AUTOMATION)
    holiday_list = lock_holiday_list(holiday_list.pk)
    slas = lock_slas_using(holiday_list.pk)
    _require_departments_of(by, slas)
    holiday_list.name = (name or "").strip()
    return _write_holidays(by=by, holiday_list=holiday_list, holidays=holidays, slas=slas)


@transaction.atomic
def holiday_list_delete(*, by, holiday_list: HolidayList) -> None:
    """Delete a holiday list that no SLA uses."""
    require_permission(by, MANAGE_AUTOMATION)
    holiday_list = lock_holiday_list(holiday_list.pk)
    count = holiday_list.slas.count()
    if count:
        raise ValidationError(HOLIDAY_LIST_IN_USE, code="in_use", params={"count": count})
    try:
        holiday_list.delete()
    except ProtectedError as exc:  # pragma: no cover - the lock and the count above prevent it
        raise ValidationError(HOLIDAY_LIST_IN_USE, code="in_use", params={"count": 1}) from exc
