"""Reads of support plans: lists, the choices their forms offer and the audit trail.

The overview's contracts and credit usage are the contracts app's (``contracts.selectors``).
"""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from desk.history import SHOWN, HistoryEntry, history_entries
from sla.models import SLA

from .models import SupportPlan


def plan_list(user) -> QuerySet[SupportPlan]:
    return (
        SupportPlan.objects.visible_to(user)
        .select_related("department", "sla")
        .annotate(contract_count=_contract_count())
        .order_by("department__name", "name", "pk")
    )


def _contract_count():
    """Contracts per plan, counted through the support_plan index for each plan shown (a GROUP
    BY over the joined list read every contract). Through the plan's reverse relation: plans sit
    below contracts and do not import them."""
    per_plan = (
        SupportPlan.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .annotate(n=Count("contracts"))
        .values("n")
    )
    return Coalesce(Subquery(per_plan), 0)


def plan_get(user, pk) -> SupportPlan:
    """One plan of the user's departments (``SupportPlan.DoesNotExist`` otherwise)."""
    return plan_list(user).get(pk=pk)


def plans_offered_for_contracts(user) -> QuerySet[SupportPlan]:
    """Active plans of the user's departments where the Contracts module is on."""
    return (
        SupportPlan.objects.visible_to(user)
        .active()
        .filter(department__contracts_enabled=True)
        .select_related("sla")
    )


def sla_choices_for_plans(user) -> QuerySet[SLA]:
    """SLAs a plan form may name: every SLA of the user's departments.

    The form lists only the active ones; the model refuses an inactive SLA or one of another
    department with a message, so the field accepts them and lets the model say why.
    """
    return (
        SLA.objects.visible_to(user)
        .select_related("department")
        .order_by("department__name", "name", "pk")
    )


# --- audit trail --------------------------------------------------------------------------------


def plan_history(plan: SupportPlan, limit: int = SHOWN) -> list[HistoryEntry]:
    """Who created and changed the plan, when, and what changed: newest first, one query."""
    return history_entries(plan.history, limit=limit, related=("sla", "department"))
