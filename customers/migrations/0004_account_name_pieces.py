"""Search: account names found by a word of one or two characters (``desk.search``), through a
GIN index of their pieces (PostgreSQL; a trigram needs three characters)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS account_name_pieces_idx ON customers_account "
            "USING gin (desk_short_grams(name))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS account_name_pieces_idx")


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0003_help_centre"),
        ("desk", "0006_short_grams"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
