"""Search (issue 16): a trigram index on account names, for ``name__icontains`` (PostgreSQL).

Django writes ``name__icontains`` as ``UPPER(name) LIKE UPPER('%…%')``; a pg_trgm GIN index on
``UPPER(name)`` answers it from three characters on (Chinese too). PostgreSQL only: SQLite, the
development database, scans its rows. (Written as SQL: Django's ``OpClass`` needs
``django.contrib.postgres`` among the installed apps.)
"""

from django.db import migrations

# Left in place when the migration is reversed: other indexes may use it (TrigramExtension's
# reverse drops it, and failed while the other app's trigram index stood).
EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXTENSION)
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS account_name_trgm_idx ON customers_account "
            "USING gin (UPPER(name) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS account_name_trgm_idx")


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
