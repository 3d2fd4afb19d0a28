"""Search (issue 21): each ticket's search document stored in its row, kept by a trigger.

PostgreSQL only, as migration ``tickets.0005_search``, whose function writes the document.

0005 indexed the function's result; a search then read every match from the index and sorted
them to keep the newest 200: 64 ms for a word in half of a 100,000-ticket desk, 335 ms at a
million. Reading the newest tickets first and testing each would have rebuilt each one's
document (30 µs with Chinese). Stored, the test is a read of the column, so PostgreSQL walks the
tickets newest first for a common word and stops at the window, and still reads a rare word's
few matches from the index: a common word's search costs the same at any size.

The column is unknown to Django (``tickets.selectors`` names it in the search's SQL), so no
ticket query reads or writes it: a trigger writes it when a ticket is inserted (COPY included)
and when its subject or description changes, whoever writes the row.
"""

from django.db import migrations

CREATE = [
    "ALTER TABLE tickets_ticket ADD COLUMN IF NOT EXISTS search_document tsvector",
    """
    CREATE OR REPLACE FUNCTION tickets_ticket_write_search_document() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_document := tickets_search_document(NEW.subject, NEW.description);
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER ticket_search_document_on_insert BEFORE INSERT ON tickets_ticket
    FOR EACH ROW EXECUTE FUNCTION tickets_ticket_write_search_document()
    """,
    """
    CREATE TRIGGER ticket_search_document_on_update BEFORE UPDATE OF subject, description
    ON tickets_ticket FOR EACH ROW
    WHEN (OLD.subject IS DISTINCT FROM NEW.subject
          OR OLD.description IS DISTINCT FROM NEW.description)
    EXECUTE FUNCTION tickets_ticket_write_search_document()
    """,
    "UPDATE tickets_ticket SET search_document = tickets_search_document(subject, description)",
    "DROP INDEX IF EXISTS ticket_search_idx",
    "CREATE INDEX ticket_search_idx ON tickets_ticket USING gin (search_document)",
    # How common each word is: the planner's choice between the walk and the index.
    "ANALYZE tickets_ticket",
]

DROP = [
    "DROP INDEX IF EXISTS ticket_search_idx",
    "DROP TRIGGER IF EXISTS ticket_search_document_on_update ON tickets_ticket",
    "DROP TRIGGER IF EXISTS ticket_search_document_on_insert ON tickets_ticket",
    "DROP FUNCTION IF EXISTS tickets_ticket_write_search_document()",
    "ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS search_document",
    "CREATE INDEX ticket_search_idx ON tickets_ticket "
    "USING gin (tickets_search_document(subject, description))",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0009_moment_indexes"),
    ]

    operations = [
        migrations.RunPython(_run(CREATE), _run(DROP), elidable=False),
    ]
