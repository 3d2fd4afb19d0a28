import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Case,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter, TruncWeek, TruncYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Account
from desk.history import history_entries
from desk.search import contains
from plans.models import SupportPlan
from sla.selectors import sla_targets_in_priority_order

from .models import Contract, ContractUsageDay, CreditEntry, PlanUsageDay
from .notices import DaysUntil

CONTRACT_LIST_JOINS = ("account", "owner", "support_plan", "support_plan__sla")


def contract_list(user):
    return Contract.objects.visible_to(user).select_related(*CONTRACT_LIST_JOINS)


def contract_rows_by_id(ids) -> QuerySet[Contract]:
    """A page of ``contract_list`` by the ids the list's walls and filters found
    (``desk.pagination.IdFirstPaginator``)."""
    return Contract.objects.select_related(*CONTRACT_LIST_JOINS).filter(pk__in=ids)


def contract_search(user, q: str) -> QuerySet[Contract]:
    """The top bar's search among the contracts the user sees (as on the contract list: their
    departments', where the Contracts module is on): those whose number or name contains ``q``
    (any case). The number itself first, then the name itself, then numbers or names starting
    with it; newest start first. On PostgreSQL indexes serve the match (``desk.search``)."""
    text = (q or "").strip()
    if not text:
        return Contract.objects.none()
    closeness = Case(
        When(contract_number__iexact=text, then=Value(0)),
        When(name__iexact=text, then=Value(1)),
        When(Q(contract_number__istartswith=text) | Q(name__istartswith=text), then=Value(2)),
        default=Value(3),
    )
    # The walls of ``contract_list``, with only the account joined: the search lists number,
    # name, account and dates (planning the list's five-table join took longer than running it).
    return (
        Contract.objects.visible_to(user)
        .select_related("account")
        .filter(contains("contract_number", text) | contains("name", text))
        .order_by(closeness, "-start_date", "pk")
    )


def contract_get(user, pk):
    return contract_list(user).get(pk=pk)


def contract_detail_queryset(user):
    """A contract with what its page shows: its plan's department, the contracts it renews and
    is renewed by, whom to notify, and its SLA's targets and business hours (a fixed number of
    queries)."""
    return (
        contract_list(user)
        .select_related("support_plan__department", "renews", "renewed_by")
        .prefetch_related(
            "notify_users",
            Prefetch("support_plan__sla__targets", queryset=sla_targets_in_priority_order()),
            "support_plan__sla__working_periods",
        )
    )


def contract_list_for_account(user, account, day=None):
    """The account's contracts the user may see: active ones first, then upcoming, then expired.

    A contract without an end date is never expired (``end_date < day`` is not true for NULL)."""
    day = day or timezone.localdate()
    return (
        contract_list(user)
        .filter(account=account)
        .annotate(
            state_rank=Case(
                When(start_date__gt=day, then=Value(1)),
                When(end_date__lt=day, then=Value(2)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("state_rank", "start_date", "pk")
    )


def credit_ledger(contract):
    """The contract's ledger rows, newest first."""
    return (
        CreditEntry.objects.filter(contract=contract)
        .select_related("ticket", "created_by")
        .order_by("-created_at", "-pk")
    )


def contract_history(contract):
    return history_entries(contract.history, related=("owner", "account", "support_plan"))


# --- a plan's contracts and their credit usage (the plan overview) ------------------------------


CONTRACTS_SHOWN = 50


def plan_contracts(plan: SupportPlan) -> QuerySet[Contract]:
    """The plan's contracts, newest first, with what the overview shows of each."""
    return (
        Contract.objects.filter(support_plan=plan)
        .select_related("account", "owner")
        .order_by("-start_date", "pk")
    )


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


# How long each grouping's period is (the usage figures and the chart's labels).
PERIOD_STEP = {
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


def plan_credit_usage(
    *,
    plan: SupportPlan,
    start: datetime.date,
    end: datetime.date,
    grouping: str,
    account: Account | None = None,
) -> Usage:
    """Credits used by the plan's contracts per period, from ``start`` to ``end`` inclusive
    (days of the desk's time zone).

    Used credits are spends less refunds (manual adjustments change a balance, not the usage).
    They are read from the usage kept by day (``PlanUsageDay``), so that a year is at most
    366 days × ``PlanUsageDay.STRIPES`` rows however busy the plan; one grouped query does the
    counting and the Python loop only lays out the periods, so that a period without usage shows
    as 0.

    ``account``: only that account's contracts of the plan (the help centre shows a customer the
    staff overview's figures for their own account), from the contracts' days
    (``ContractUsageDay``).
    """
    days: QuerySet
    if account is None:
        days = PlanUsageDay.objects.filter(plan=plan)
    else:
        days = ContractUsageDay.objects.filter(
            contract__support_plan=plan, contract__account=account
        )
    rows = (
        days.filter(day__gte=start, day__lte=end)
        .annotate(period=_TRUNC[grouping]("day"))
        .values("period")
        .annotate(used=Sum("used"))
        .order_by("period")
    )
    used = {row["period"]: row["used"] for row in rows}
    periods = []
    current = period_start(start, grouping)
    while current <= end:
        periods.append(UsagePeriod(start=current, used=used.get(current, 0)))
        current = current + PERIOD_STEP[grouping]
    return Usage(start=start, end=end, grouping=grouping, periods=periods)


# --- the home page's contract figures -----------------------------------------------------------

# How many days before its end a contract without its own notice period counts as expiring.
EXPIRING_DEFAULT_DAYS = 30


def contracts_expiring(user, today: datetime.date, *, cap: int) -> dict:
    """Contracts the user sees whose end date is within their notice period
    (``notify_days_before``, else ``EXPIRING_DEFAULT_DAYS``), as ``due_notices`` picks them,
    counted up to one past ``cap``, and the widest of their periods (for a link to the list):
    one query, the soonest ends first (``contract_end_date_idx``), that stops at the cap."""
    notice_days = Coalesce("notify_days_before", Value(EXPIRING_DEFAULT_DAYS))
    expiring = (
        Contract.objects.visible_to(user)
        .filter(end_date__gte=today)
        .annotate(days_left=DaysUntil("end_date", today), notice_days=notice_days)
        .filter(days_left__lte=F("notice_days"))
        .order_by("end_date")
    )
    notices = list(expiring.values_list("notice_days", flat=True)[: cap + 1])
    return {"count": len(notices), "within_days": max(notices, default=None)}


def contracts_at_credit_limit(user, today: datetime.date, *, cap: int) -> int:
    """Active ticket-based contracts the user sees with no credit left in today's cycle, counted
    up to one past ``cap``: the few contracts whose newest cycle is used up until today or later
    (``CycleBalance``, a partial index of them), not every active contract's cycle summed from
    the ledger (125 → 7 ms at a million tickets and 100,000 contracts)."""
    out_of_credits = (
        Contract.objects.visible_to(user)
        .active_on(today)
        .filter(cycle_balance__used_up_until__gte=today, cycle_balance__cycle_start__lte=today)
    )
    return out_of_credits.values("pk")[: cap + 1].count()
