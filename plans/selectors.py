from django.db.models import Count

from .models import SupportPlan


def plan_list(user):
    return (
        SupportPlan.objects.visible_to(user)
        .select_related("department", "sla")
        .annotate(contract_count=Count("contracts", distinct=True))
        .order_by("department__name", "name", "pk")
    )


def plans_offered_for_contracts(user):
    """Active plans of the user's departments where the Contracts module is on."""
    return (
        SupportPlan.objects.visible_to(user)
        .active()
        .filter(department__contracts_enabled=True)
        .select_related("sla")
    )
