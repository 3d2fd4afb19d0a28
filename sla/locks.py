"""Row locks on SLAs."""

from .models import SLA


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
