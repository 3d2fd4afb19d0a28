"""On PostgreSQL the server prepares the desk's statements once a connection has run them a few
times (config/settings.py): a page's queries are planned once per connection, not per request."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_ticket_page_read_again_runs_on_prepared_statements(agent_client, department):
    ticket = f.TicketFactory(department=department, subject="Printer offline")
    for _ in range(7):
        assert agent_client.get(ticket.get_absolute_url()).status_code == 200
    statements = prepared_statements()
    assert any('FROM "tickets_ticket"' in statement for statement in statements)
    assert any('FROM "tickets_reply"' in statement for statement in statements)


def test_a_pooler_that_cannot_keep_them_turns_them_off():
    def options(**env) -> str:
        code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    assert "'prepare_threshold': 5" in options()
    assert "prepare_threshold" not in options(DATABASE_PREPARED_STATEMENTS="0")
