import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Case, F, Q, When
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from desk import counters, links
from desk.access import DepartmentScopedQuerySet
from desk.validators import validate_date_in_range

ENDS_BEFORE_START = _("The end date cannot be before the start date.")
ENTRY_IS_APPEND_ONLY = _("Credit ledger entries are never changed or deleted; add a new entry.")


class ContractQuerySet(DepartmentScopedQuerySet):
    # A contract belongs to its plan's department and shows only where Contracts is switched on.
    department_lookup = "support_plan__department"
    module_switch = "contracts_enabled"

    def active_on(self, day: datetime.date):
        # A contract without an end date stays active from its start for ever.
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)

    def upcoming_on(self, day: datetime.date):
        return self.filter(start_date__gt=day)

    def expired_on(self, day: datetime.date):
        # ``end_date < day`` is never true for an empty end date: open-ended contracts never expire.
        return self.filter(end_date__lt=day)


class Contract(models.Model):
    """Associates a customer account with one support plan for a period of time."""

    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        ACTIVE = "active", pgettext_lazy("contract status", "Active")
        EXPIRED = "expired", _("Expired")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_contracts",
        verbose_name=_("contract owner"),
    )
    name = models.CharField(_("contract name"), max_length=200)
    contract_number = models.CharField(_("contract number"), max_length=50)
    product_name = models.CharField(_("product name"), max_length=200, blank=True)
    account = models.ForeignKey(
        "customers.Account",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("account"),
        db_index=False,
    )
    start_date = models.DateField(_("start date"), validators=[validate_date_in_range])
    # Empty: the contract has no end date (SPEC section 6): active from its start for ever.
    end_date = models.DateField(
        _("end date"), null=True, blank=True, validators=[validate_date_in_range]
    )
    support_plan = models.ForeignKey(
        "plans.SupportPlan",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("support plan"),
    )
    # The contract this one renews (SPEC section 6, "Renew"); its successor is ``renewed_by``.
    renews = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewed_by",
        verbose_name=_("renews"),
    )
    notify_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("notify")
    )
    notify_days_before = models.PositiveIntegerField(
        _("days before the end date"), null=True, blank=True
    )
    # The end date the expiry notice was sent for: a notice is sent once per end date, and
    # moving the end date arms it again.
    expiry_notice_sent_for = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Read by contract, as the tickets' history (``tickets.models.HISTORY_UNINDEXED``).
    history = HistoricalRecords(
        excluded_fields=["expiry_notice_sent_for"],
        no_db_index=["owner", "account", "support_plan", "renews"],
    )
    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        permissions = [("adjust_credits", _("Can adjust a contract's credits"))]
        constraints = [
            models.UniqueConstraint(
                fields=["contract_number"], name="contracts_contract_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="contracts_contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(notify_days_before__gte=0) | Q(notify_days_before__isnull=True),
                name="contracts_contract_notice_not_negative",
            ),
        ]
        indexes = [
            # Account page and ticket creation: an account's contracts by period.
            models.Index(fields=["account", "start_date"], name="contract_account_start_idx"),
            # Contract list, newest first: read in index order and stop after a page.
            models.Index(fields=["-start_date", "id"], name="contract_start_idx"),
            # Expiry notices and the "expiring within N days" filter scan by end date.
            models.Index(fields=["end_date"], name="contract_end_date_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.contract_number})"

    def get_absolute_url(self):
        return links.by_pk("contracts:contract_detail", self.pk)

    def status_on(self, day: datetime.date) -> str:
        if day < self.start_date:
            return self.Status.UPCOMING
        if self.end_date is not None and day > self.end_date:
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": ENDS_BEFORE_START})


class CreditEntry(models.Model):
    """One row of the append-only credit ledger. Balances are sums over it, never stored.

    ``delta`` is the change to the customer's balance: a spend is -1, a refund +1, a manual
    adjustment any non-zero number. The rows of one ticket alternate spend, refund, spend, …
    numbered by ``ticket_seq``, so a ticket can never hold two spent credits.
    """

    class Kind(models.TextChoices):
        SPEND = "spend", _("Spend")
        REFUND = "refund", _("Refund")
        ADJUSTMENT = "adjustment", _("Adjustment")

    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="credit_entries",
        verbose_name=_("contract"),
        db_index=False,
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_entries",
        verbose_name=_("ticket"),
        db_index=False,
    )
    ticket_seq = models.PositiveIntegerField(null=True, blank=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    delta = models.IntegerField(_("credits"))
    # The credit cycle the entry counts in; empty for unlimited plans, which have no cycles.
    cycle_start = models.DateField(_("cycle start"), null=True, blank=True)
    cycle_end = models.DateField(_("cycle end"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit ledger")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="spend",
                        delta=-1,
                        ticket__isnull=False,
                        ticket_seq__isnull=False,
                    )
                    & Exact(Mod("ticket_seq", 2), 0)
                )
                | (
                    Q(kind="refund", delta=1, ticket__isnull=False, ticket_seq__isnull=False)
                    & Exact(Mod("ticket_seq", 2), 1)
                )
                | (Q(kind="adjustment", ticket__isnull=True) & ~Q(delta=0) & ~Q(reason="")),
                name="contracts_creditentry_kind_shape",
            ),
            models.UniqueConstraint(
                fields=["ticket", "ticket_seq"], name="contracts_creditentry_ticket_seq_unique"
            ),
            models.CheckConstraint(
                condition=Q(cycle_start__isnull=True, cycle_end__isnull=True)
                | Q(
                    cycle_start__isnull=False,
                    cycle_end__isnull=False,
                    cycle_end__gte=F("cycle_start"),
                ),
                name="contracts_creditentry_cycle_valid",
            ),
        ]
        indexes = [
            # A contract's ledger, newest first (the API's pages): its first rows, however long
            # the ledger and the table.
            models.Index(fields=["contract", "-id"], name="credit_contract_newest_idx"),
            # Balance of a contract's cycle: sum of deltas by contract and cycle, from the index
            # alone on PostgreSQL (a busy contract's cycle holds thousands of rows: 4,262 at a
            # million tickets, 4.4 ms from the table's pages).
            models.Index(
                fields=["contract", "cycle_start"],
                include=["kind", "delta"],
                name="credit_contract_cycle_idx",
            ),
            # Plan usage overview: a plan's contracts' spends and refunds in a date range,
            # answered from the index alone.
            models.Index(
                fields=["contract", "created_at", "kind", "delta"],
                name="credit_contract_created_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.delta:+d} · {self.contract}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(ENTRY_IS_APPEND_ONLY)
        with transaction.atomic(savepoint=False):  # the row and its roll-ups, or neither
            super().save(*args, **kwargs)
            counters.together(self._roll_ups())

    def _roll_ups(self) -> list[counters.Statement]:
        """The writes that add the entry to the ledger's roll-ups: a spend or refund to its
        contract's and its plan's day, an entry of a cycle to its contract's balance."""
        writes = []
        if self.kind != self.Kind.ADJUSTMENT:
            day, used = UsageDay.day_of(self.created_at), -self.delta
            by_contract = {"contract": self.contract_id, "day": day}
            writes.append(
                counters.upsert(ContractUsageDay, key=by_contract, field="used", amount=used)
            )
            by_plan = {
                "plan": self.contract.support_plan_id,
                "stripe": PlanUsageDay.stripe_of(self.contract_id),
                "day": day,
            }
            writes.append(counters.upsert(PlanUsageDay, key=by_plan, field="used", amount=used))
        if self.cycle_start is not None:
            writes.append(CycleBalance.upsert(self))
        return writes

    def delete(self, *args, **kwargs):
        raise ValidationError(ENTRY_IS_APPEND_ONLY)


class UsageDay(models.Model):
    """Credits used on one day: spends less refunds (adjustments change a balance, not the usage),
    the days being the desk's (``settings.TIME_ZONE``).

    A roll-up of the ledger, kept so that a year of usage is a bounded number of rows however many
    tickets the plan's contracts resolve: ``CreditEntry.save`` adds to it in the transaction that
    appends the ledger row, ``contracts.usage`` recomputes it from the ledger (``manage.py
    rebuild_usage``) and says where the two differ.
    """

    day = models.DateField(_("day"))
    used = models.IntegerField(_("credits used"), default=0)

    class Meta:
        abstract = True

    @staticmethod
    def day_of(moment: datetime.datetime) -> datetime.date:
        """The desk's day of ``moment``."""
        return timezone.localtime(moment, timezone.get_default_timezone()).date()


class ContractUsageDay(UsageDay):
    """A contract's usage of a day (the help centre's usage of an account's contracts). Its row
    is only ever written under the contract's lock, which the ledger row takes already."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="usage_days",
        verbose_name=_("contract"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("contract usage of a day")
        constraints = [
            models.UniqueConstraint(fields=["contract", "day"], name="contract_usage_day_unique"),
        ]

    def __str__(self):
        return f"{self.contract} · {self.day}: {self.used}"


class PlanUsageDay(UsageDay):
    """A support plan's usage of a day (the plan overview), in ``STRIPES`` rows a day: a contract
    adds to the row of its stripe (its id modulo ``STRIPES``), so that resolving tickets of two
    contracts of one plan at once rarely waits on one row until the other commits (contracts are
    locked alone, issue 13). A year is at most 366 × ``STRIPES`` rows."""

    STRIPES = 16
    plan = models.ForeignKey(
        "plans.SupportPlan",
        on_delete=models.CASCADE,
        related_name="usage_days",
        verbose_name=_("support plan"),
        db_index=False,
    )
    stripe = models.PositiveSmallIntegerField(_("stripe"), default=0)

    class Meta:
        verbose_name = _("support plan usage of a day")
        constraints = [
            models.UniqueConstraint(fields=["plan", "stripe", "day"], name="plan_usage_day_unique"),
        ]

    def __str__(self):
        return f"{self.plan} · {self.day}: {self.used}"

    @classmethod
    def stripe_of(cls, contract_id: int) -> int:
        return contract_id % cls.STRIPES


class CycleBalance(models.Model):
    """A contract's credits in the newest cycle its ledger has rows in: the sum of those rows'
    deltas (``balance``: the plan's limit plus it is what is left) and, while that leaves none,
    the cycle's last day (``used_up_until``).

    A roll-up of the ledger, so that the home page finds the contracts out of credits today from
    an index of the few that are (``used_up_until >= today``) instead of summing every active
    contract's cycle: ``CreditEntry.save`` adds each entry of a ticket-based plan to it in the
    ledger row's transaction (``upsert``), a plan's save compares its contracts' balances with its
    limit again (``follow_limit``, from ``contracts.receivers``), and ``contracts.usage``
    recomputes it from the ledger and says where they differ.
    """

    contract = models.OneToOneField(
        Contract,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="cycle_balance",
        verbose_name=_("contract"),
    )
    cycle_start = models.DateField(_("cycle start"))
    cycle_end = models.DateField(_("cycle end"))
    balance = models.IntegerField(_("credits added up"))
    used_up_until = models.DateField(_("used up until"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract's cycle balance")
        indexes = [
            models.Index(
                fields=["used_up_until"],
                condition=Q(used_up_until__isnull=False),
                name="cycle_balance_used_up_idx",
            ),
        ]

    def __str__(self):
        return f"{self.contract_id} · {self.cycle_start}–{self.cycle_end}: {self.balance:+d}"

    @classmethod
    def upsert(cls, entry: "CreditEntry") -> counters.Statement:
        """The statement adding ``entry`` (of a cycle) to its contract's balance, run under the
        contract's lock that every ledger write takes. An entry of a newer cycle starts the
        balance again; one of an older cycle (a refund to the cycle its credit was spent in)
        changes nothing. The statement reads the plan's limit itself, as saved."""
        qn = connection.ops.quote_name
        table = qn(cls._meta.db_table)
        plans = qn(Contract._meta.get_field("support_plan").related_model._meta.db_table)
        limit = f"(SELECT credit_limit FROM {plans} WHERE id = %s)"
        same_cycle = f"{table}.cycle_start = EXCLUDED.cycle_start"
        balance = f"CASE WHEN {same_cycle} THEN {table}.balance ELSE 0 END + EXCLUDED.balance"
        sql = (
            f"INSERT INTO {table} (contract_id, cycle_start, cycle_end, balance, used_up_until) "
            f"VALUES (%s, %s, %s, %s, CASE WHEN %s <= -{limit} THEN %s END) "
            f"ON CONFLICT (contract_id) DO UPDATE SET "
            f"balance = {balance}, "
            f"used_up_until = CASE WHEN {balance} <= -{limit} THEN EXCLUDED.cycle_end END, "
            f"cycle_start = EXCLUDED.cycle_start, cycle_end = EXCLUDED.cycle_end "
            f"WHERE {table}.cycle_start <= EXCLUDED.cycle_start"
        )
        plan = entry.contract.support_plan_id
        row = [entry.contract_id, entry.cycle_start, entry.cycle_end, entry.delta]
        return sql, [*row, entry.delta, plan, entry.cycle_end, plan]

    @classmethod
    def follow_limit(cls, plan) -> int:
        """Compare the balances of ``plan``'s contracts with its limit (as saved): one UPDATE of
        the rows whose answer changed (none when the limit did not); how many."""
        if plan.credit_limit is None:
            return 0
        used_up = Q(balance__lte=-plan.credit_limit)
        return (
            cls.objects.filter(contract__support_plan=plan)
            .filter(
                (used_up & Q(used_up_until__isnull=True))
                | (~used_up & Q(used_up_until__isnull=False))
            )
            .update(used_up_until=Case(When(used_up, then=F("cycle_end")), default=None))
        )
