from django.db.models import Count

from .models import SLA


def sla_list(user):
    return (
        SLA.objects.visible_to(user)
        .select_related("department", "holiday_list")
        .annotate(plan_count=Count("support_plans", distinct=True))
        .order_by("department__name", "name", "pk")
    )


def sla_get(user, pk):
    return SLA.objects.visible_to(user).select_related("department", "holiday_list").get(pk=pk)
