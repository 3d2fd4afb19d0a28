"""Row locks on SLAs."""

from .models import SLA


def lock_sla(sla_id: int) -> SLA:
    """The SLA, its row locked until the transaction ends.

    A full ``FOR UPDATE``, not ``NO KEY``: it must also wait for a plan or a ticket being created
    on the SLA (their inserts hold ``KEY SHARE`` on its row), so that moving it to another
    department or deleting it sees every plan that uses it."""
    return SLA.objects.select_for_update().get(pk=sla_id)
