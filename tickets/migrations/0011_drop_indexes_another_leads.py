"""Drop each foreign key's own index where another index of its table leads with the key (or,
in a history, where nothing reads by it): every row written updates one index fewer (issue 21).

Only the indexes: Django's ``AlterField`` would also drop and re-add each foreign key, checking
every row again, and drop a partial unique index on the same single column with it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, the key's own index)
INDEXES = [
    ("tickets_escalationfiring", "ticket_id", "tickets_escalationfiring_ticket_id_35818e39"),
    ("tickets_historicalticket", "account_id", "tickets_historicalticket_account_id_7f346316"),
    ("tickets_historicalticket", "assignee_id", "tickets_historicalticket_assignee_id_161def83"),
    ("tickets_historicalticket", "contact_id", "tickets_historicalticket_contact_id_c9f48538"),
    ("tickets_historicalticket", "contract_id", "tickets_historicalticket_contract_id_df6c9728"),
    (
        "tickets_historicalticket",
        "created_by_id",
        "tickets_historicalticket_created_by_id_eb157036",
    ),
    (
        "tickets_historicalticket",
        "department_id",
        "tickets_historicalticket_department_id_3ccffddd",
    ),
    ("tickets_historicalticket", "sla_id", "tickets_historicalticket_sla_id_82665dc2"),
    ("tickets_reply", "ticket_id", "tickets_reply_ticket_id_45a6459d"),
    ("tickets_ticket", "account_id", "tickets_ticket_account_id_91e3d17e"),
    ("tickets_ticket", "assignee_id", "tickets_ticket_assignee_id_3a5aa407"),
    ("tickets_ticket", "contract_id", "tickets_ticket_contract_id_8bd9dce0"),
    ("tickets_ticket", "department_id", "tickets_ticket_department_id_32e39a8e"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0013_drop_indexes_another_leads"),
        ("customers", "0004_account_name_pieces"),
        ("desk", "0006_short_grams"),
        ("sla", "0005_drop_indexes_another_leads"),
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
                    model_name="escalationfiring",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalations",
                        to="tickets.ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalticket",
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
                    model_name="historicalticket",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalticket",
                    name="contact",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="customers.contact",
                        verbose_name="contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalticket",
                    name="contract",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="contracts.contract",
                        verbose_name="contract",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalticket",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalticket",
                    name="department",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="desk.department",
                        verbose_name="department",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalticket",
                    name="sla",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="sla.sla",
                        verbose_name="SLA",
                    ),
                ),
                migrations.AlterField(
                    model_name="reply",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="replies",
                        to="tickets.ticket",
                        verbose_name="ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="customers.account",
                        verbose_name="account",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_tickets",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="contract",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="contracts.contract",
                        verbose_name="contract",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="department",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="desk.department",
                        verbose_name="department",
                    ),
                ),
            ],
        ),
    ]
