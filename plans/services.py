"""Writes to support plans. Every change with a rule goes through here, from every door.

Each takes the acting user (``by``), who needs *Manage automation* and a place in the plan's
department, and locks the plan row (``plans.locks``) before it reads what it checks.

The rules themselves live in ``SupportPlan.clean()`` (terms match the type, an active SLA of the
plan's department, the lock) so that the admin, the pages and code obey the same ones; the
``pre_save`` receiver calls :func:`plan_assert_unlocked` as the backstop for direct saves.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from desk.access import MANAGE_AUTOMATION, require_department, require_permission
from desk.integrity import duplicates_refused
from desk.models import Department
from sla.models import SLA

from .locks import lock_plan
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
    by,
    department: Department,
    name: str,
    plan_type: str,
    sla: SLA,
    credit_cycle: str | None = "",
    credit_limit: int | None = None,
) -> SupportPlan:
    require_permission(by, MANAGE_AUTOMATION)
    require_department(by, department, field="department")
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
        plan._history_user = by  # type: ignore[attr-defined]  # simple_history's "who"
        with duplicates_refused(plan):  # a plan of that name saved meanwhile by someone else
            plan.save()
    return plan


def plan_update(*, by, plan: SupportPlan, **terms) -> SupportPlan:
    """Change a plan's name and terms (any of ``name``, ``plan_type``, ``credit_cycle``,
    ``credit_limit``, ``sla``; those not given keep what is stored). A plan in use keeps its
    type, cycle and SLA."""
    unknown = set(terms) - {"name", "plan_type", "credit_cycle", "credit_limit", "sla"}
    if unknown:
        raise TypeError(f"plan_update() got unexpected fields: {sorted(unknown)}")
    require_permission(by, MANAGE_AUTOMATION)
    with transaction.atomic():
        locked = lock_plan(plan.pk)
        require_department(by, locked.department)
        if "name" in terms:
            locked.name = (terms["name"] or "").strip()
        for name in ("plan_type", "credit_cycle", "credit_limit", "sla"):
            if name in terms:
                setattr(locked, name, terms[name])
        locked.plan_type, locked.credit_cycle, locked.credit_limit = _terms(
            locked.plan_type, locked.credit_cycle, locked.credit_limit
        )
        locked.full_clean()
        locked._history_user = by  # type: ignore[attr-defined]
        with duplicates_refused(locked):  # a plan of that name saved meanwhile by someone else
            locked.save()
    return locked


def plan_set_active(*, by, plan: SupportPlan, is_active: bool) -> SupportPlan:
    """Deactivate (no longer offered for new contracts; existing ones keep it) or reactivate."""
    require_permission(by, MANAGE_AUTOMATION)
    with transaction.atomic():
        locked = lock_plan(plan.pk)
        require_department(by, locked.department)
        if locked.is_active != is_active:
            locked.is_active = is_active
            locked._history_user = by  # type: ignore[attr-defined]
            locked.save(update_fields=["is_active", "updated_at"])
    return locked


def plan_delete(*, by, plan: SupportPlan) -> None:
    """Delete a plan no contract uses; a plan in use can only be deactivated."""
    require_permission(by, MANAGE_AUTOMATION)
    with transaction.atomic():
        locked = lock_plan(plan.pk)
        require_department(by, locked.department)
        locked._history_user = by  # type: ignore[attr-defined]
        if locked.is_in_use():
            raise ValidationError(PLAN_IN_USE_NO_DELETE, code="protected")
        try:
            locked.delete()
        except ProtectedError as exc:  # a contract arrived between the check and the delete
            raise ValidationError(PLAN_IN_USE_NO_DELETE, code="protected") from exc
