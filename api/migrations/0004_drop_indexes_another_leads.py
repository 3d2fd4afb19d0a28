"""The foreign keys' own indexes that another index of their table serves, dropped (issue 21;
why only the indexes: ``tickets/migrations/0011_drop_indexes_another_leads.py``)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, the key's own index)
INDEXES = [
    ("api_idempotentrequest", "user_id", "api_idempotentrequest_user_id_7f14c8bc"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0003_request_counts"),
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
                    model_name="idempotentrequest",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
