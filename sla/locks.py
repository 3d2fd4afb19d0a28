"""Row locks on SLAs and on the holiday lists they share."""

from .models import SLA, HolidayList


def lock_sla(sla_id: int) -> SLA:
    """The SLA, its row locked until the transaction ends.

    A full ``FOR UPDATE``, not ``NO KEY``: it must also wait for a plan or a ticket being created
    on the SLA (their inserts hold ``KEY SHARE`` on its row), so that moving it to another
    department or deleting it sees every plan that uses it."""
    return SLA.objects.select_for_update().get(pk=sla_id)


def lock_department_slas(department_id: int) -> list[SLA]:
    """Every SLA of the department, their rows locked in primary-key order until the transaction
    ends: choosing the department's default reads and writes them together."""
    return list(
        SLA.objects.select_for_update(no_key=True)
        .filter(department_id=department_id)
        .order_by("pk")
    )


def lock_holiday_list(holiday_list_id: int) -> HolidayList:
    """The holiday list, its row locked until the transaction ends.

    A full ``FOR UPDATE``, not ``NO KEY``: it must also wait for an SLA being saved with this
    list (its insert or update holds ``KEY SHARE`` on the list's row), so that changing the list
    sees, and deleting it refuses, every SLA that uses it.

    Lock order: the holiday list first, then the SLAs that use it (``lock_slas_using``)."""
    return HolidayList.objects.select_for_update().get(pk=holiday_list_id)


def lock_slas_using(holiday_list_id: int) -> list[SLA]:
    """Every SLA that uses the holiday list, their rows locked in primary-key order until the
    transaction ends (after ``lock_holiday_list``): a change of the list's holidays is written to
    each one's history."""
    return list(
        SLA.objects.select_for_update(no_key=True)
        .filter(holiday_list_id=holiday_list_id)
        .order_by("pk")
    )
