"""Roll-ups of the credit ledger: usage by day (``ContractUsageDay`` and ``PlanUsageDay``) and
each contract's newest cycle (``CycleBalance``).

``CreditEntry.save`` adds each spend and refund to its contract's and its plan's day, and each
entry of a cycle to its contract's balance, in the transaction that appends it. This module
recomputes the roll-ups from the ledger, for a new desk built in bulk, the migrations that
introduced them, and ``manage.py rebuild_usage``; and it says where they and the ledger
disagree (the command's ``--check``, and the tests).

The arguments name the models so that the migration can pass its historical ones.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case, F, Max, OuterRef, Subquery, Sum, When
from django.db.models.functions import Mod, TruncDate
from django.utils import timezone

from .models import ContractUsageDay, CreditEntry, CycleBalance, PlanUsageDay


@dataclass(frozen=True)
class Models:
    ledger: type = CreditEntry
    by_contract: type = ContractUsageDay
    by_plan: type = PlanUsageDay
    balance: type | None = CycleBalance  # None: a migration from before it
    stripes: int = PlanUsageDay.STRIPES


def _from_ledger(models: Models, **keys):
    """The ledger's spends and refunds summed by ``keys`` (column name: expression) and the
    desk's day: what a roll-up should hold, as ``(*keys, day, used)`` rows, in its columns'
    order."""
    return (
        models.ledger.objects.exclude(kind="adjustment")
        .annotate(**keys, day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
        .values_list(*keys, "day")
        .annotate(used=Sum(-F("delta")))
        .order_by()
    )


def _balances(models: Models):
    """Each contract's newest cycle with ledger rows: its deltas added up and, where the plan's
    limit plus them leaves nothing, the cycle's last day; as ``CycleBalance``'s columns."""
    newest = (
        models.ledger.objects.filter(contract_id=OuterRef("contract_id"), cycle_start__isnull=False)
        .order_by("-cycle_start")
        .values("cycle_start")[:1]
    )
    return (
        models.ledger.objects.filter(cycle_start=Subquery(newest))
        .values("contract_id")
        .annotate(
            start=Max("cycle_start"),
            end=Max("cycle_end"),
            total=Sum("delta"),
            limit=Max("contract__support_plan__credit_limit"),
        )
        .annotate(used_up=Case(When(total__lte=-F("limit"), then=F("end"))))
        .values_list("contract_id", "start", "end", "total", "used_up")
        .order_by()
    )


def _sources(models: Models):
    """Each roll-up, its key columns and its value columns (in its rows' order), and its rows as
    the ledger adds them up."""
    sources = [
        (
            models.by_contract,
            ("contract_id", "day"),
            ("used",),
            _from_ledger(models, key_contract=F("contract_id")),
        ),
        (
            models.by_plan,
            ("plan_id", "stripe", "day"),
            ("used",),
            _from_ledger(
                models,
                key_plan=F("contract__support_plan_id"),
                key_stripe=Mod("contract_id", models.stripes),
            ),
        ),
    ]
    if models.balance is not None:
        columns = ("cycle_start", "cycle_end", "balance", "used_up_until")
        sources.append((models.balance, ("contract_id",), columns, _balances(models)))
    return sources


def rebuild(models: Models = Models()) -> dict[str, int]:
    """Replace the roll-ups by sums over the ledger, in one transaction: an ``INSERT … SELECT``
    each, so that a ledger of millions of rows never passes through Python. On PostgreSQL the
    ledger is locked against new rows meanwhile (they wait, then add to the rebuilt days)."""
    written = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(models.ledger._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        for model, keys, values, rows in _sources(models):
            model.objects.all().delete()
            select, params = rows.query.sql_with_params()
            table = connection.ops.quote_name(model._meta.db_table)
            names = ", ".join(connection.ops.quote_name(c) for c in (*keys, *values))
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({names}) {select}", params)
                written[model._meta.model_name] = cursor.rowcount
    return written


def differences(models: Models = Models()) -> dict[str, int]:
    """How many rows each roll-up holds that the ledger does not add up to (missing, extra or
    with other figures): all zeros when they agree."""
    found = {}
    for model, keys, values, rows in _sources(models):
        width = len(keys)
        expected = {tuple(row[:width]): tuple(row[width:]) for row in rows}
        kept = {
            tuple(row[:width]): tuple(row[width:])
            for row in model.objects.values_list(*keys, *values)
        }
        found[model._meta.model_name] = sum(
            expected.get(key) != kept.get(key) for key in expected.keys() | kept.keys()
        )
    return found
