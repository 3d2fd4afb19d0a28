"""Search: contract names and numbers found by a word of one or two characters
(``desk.search``), through GIN indexes of their pieces (PostgreSQL; a trigram needs three
characters)."""

from django.db import migrations

INDEXES = {
    "contract_name_pieces_idx": "name",
    "contract_number_pieces_idx": "contract_number",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON contracts_contract "
                f"USING gin (desk_short_grams({column}))"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0011_cycle_balance"),
        ("desk", "0006_short_grams"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
