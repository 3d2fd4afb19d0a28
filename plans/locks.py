"""Row locks on support plans."""

from .models import SupportPlan


def lock_plan(plan_id: int) -> SupportPlan:
    """The plan, its row locked until the transaction ends.

    A full ``FOR UPDATE``, not ``NO KEY``: the lock must also wait for a contract being created
    on the plan (its insert holds ``KEY SHARE`` on the plan's row until it commits). Otherwise a
    plan edit could find the plan unused, and change its type, cycle or SLA under a contract
    created at the same moment."""
    return SupportPlan.objects.select_for_update(of=("self",)).select_related("sla").get(pk=plan_id)
