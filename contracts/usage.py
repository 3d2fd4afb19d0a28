"""Credit usage by day, rolled up from the ledger (``ContractUsageDay`` and ``PlanUsageDay``).

``CreditEntry.save`` adds each spend and refund to its contract's and its plan's day in the
transaction that appends it. This module recomputes the roll-ups from the ledger, for a new
desk built in bulk, the migration that introduced them, and ``manage.py rebuild_usage``; and it
says where they and the ledger disagree (the command's ``--check``, and the tests).

The arguments name the models so that the migration can pass its historical ones.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Sum
from django.db.models.functions import Mod, TruncDate
from django.utils import timezone

from .models import ContractUsageDay, CreditEntry, PlanUsageDay


@dataclass(frozen=True)
class Models:
    ledger: type = CreditEntry
    by_contract: type = ContractUsageDay
    by_plan: type = PlanUsageDay
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


def _sources(models: Models):
    return (
        (models.by_contract, ("contract_id",), _from_ledger(models, key_contract=F("contract_id"))),
        (
            models.by_plan,
            ("plan_id", "stripe"),
            _from_ledger(
                models,
                key_plan=F("contract__support_plan_id"),
                key_stripe=Mod("contract_id", models.stripes),
            ),
        ),
    )


def rebuild(models: Models = Models()) -> dict[str, int]:
    """Replace both roll-ups by sums over the ledger, in one transaction: an ``INSERT … SELECT``
    each, so that a ledger of millions of rows never passes through Python. On PostgreSQL the
    ledger is locked against new rows meanwhile (they wait, then add to the rebuilt days)."""
    written = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(models.ledger._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        for model, columns, rows in _sources(models):
            model.objects.all().delete()
            select, params = rows.query.sql_with_params()
            table = connection.ops.quote_name(model._meta.db_table)
            names = ", ".join(connection.ops.quote_name(c) for c in (*columns, "day", "used"))
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({names}) {select}", params)
                written[model._meta.model_name] = cursor.rowcount
    return written


def differences(models: Models = Models()) -> dict[str, int]:
    """How many days each roll-up holds that the ledger does not add up to (missing, extra or
    with another figure): all zeros when they agree."""
    found = {}
    for model, columns, rows in _sources(models):
        expected = {tuple(row[:-1]): row[-1] for row in rows}
        kept = {
            tuple(row[:-1]): row[-1] for row in model.objects.values_list(*columns, "day", "used")
        }
        found[model._meta.model_name] = sum(
            expected.get(key) != kept.get(key) for key in expected.keys() | kept.keys()
        )
    return found
