"""Reads of support plans: lists, the choices their forms offer and the audit trail.

The overview's contracts and credit usage are the contracts app's (``contracts.selectors``).
"""

from django.apps import apps
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery

from desk.history import SHOWN, HistoryEntry, history_entries
from sla.models import SLA

from .models import SupportPlan

# The plan list counts each plan's contracts up to this many, and shows "100+" past it.
LIST_COUNT_CAP = 100


def _plans(user) -> QuerySet[SupportPlan]:
    return (
        SupportPlan.objects.visible_to(user)
        .select_related("department", "sla")
        .order_by("department__name", "name", "pk")
    )


def plan_list(user) -> QuerySet[SupportPlan]:
    """The plans of the user's departments, each with its contracts counted up to one past
    ``LIST_COUNT_CAP`` (``contract_count``): a bounded read, however many contracts a plan
    serves (counting them all took 1.9 ms a plan at 100,000 contracts)."""
    return _plans(user).annotate(contract_count=_contract_count(cap=LIST_COUNT_CAP))


class RowCount(Subquery):
    """How many rows a (sliced) queryset reads: ``(SELECT COUNT(*) FROM (…))``. Counting the
    first rows of a slice reads the index only up to the slice's end (``… WHERE pk IN (first
    rows)`` had PostgreSQL scan the table for them: 14 ms for 24 plans at 100,000 contracts)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def _contract_count(cap: int | None = None):
    """Contracts per plan (up to one past ``cap``), counted through the support_plan index for
    each plan shown. The model named, not imported: plans sit below contracts."""
    contracts = apps.get_model("contracts", "Contract")._default_manager
    of_plan = contracts.filter(support_plan=OuterRef("pk")).order_by().values("pk")
    return RowCount(of_plan if cap is None else of_plan[: cap + 1])


def plan_get(user, pk) -> SupportPlan:
    """One plan of the user's departments (``SupportPlan.DoesNotExist`` otherwise), with all its
    contracts counted (its page says how many)."""
    return _plans(user).annotate(contract_count=_contract_count()).get(pk=pk)


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
