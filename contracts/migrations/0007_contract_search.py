"""Search (issue 16): trigram indexes on contract names and numbers, for ``__icontains``
(PostgreSQL).

Django writes ``name__icontains`` as ``UPPER(name) LIKE UPPER('%…%')``; a pg_trgm GIN index on
``UPPER(name)``, and one on ``UPPER(contract_number)``, answer it from three characters on
(Chinese too). PostgreSQL only: SQLite, the development database, scans its rows. (Written as
SQL: Django's ``OpClass`` needs ``django.contrib.postgres`` among the installed apps.)
"""

from django.db import migrations

# Left in place when the migration is reversed: other indexes may use it (TrigramExtension's
# reverse drops it, and failed while the other app's trigram index stood).
EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"

INDEXES = {
    "contract_name_trgm_idx": "name",
    "contract_number_trgm_idx": "contract_number",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXTENSION)
        for name, column in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON contracts_contract "
                f"USING gin (UPPER({column}) gin_trgm_ops)"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0006_open_ended_contracts_and_renewals"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
