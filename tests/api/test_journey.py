"""The issue's check, as a new user would try it with curl and a token."""

import datetime

import pytest
from django.utils import timezone

from contracts.models import Contract
from contracts.services import PERIOD_OVERLAPS
from tests import factories as f

JSON = "application/json"


@pytest.fixture
def plan(department):
    return f.SupportPlanFactory(department=department, name="Three tickets", ticket_based=True)


def test_a_billing_system_sells_a_contract_and_reads_the_balance_fall(admin_api, plan, department):
    account = admin_api.post("/api/v1/accounts/", {"name": "Acme"}, content_type=JSON)
    assert account.status_code == 201, account.json()
    today = timezone.localdate()
    body = {
        "contract_number": "K-100",
        "name": "Acme support",
        "account": account.json()["id"],
        "support_plan": plan.pk,
        "start_date": today.isoformat(),
        "end_date": (today + datetime.timedelta(days=364)).isoformat(),
    }
    first = admin_api.post(
        "/api/v1/contracts/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="sale-1"
    )
    again = admin_api.post(
        "/api/v1/contracts/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="sale-1"
    )
    assert first.status_code == again.status_code == 201, first.json()
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Contract.objects.filter(contract_number="K-100").count() == 1
    contract_id = first.json()["id"]

    tickets = []
    for number in range(3):
        response = admin_api.post(
            "/api/v1/tickets/",
            {
                "subject": f"Printer {number}",
                "account": account.json()["id"],
                "department": department.pk,
            },
            content_type=JSON,
        )
        assert response.status_code == 201, response.json()
        assert response.json()["contract"] == contract_id
        tickets.append(response.json()["id"])
    for ticket in tickets:
        response = admin_api.patch(
            f"/api/v1/tickets/{ticket}/", {"status": "resolved"}, content_type=JSON
        )
        assert response.status_code == 200, response.json()
    balance = admin_api.get(f"/api/v1/contracts/{contract_id}/credits/").json()
    assert balance | {"cycle_start": None, "cycle_end": None} == {
        "unlimited": False,
        "cycle_start": None,
        "cycle_end": None,
        "limit": 3,
        "used": 3,
        "adjusted": 0,
        "left": 0,
    }

    overlap = admin_api.post(
        "/api/v1/contracts/", body | {"contract_number": "K-101"}, content_type=JSON
    )
    assert overlap.status_code == 400
    assert list(overlap.json()) == ["start_date"]
    [message] = overlap.json()["start_date"]
    assert str(PERIOD_OVERLAPS % {"contract": Contract.objects.get(pk=contract_id)}) == message


def test_an_agent_token_meets_the_walls(agent_api, other_department, department):
    elsewhere = f.ContractFactory(support_plan=f.SupportPlanFactory(department=other_department))
    assert agent_api.get(f"/api/v1/contracts/{elsewhere.pk}/").status_code == 404
    mine = f.SupportPlanFactory(department=department)
    response = agent_api.patch(f"/api/v1/plans/{mine.pk}/", {"name": "Renamed"}, content_type=JSON)
    assert response.status_code == 403, response.json()


def test_no_token_no_entry(db):
    from django.test import Client

    response = Client().get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
