"""The foreign keys' own indexes that another index of their table serves, dropped (issue 21;
why only the indexes: ``tickets/migrations/0011_drop_indexes_another_leads.py``)."""

import django.db.models.deletion
from django.db import migrations, models

# (table, column, the key's own index)
INDEXES = [
    (
        "automation_emailtemplate",
        "department_id",
        "automation_emailtemplate_department_id_429795d5",
    ),
    ("automation_firing", "contract_id", "automation_firing_contract_id_86022920"),
    ("automation_firing", "rule_id", "automation_firing_rule_id_74a04d68"),
    ("automation_firing", "ticket_id", "automation_firing_ticket_id_e5e83237"),
    ("automation_task", "contract_id", "automation_task_contract_id_b18f0bf5"),
    ("automation_task", "ticket_id", "automation_task_ticket_id_03fd4634"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("automation", "0004_rule_sweeps"),
        ("contracts", "0012_contract_name_pieces"),
        ("desk", "0006_short_grams"),
        ("tickets", "0010_stored_search_document"),
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
                    model_name="emailtemplate",
                    name="department",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_templates",
                        to="desk.department",
                        verbose_name="department",
                    ),
                ),
                migrations.AlterField(
                    model_name="firing",
                    name="contract",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contracts.contract",
                    ),
                ),
                migrations.AlterField(
                    model_name="firing",
                    name="rule",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="firings",
                        to="automation.rule",
                    ),
                ),
                migrations.AlterField(
                    model_name="firing",
                    name="ticket",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tickets.ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="task",
                    name="contract",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tasks",
                        to="contracts.contract",
                        verbose_name="contract",
                    ),
                ),
                migrations.AlterField(
                    model_name="task",
                    name="ticket",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tasks",
                        to="tickets.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
        ),
    ]
