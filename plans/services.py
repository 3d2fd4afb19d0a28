"""Writes to support plans. Every change with a rule goes through here.

The rules themselves live in ``SupportPlan.clean()`` (terms match the type, an active SLA of the
plan's department, the lock) so that the admin, the pages and code obey the same ones; the
``pre_save`` receiver calls :func:`plan_assert_unlocked` as the backstop for direct saves.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from desk.models import Department
from sla.models import SLA

from .models import PLAN_LOCKED, SupportPlan

PLAN_IN_USE_NO_DELETE = _(
    "This plan is used by a contract, so it cannot be deleted. Deactivate it instead: it keeps "
    "serving its contracts and is no longer offered for new ones."
)


def plan_assert_unlocked(*, plan: SupportPlan) -> None:
    """Raise if the plan changes a locked field while a contract uses it."""
    changed = plan.locked_changes()
    if changed:
        raise ValidationError(dict.fromkeys(changed, PLAN_LOCKED))


def _terms(plan_type: str, credit_cycle: str | None, credit_limit: int | None):
    return plan_type, credit_cycle or "", credit_limit


def plan_create(
    *,
    department: Department,
    name: str,
    plan_type: str,
    sla: SLA,
    credit_cycle: str | None = "",
    credit_limit: int | None = None,
) -> SupportPlan:
    plan_type, credit_cycle, credit_limit = _terms(plan_type, credit_cycle, credit_limit)
    plan = SupportPlan(
        department=department,
        name=(name or "").strip(),
        plan_type=plan_type,
        credit_cycle=credit_cycle,
        credit_limit=credit_limit,
        sla=sla,
    )
    with transaction.atomic():
        plan.full_clean()
        plan.save()
    return plan


def plan_update(
    *,
    plan: SupportPlan,
    name: str,
    plan_type: str,
    sla: SLA,
    credit_cycle: str | None = "",
    credit_limit: int | None = None,
) -> SupportPlan:
    """Change a plan's name and terms; a plan in use keeps its type, cycle and SLA."""
    plan_type, credit_cycle, credit_limit = _terms(plan_type, credit_cycle, credit_limit)
    with transaction.atomic():
        locked = SupportPlan.objects.select_for_update().get(pk=plan.pk)
        locked.name = (name or "").strip()
        locked.plan_type = plan_type
        locked.credit_cycle = credit_cycle
        locked.credit_limit = credit_limit
        locked.sla = sla
        locked.full_clean()
        locked.save()
    return locked


def plan_set_active(*, plan: SupportPlan, is_active: bool) -> SupportPlan:
    """Deactivate (no longer offered for new contracts; existing ones keep it) or reactivate."""
    with transaction.atomic():
        locked = SupportPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.is_active != is_active:
            locked.is_active = is_active
            locked.save(update_fields=["is_active", "updated_at"])
    return locked


def plan_delete(*, plan: SupportPlan) -> None:
    """Delete a plan no contract uses; a plan in use can only be deactivated."""
    with transaction.atomic():
        locked = SupportPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.is_in_use():
            raise ValidationError(PLAN_IN_USE_NO_DELETE, code="protected")
        try:
            locked.delete()
        except ProtectedError as exc:  # a contract arrived between the check and the delete
            raise ValidationError(PLAN_IN_USE_NO_DELETE, code="protected") from exc
