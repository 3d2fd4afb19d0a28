from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When

from desk.choices import Priority

from .models import SLA, EscalationLevel, SLATarget


def sla_targets_in_priority_order() -> QuerySet[SLATarget]:
    """SLA targets as every page lists them: urgent, high, medium, low (for a ``Prefetch``)."""
    rank = Case(
        *[When(priority=p, then=Value(i)) for i, p in enumerate(Priority.urgent_first())],
        output_field=IntegerField(),
    )
    return SLATarget.objects.order_by(rank, "pk")


def sla_list(user):
    return (
        SLA.objects.visible_to(user)
        .select_related("department", "holiday_list")
        .annotate(plan_count=Count("support_plans", distinct=True))
        .order_by("department__name", "name", "pk")
    )


def sla_list_detailed(user):
    """SLAs with everything the detail and edit pages show, in a fixed number of queries."""
    return sla_list(user).prefetch_related(
        Prefetch("targets", queryset=sla_targets_in_priority_order()),
        "working_periods",
        "holiday_list__holidays",
        "support_plans",
        Prefetch(
            "escalation_levels",
            queryset=EscalationLevel.objects.select_related("reassign_to").prefetch_related(
                "notify_users"
            ),
        ),
    )


def sla_get(user, pk):
    return sla_list_detailed(user).get(pk=pk)


def sla_default_for(department) -> SLA | None:
    """The department's default SLA (SPEC section 4), if an administrator chose one: the SLA
    tickets follow when no plan's SLA applies."""
    return SLA.objects.filter(department=department, is_default=True, is_active=True).first()
