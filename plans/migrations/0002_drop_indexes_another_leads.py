"""The foreign keys' own indexes that another index of their table serves, dropped (issue 21;
why only the indexes: ``tickets/migrations/0011_drop_indexes_another_leads.py``)."""

import django.db.models.deletion
from django.db import migrations, models

# (table, column, the key's own index)
INDEXES = [
    ("plans_supportplan", "department_id", "plans_supportplan_department_id_ffa83f3a"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0006_short_grams"),
        ("plans", "0001_initial"),
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
                    model_name="supportplan",
                    name="department",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="support_plans",
                        to="desk.department",
                        verbose_name="department",
                    ),
                ),
            ],
        ),
    ]
