import datetime
import zoneinfo

import pytest
from django.utils import timezone

from sla.models import Holiday, HolidayList, WorkingPeriod
from tests import factories as f

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def shanghai(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    """Set the time that ``timezone.now()`` answers: ``clock(moment)``."""

    def set_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_now


@pytest.fixture
def holidays(db):
    return HolidayList.objects.create(name="China 2026")


@pytest.fixture
def office_sla(department, holidays):
    """High: 1 h / 8 h; Mon–Fri 09:00–18:00 Asia/Shanghai; the shared holiday list."""
    sla = f.SLAFactory(
        department=department,
        name="Office hours",
        business_hours="weekly",
        time_zone="Asia/Shanghai",
        holiday_list=holidays,
    )
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(sla=sla, weekday=day, start_time=datetime.time(9), end_time=datetime.time(18))
        for day in range(5)
    )
    return sla


@pytest.fixture
def office_contract(office_sla, department, administrator):
    plan = f.SupportPlanFactory(department=department, sla=office_sla)
    return f.ContractFactory(
        support_plan=plan,
        owner=administrator,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
    )


def add_holiday(holiday_list, day):
    return Holiday.objects.create(holiday_list=holiday_list, date=day, name="Holiday")
