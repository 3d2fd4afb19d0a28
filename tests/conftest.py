import importlib
import os
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client

from tests import factories as f


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def department(db):
    return f.DepartmentFactory(name="Support", contracts_enabled=True)


@pytest.fixture
def other_department(db):
    return f.DepartmentFactory(name="Hardware", contracts_enabled=True)


@pytest.fixture
def administrator(db, department):
    return f.AdministratorFactory(username="admin", departments=[department])


@pytest.fixture
def agent(db, department):
    return f.AgentFactory(username="agent", departments=[department])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def run_queued_tasks() -> int:
    """Do what a task worker (``manage.py db_worker``) does, here and now: run every task that
    is ready, oldest first, each claimed and recorded as the worker records it. Returns how many
    ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
    )
    ran = 0
    while True:
        with transaction.atomic():  # claimed as the worker claims it
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return ran
            result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1


@contextmanager
def then_the_workers():
    """Run the block, then do what the task workers do next (deliver the mail it queued)."""
    yield
    run_queued_tasks()


def opened_form(client, url) -> dict:
    """The data a browser posts back for the admin form at ``url`` as it was opened: each field
    with its value and, as the back office draws it, its opening value (``initial-<name>``),
    and the inlines' forms."""
    response = client.get(url)
    assert response.status_code == 200, url
    data = {}
    for field in response.context["adminform"].form:
        value = field.value()
        value = "" if value is None else value
        data[field.html_name] = value
        data[f"initial-{field.html_name}"] = value
    for inline in response.context["inline_admin_formsets"]:
        for form in [inline.formset.management_form, *inline.formset.forms]:
            for field in form:
                value = field.value()
                data[field.html_name] = "" if value is None else value
    return data


@pytest.fixture
def back_office(department):
    """Staff of the Administrators group: the back office's user."""
    return f.AdministratorFactory(username="backoffice", is_staff=True, departments=[department])


@pytest.fixture
def back_office_client(back_office):
    return signed_in(back_office)


@pytest.fixture
def admin_client(administrator):
    return signed_in(administrator)


@pytest.fixture
def agent_client(agent):
    return signed_in(agent)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


def restore_ready_groups() -> None:
    """Recreate the ready groups (Administrators, Agents, Contract managers) exactly as their
    data migrations do.

    Transactional tests (live server, threads) flush every table afterwards, data migrations'
    rows included; tests that run after such a flush and sign in through the groups call this.
    """
    migration = importlib.import_module("desk.migrations.0002_groups")
    migration.create_groups(apps, schema_editor=None)
    migration = importlib.import_module("desk.migrations.0005_contract_managers")
    migration.create_contract_managers(apps, schema_editor=None)
    migration = importlib.import_module("automation.migrations.0002_group_permissions")
    migration.grant(apps, schema_editor=None)
    migration = importlib.import_module("api.migrations.0002_administrators_see_tokens")
    migration.grant(apps, schema_editor=None)
