"""Search (issue 16): a full-text index over each ticket's subject and description.

PostgreSQL only: SQLite, the development database, searches with LIKE and needs nothing.

The index is on ``tickets_search_document(subject, description)``, a function made here, rather
than on ``to_tsvector`` itself, for two reasons measured on the 100,000-ticket benchmark desk:

- Chinese and Japanese have no spaces, so the 'simple' parser reads a whole run of them as one
  word and a search for "打印" would never find "打印机无法连接". The function writes each run
  as its overlapping pairs of characters (and its last character alone): "打印机" becomes
  "打 打印 印机 机", and the search asks for the pairs of what was typed (one character: any
  pair starting with it, or the run's last character). Any part of a run is found through the
  index, in subjects and descriptions alike. (A pg_trgm index on the subject finds substrings of three
  characters or more only: for "打印" it read the whole index, 93 ms.)
- It is costly per row (30 µs with Chinese, 8 µs without), and its declared COST tells the
  planner so, which then reads matches from this index rather than rebuilding the document of
  every row it scans (for every ticket of a 100,000-ticket desk: 3 s).

The function calls only built-in functions, so that it works under the restricted search_path
PostgreSQL uses for maintenance (VACUUM, ANALYZE, REINDEX). ``tickets.selectors.ticket_search``
writes the queries; its ``CJK`` character class must stay the same as the one here.
"""

from django.db import migrations

CJK = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"

CREATE_FUNCTION = rf"""
CREATE OR REPLACE FUNCTION tickets_search_document(subject text, description text)
RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
DECLARE
    texts text[] := ARRAY[coalesce(subject, ''), coalesce(description, '')];
BEGIN
    FOR i IN 1..2 LOOP
        IF texts[i] ~ '{CJK}' THEN
            texts[i] := regexp_replace(regexp_replace(regexp_replace(texts[i],
                '({CJK}+)', ' \1 ', 'g'),
                '({CJK})(?!{CJK})', '\1 \1', 'g'),
                '({CJK})(?={CJK})', '\1 \1', 'g');
        END IF;
    END LOOP;
    RETURN setweight(to_tsvector('simple', texts[1]), 'A')
        || setweight(to_tsvector('simple', texts[2]), 'B');
END
$$
"""

CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS ticket_search_idx ON tickets_ticket "
    "USING gin (tickets_search_document(subject, description))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION)
    schema_editor.execute(CREATE_INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS ticket_search_idx")
    schema_editor.execute("DROP FUNCTION IF EXISTS tickets_search_document(text, text)")


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0004_default_sla_for_exempt_tickets"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
