from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from desk.choices import Priority

from .models import SLA, EscalationLevel, Holiday, HolidayList, SLATarget


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


def _count_of(model, field: str) -> Coalesce:
    """How many rows of ``model`` point at the outer holiday list (a subquery each, so that two
    counts never multiply each other's rows)."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def holiday_list_list() -> QuerySet[HolidayList]:
    """Holiday lists (shared by every department) with how many days they hold, their first and
    last day and how many SLAs use them."""
    return HolidayList.objects.annotate(
        holiday_count=_count_of(Holiday, "holiday_list"),
        sla_count=_count_of(SLA, "holiday_list"),
        first_day=Min("holidays__date"),
        last_day=Max("holidays__date"),
    ).order_by("name", "pk")


def holiday_list_detailed() -> QuerySet[HolidayList]:
    """Holiday lists with their holidays, in date order, in a fixed number of queries."""
    return holiday_list_list().prefetch_related(
        Prefetch("holidays", queryset=Holiday.objects.order_by("date"))
    )


def holiday_list_slas(user, holiday_list: HolidayList) -> QuerySet[SLA]:
    """The SLAs of the user's departments that use the holiday list."""
    return (
        SLA.objects.visible_to(user)
        .filter(holiday_list=holiday_list)
        .select_related("department")
        .order_by("department__name", "name", "pk")
    )
