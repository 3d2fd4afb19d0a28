"""Writes to support plans. Every change with a rule goes through here."""

from django.core.exceptions import ValidationError

from .models import PLAN_LOCKED, SupportPlan


def plan_assert_unlocked(*, plan: SupportPlan) -> None:
    """Raise if the plan changes a locked field while a contract uses it."""
    changed = plan.locked_changes()
    if changed:
        raise ValidationError(dict.fromkeys(changed, PLAN_LOCKED))
