"""Reads of support plans: lists, the overview's contracts, credit usage and the audit trail."""

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DateField, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter, TruncWeek, TruncYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, CreditEntry
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
    BY over the joined list read every contract)."""
    per_plan = (
        Contract.objects.filter(support_plan=OuterRef("pk"))
        .order_by()
        .values("support_plan")
        .annotate(n=Count("pk"))
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


CONTRACTS_SHOWN = 50


def plan_contracts(plan: SupportPlan) -> QuerySet[Contract]:
    """The plan's contracts, newest first, with what the overview shows of each."""
    return (
        Contract.objects.filter(support_plan=plan)
        .select_related("account", "owner")
        .order_by("-start_date", "pk")
    )


# --- credit usage -------------------------------------------------------------------------------


class Grouping:
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    CHOICES = [
        (WEEK, _("Week")),
        (MONTH, _("Month")),
        (QUARTER, _("Quarter")),
        (YEAR, _("Year")),
    ]


_TRUNC = {
    Grouping.WEEK: TruncWeek,
    Grouping.MONTH: TruncMonth,
    Grouping.QUARTER: TruncQuarter,
    Grouping.YEAR: TruncYear,
}


def period_start(day: datetime.date, grouping: str) -> datetime.date:
    """The first day of the week (Monday), month, quarter or year containing ``day``."""
    if grouping == Grouping.WEEK:
        return day - datetime.timedelta(days=day.weekday())
    if grouping == Grouping.MONTH:
        return day.replace(day=1)
    if grouping == Grouping.QUARTER:
        return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return datetime.date(day.year, 1, 1)


_STEP = {
    Grouping.WEEK: relativedelta(weeks=1),
    Grouping.MONTH: relativedelta(months=1),
    Grouping.QUARTER: relativedelta(months=3),
    Grouping.YEAR: relativedelta(years=1),
}


def default_usage_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 12 months: from the first day of the month 11 months ago to today."""
    today = today or timezone.localdate()
    return (today - relativedelta(months=11)).replace(day=1), today


@dataclass(frozen=True)
class UsagePeriod:
    start: datetime.date
    used: int


@dataclass(frozen=True)
class Usage:
    start: datetime.date
    end: datetime.date
    grouping: str
    periods: list[UsagePeriod] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(p.used for p in self.periods)

    @property
    def peak(self) -> int:
        return max((p.used for p in self.periods), default=0)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def plan_credit_usage(
    *, plan: SupportPlan, start: datetime.date, end: datetime.date, grouping: str
) -> Usage:
    """Credits used by the plan's contracts per period, from ``start`` to ``end`` inclusive.

    Used credits are spends less refunds (manual adjustments change a balance, not the usage).
    One grouped query does the counting; the Python loop only lays out the periods, so that a
    period without usage shows as 0.
    """
    trunc = _TRUNC[grouping]
    rows = (
        CreditEntry.objects.filter(
            contract__support_plan=plan,
            kind__in=[CreditEntry.Kind.SPEND, CreditEntry.Kind.REFUND],
            created_at__gte=_day_start(start),
            created_at__lt=_day_start(end + datetime.timedelta(days=1)),
        )
        .annotate(period=trunc("created_at", output_field=DateField()))
        .values("period")
        .annotate(used=Sum(-F("delta")))
        .order_by("period")
    )
    used = {row["period"]: row["used"] for row in rows}
    periods = []
    current = period_start(start, grouping)
    while current <= end:
        periods.append(UsagePeriod(start=current, used=used.get(current, 0)))
        current = current + _STEP[grouping]
    return Usage(start=start, end=end, grouping=grouping, periods=periods)


# --- audit trail --------------------------------------------------------------------------------


def plan_history(plan: SupportPlan, limit: int = SHOWN) -> list[HistoryEntry]:
    """Who created and changed the plan, when, and what changed: newest first, one query."""
    return history_entries(plan.history, limit=limit, related=("sla", "department"))
