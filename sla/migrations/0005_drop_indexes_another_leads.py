"""The foreign keys' own indexes that another index of their table serves, dropped (issue 21;
why only the indexes: ``tickets/migrations/0011_drop_indexes_another_leads.py``)."""

import django.db.models.deletion
from django.db import migrations, models

# (table, column, the key's own index)
INDEXES = [
    ("sla_escalationlevel", "sla_id", "sla_escalationlevel_sla_id_7e93ea10"),
    ("sla_holiday", "holiday_list_id", "sla_holiday_holiday_list_id_183d35ab"),
    ("sla_sla", "department_id", "sla_sla_department_id_6e7de0e6"),
    ("sla_slatarget", "sla_id", "sla_slatarget_sla_id_e6c327ea"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0006_short_grams"),
        ("sla", "0004_escalation_sweeps"),
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
                    model_name="escalationlevel",
                    name="sla",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalation_levels",
                        to="sla.sla",
                    ),
                ),
                migrations.AlterField(
                    model_name="holiday",
                    name="holiday_list",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="holidays",
                        to="sla.holidaylist",
                        verbose_name="list",
                    ),
                ),
                migrations.AlterField(
                    model_name="sla",
                    name="department",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="slas",
                        to="desk.department",
                        verbose_name="department",
                    ),
                ),
                migrations.AlterField(
                    model_name="slatarget",
                    name="sla",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="targets",
                        to="sla.sla",
                    ),
                ),
            ],
        ),
    ]
