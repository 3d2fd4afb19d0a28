"""Every address of SPEC section 8 answers with its records; the admin lists every model."""

import io
import subprocess
import sys

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from contracts.models import Contract
from customers.models import Account
from desk.choices import Status
from plans.models import SupportPlan
from sla.models import SLA
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

DESK_APPS = ["desk", "customers", "sla", "plans", "contracts", "tickets"]


@pytest.fixture
def demo(db):
    call_command("load_demo_data", stdout=io.StringIO())


@pytest.fixture
def demo_admin_client(client, demo):
    assert client.login(username="admin", password="demo")
    return client


def test_sign_in_page_answers(client):
    assert client.get("/accounts/login/").status_code == 200


def test_every_address_answers_200_with_its_records(demo_admin_client):
    ticket = Ticket.objects.first()
    contract = Contract.objects.first()
    plan = SupportPlan.objects.first()
    sla = SLA.objects.first()
    account = Account.objects.first()
    pages = {
        "/tickets/": ticket.subject,
        "/tickets/new/": "subject",
        f"/tickets/{ticket.pk}/": ticket.subject,
        "/customers/": account.name,
        f"/customers/{account.pk}/": account.name,
        "/contracts/": contract.contract_number,
        f"/contracts/{contract.pk}/": contract.contract_number,
        "/settings/automation/slas/": sla.name,
        f"/settings/automation/slas/{sla.pk}/": sla.name,
        "/settings/automation/support-plans/": plan.name,
        f"/settings/automation/support-plans/{plan.pk}/": plan.name,
        "/settings/customization/modules/": "Support",
    }
    for path, text in pages.items():
        response = demo_admin_client.get(path)
        assert response.status_code == 200, path
        assert text in response.content.decode(), path


def test_admin_lists_every_model(demo_admin_client):
    index = demo_admin_client.get("/admin/").content.decode()
    for model in apps.get_models():
        if model._meta.app_label in DESK_APPS and not model.__name__.startswith("Historical"):
            inline = {"SLATarget", "WorkingPeriod", "EscalationLevel", "Holiday", "Reply"}
            if model.__name__ in inline:
                continue  # shown inline on their SLA / holiday list / ticket
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            assert url in index, model
            assert demo_admin_client.get(url).status_code == 200, model


def test_demo_data_is_loaded_once(demo):
    count = Ticket.objects.count()
    call_command("load_demo_data", stdout=io.StringIO())
    assert Ticket.objects.count() == count


def test_demo_desk_has_tickets_in_every_status_and_contracts_in_every_state(demo):
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    statuses = {c.status for c in Contract.objects.all()}
    assert statuses == {"upcoming", "active", "expired"}
    # The demo agent has tickets of their own, and some wait for someone to take them.
    assert set(Ticket.objects.values_list("assignee__username", flat=True)) == {"agent", None}


def test_production_settings_pass_the_deploy_check():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-1234567890",
        "ALLOWED_HOSTS": "desk.example.com",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
