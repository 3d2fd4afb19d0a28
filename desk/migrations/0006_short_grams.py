"""``desk_short_grams(text)``: a text's one- and two-character pieces, upper case (PostgreSQL).

The names' GIN indexes over it (``customers.0004``, ``contracts.0012``) find a word of one or two
characters, which has no trigram (``desk.search``). Immutable, as an index expression must be:
``upper`` and ``substr`` are.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION desk_short_grams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY(
        SELECT DISTINCT substr(upper(value), start, size)
        FROM generate_series(1, length(value)) AS start, generate_series(1, 2) AS size
        WHERE start + size - 1 <= length(value)
    )
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS desk_short_grams(text)")


class Migration(migrations.Migration):

    dependencies = [
        ("desk", "0005_contract_managers"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
