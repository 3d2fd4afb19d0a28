"""The foreign keys' own indexes that another index of their table serves, dropped (issue 21;
why only the indexes: ``tickets/migrations/0011_drop_indexes_another_leads.py``)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, the key's own index)
INDEXES = [
    ("contracts_contract", "account_id", "contracts_contract_account_id_44a4611a"),
    (
        "contracts_contractusageday",
        "contract_id",
        "contracts_contractusageday_contract_id_6d88a7a6",
    ),
    ("contracts_creditentry", "contract_id", "contracts_creditentry_contract_id_c51789ca"),
    ("contracts_creditentry", "ticket_id", "contracts_creditentry_ticket_id_e685eee2"),
    (
        "contracts_historicalcontract",
        "account_id",
        "contracts_historicalcontract_account_id_8ee31342",
    ),
    ("contracts_historicalcontract", "owner_id", "contracts_historicalcontract_owner_id_56b1fdf7"),
    (
        "contracts_historicalcontract",
        "renews_id",
        "contracts_historicalcontract_renews_id_024b819c",
    ),
    (
        "contracts_historicalcontract",
        "support_plan_id",
        "contracts_historicalcontract_support_plan_id_a531186c",
    ),
    ("contracts_planusageday", "plan_id", "contracts_planusageday_plan_id_14bc6957"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0012_contract_name_pieces"),
        ("customers", "0004_account_name_pieces"),
        ("plans", "0001_initial"),
        ("tickets", "0010_stored_search_document"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("{column}")',
                )
                for table, column, index in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="contract",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="contracts",
                        to="customers.account",
                        verbose_name="account",
                    ),
                ),
                migrations.AlterField(
                    model_name="contractusageday",
                    name="contract",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="usage_days",
                        to="contracts.contract",
                        verbose_name="contract",
                    ),
                ),
                migrations.AlterField(
                    model_name="creditentry",
                    name="contract",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="credit_entries",
                        to="contracts.contract",
                        verbose_name="contract",
                    ),
                ),
                migrations.AlterField(
                    model_name="creditentry",
                    name="ticket",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="credit_entries",
                        to="tickets.ticket",
                        verbose_name="ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcontract",
                    name="account",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="customers.account",
                        verbose_name="account",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcontract",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="contract owner",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcontract",
                    name="renews",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="contracts.contract",
                        verbose_name="renews",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcontract",
                    name="support_plan",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="plans.supportplan",
                        verbose_name="support plan",
                    ),
                ),
                migrations.AlterField(
                    model_name="planusageday",
                    name="plan",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="usage_days",
                        to="plans.supportplan",
                        verbose_name="support plan",
                    ),
                ),
            ],
        ),
    ]
