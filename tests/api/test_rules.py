"""The walls and permissions of the API, as the pages have them: another department's record is a
404 at every address (and an id that does not exist in a body), an action without its permission
a 403, customers and inactive users get nothing, and every refusal is a 400 by field with the
services' own messages, leaving nothing half-saved."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.relations import PrimaryKeyRelatedField

from api import tokens
from api.authentication import CUSTOMERS_REFUSED
from api.models import ApiToken
from automation import services as automation_services
from automation.models import Task
from contracts import credits
from contracts.models import Contract, CreditEntry
from contracts.services import NOTICE_NEEDS_DAYS, PERIOD_OVERLAPS, PLAN_NOT_ACTIVE
from desk.access import NOT_YOUR_DEPARTMENT
from plans.models import SupportPlan
from tests import factories as f
from tests.api.conftest import JSON, contract_body, token_client
from tests.conftest import signed_in
from tickets.conversation import REPLY_EMPTY
from tickets.models import Reply, Ticket
from tickets.services import CONTACT_OTHER_ACCOUNT

MISSING = 10**9  # an id no record has


def does_not_exist(pk) -> str:
    return PrimaryKeyRelatedField.default_error_messages["does_not_exist"].format(pk_value=pk)


def send(client, method, url, body=None):
    return getattr(client, method)(url, body or {}, content_type=JSON)


@pytest.fixture
def elsewhere(other_department):
    """One of everything in a department the manager does not work in."""
    plan = f.SupportPlanFactory(department=other_department, ticket_based=True)
    contract = f.ContractFactory(support_plan=plan)
    ticket = f.TicketFactory(
        account=contract.account, department=other_department, contract=contract
    )
    admin = f.desk_admin()
    credits.adjust(by=admin, contract=contract, delta=1, reason="Goodwill")
    task = automation_services.task_create(
        by=admin, subject="Call", ticket=ticket, due_at=timezone.now()
    )
    Reply.objects.create(ticket=ticket, author=admin, body="Secret note", is_public=False)
    return {"plan": plan, "sla": plan.sla, "contract": contract, "ticket": ticket, "task": task}


def addresses(records):
    contract, ticket = records["contract"].pk, records["ticket"].pk
    plan, sla, task = records["plan"].pk, records["sla"].pk, records["task"].pk
    return [
        ("get", f"/api/v1/contracts/{contract}/", None),
        ("patch", f"/api/v1/contracts/{contract}/", {"name": "Mine now"}),
        ("post", f"/api/v1/contracts/{contract}/renew/", {"contract_number": "R-9"}),
        ("get", f"/api/v1/contracts/{contract}/credits/", None),
        ("get", f"/api/v1/contracts/{contract}/ledger/", None),
        ("post", f"/api/v1/contracts/{contract}/adjustments/", {"delta": 5, "reason": "Gift"}),
        ("get", f"/api/v1/tickets/{ticket}/", None),
        ("patch", f"/api/v1/tickets/{ticket}/", {"priority": "urgent"}),
        ("get", f"/api/v1/tickets/{ticket}/replies/", None),
        ("post", f"/api/v1/tickets/{ticket}/replies/", {"body": "Hello"}),
        ("get", f"/api/v1/plans/{plan}/", None),
        ("patch", f"/api/v1/plans/{plan}/", {"name": "Mine now"}),
        ("post", f"/api/v1/plans/{plan}/deactivate/", None),
        ("post", f"/api/v1/plans/{plan}/activate/", None),
        ("get", f"/api/v1/slas/{sla}/", None),
        ("get", f"/api/v1/tasks/{task}/", None),
        ("post", f"/api/v1/tasks/{task}/complete/", None),
        ("post", f"/api/v1/tasks/{task}/reopen/", None),
    ]


def test_another_departments_records_are_404_at_every_address(manager_api, elsewhere):
    before = {
        "contracts": list(Contract.objects.values()),
        "plans": list(SupportPlan.objects.values()),
        "tickets": list(Ticket.objects.values()),
        "ledger": CreditEntry.objects.count(),
        "replies": Reply.objects.count(),
        "tasks": list(Task.objects.values()),
    }
    for method, url, body in addresses(elsewhere):
        response = send(manager_api, method, url, body)
        assert response.status_code == 404, (method, url, response.content)
        assert set(response.json()) == {"detail"}
    assert before == {
        "contracts": list(Contract.objects.values()),
        "plans": list(SupportPlan.objects.values()),
        "tickets": list(Ticket.objects.values()),
        "ledger": CreditEntry.objects.count(),
        "replies": Reply.objects.count(),
        "tasks": list(Task.objects.values()),
    }


def test_an_address_of_another_department_answers_as_one_that_does_not_exist(
    manager_api, elsewhere
):
    for method, url, body in addresses(elsewhere):
        theirs = send(manager_api, method, url, body)
        for key in ("contract", "ticket", "plan", "sla", "task"):
            url = url.replace(f"/{elsewhere[key].pk}/", f"/{MISSING}/")
        missing = send(manager_api, method, url, body)
        assert (missing.status_code, missing.json()) == (404, theirs.json()), (method, url)


def test_the_lists_hold_none_of_another_departments_records(manager_api, elsewhere):
    for resource in ["contracts", "tickets", "plans", "slas", "tasks"]:
        response = manager_api.get(f"/api/v1/{resource}/")
        assert response.status_code == 200
        assert response.json()["results"] == [], resource


def test_a_filter_naming_another_departments_record_is_refused(
    manager_api, elsewhere, other_department, department
):
    for url, field in [
        (f"/api/v1/contracts/?support_plan={elsewhere['plan'].pk}", "support_plan"),
        (f"/api/v1/contracts/?sla={elsewhere['sla'].pk}", "sla"),
        (f"/api/v1/tickets/?department={other_department.pk}", "department"),
    ]:
        response = manager_api.get(url)
        assert response.status_code == 400, url
        assert list(response.json()) == [field]
    mine = f.TicketFactory(department=department)
    listed = manager_api.get(f"/api/v1/tickets/?department={department.pk}")
    assert [row["id"] for row in listed.json()["results"]] == [mine.pk]


def test_a_contract_of_a_department_without_the_contracts_module_is_404(manager_api, department):
    contract = f.ContractFactory(support_plan=f.SupportPlanFactory(department=department))
    department.contracts_enabled = False
    department.save()
    assert manager_api.get(f"/api/v1/contracts/{contract.pk}/").status_code == 404
    assert manager_api.get(f"/api/v1/contracts/{contract.pk}/credits/").status_code == 404


def test_a_related_record_of_another_department_in_a_body_is_a_400_for_that_field(
    manager_api, department, elsewhere, other_department
):
    today = timezone.localdate()
    mine = f.TicketFactory(department=department)
    account = f.AccountFactory()
    my_plan = f.SupportPlanFactory(department=department)
    their = {key: record.pk for key, record in elsewhere.items()}
    cases = [
        (
            "post",
            "/api/v1/contracts/",
            {
                "contract_number": "K-1",
                "name": "K",
                "account": account.pk,
                "start_date": today.isoformat(),
            },
            "support_plan",
            "plan",
        ),
        (
            "post",
            "/api/v1/plans/",
            {"department": department.pk, "name": "P", "plan_type": "unlimited"},
            "sla",
            "sla",
        ),
        ("patch", f"/api/v1/plans/{my_plan.pk}/", {}, "sla", "sla"),
        (
            "post",
            "/api/v1/tickets/",
            {"subject": "S", "account": account.pk, "department": department.pk},
            "contract",
            "contract",
        ),
        ("patch", f"/api/v1/tickets/{mine.pk}/", {}, "contract", "contract"),
        (
            "post",
            "/api/v1/tasks/",
            {"subject": "T", "due_at": timezone.now().isoformat()},
            "ticket",
            "ticket",
        ),
        (
            "post",
            "/api/v1/tasks/",
            {"subject": "T", "due_at": timezone.now().isoformat(), "department": department.pk},
            "contract",
            "contract",
        ),
    ]
    for method, url, body, field, key in cases:
        response = send(manager_api, method, url, body | {field: their[key]})
        assert response.status_code == 400, (url, field, response.content)
        assert response.json() == {field: [does_not_exist(their[key])]}, (url, field)
        # Exactly as an id that does not exist: the record's existence is not told.
        response = send(manager_api, method, url, body | {field: MISSING})
        assert response.json() == {field: [does_not_exist(MISSING)]}
    assert not Contract.objects.filter(contract_number="K-1").exists()
    assert not SupportPlan.objects.filter(name="P").exists()
    assert not Ticket.objects.filter(subject="S").exists()
    assert not Task.objects.filter(subject="T").exists()
    assert SupportPlan.objects.get(pk=my_plan.pk).sla_id == my_plan.sla_id
    assert Ticket.objects.get(pk=mine.pk).contract_id is None


def test_a_department_the_caller_does_not_work_in_is_refused_by_field(
    manager_api, department, other_department
):
    my_sla = f.SLAFactory(department=department)
    account = f.AccountFactory()
    cases = [
        ("/api/v1/plans/", {"name": "P", "plan_type": "unlimited", "sla": my_sla.pk}),
        ("/api/v1/tickets/", {"subject": "S", "account": account.pk}),
        ("/api/v1/tasks/", {"subject": "T", "due_at": timezone.now().isoformat()}),
    ]
    for url, body in cases:
        response = send(manager_api, "post", url, body | {"department": other_department.pk})
        assert response.status_code == 400, (url, response.content)
        assert response.json() == {"department": [str(NOT_YOUR_DEPARTMENT)]}, url
    assert not SupportPlan.objects.filter(name="P").exists()
    assert not Ticket.objects.exists()
    assert not Task.objects.exists()


def test_a_plan_in_my_department_on_an_sla_i_cannot_see_is_refused(manager_api, department):
    outside = f.SLAFactory(department=f.DepartmentFactory(name="Mine"))
    response = send(
        manager_api,
        "post",
        "/api/v1/plans/",
        {"department": department.pk, "name": "P", "plan_type": "unlimited", "sla": outside.pk},
    )
    assert response.status_code == 400
    assert response.json() == {"sla": [does_not_exist(outside.pk)]}


def test_an_agent_changing_a_plan_is_refused_403(agent_api, department):
    plan = f.SupportPlanFactory(department=department, name="Kept")
    for method, url, body in [
        ("patch", f"/api/v1/plans/{plan.pk}/", {"name": "Renamed"}),
        ("post", f"/api/v1/plans/{plan.pk}/deactivate/", None),
        (
            "post",
            "/api/v1/plans/",
            {
                "department": department.pk,
                "name": "New",
                "plan_type": "unlimited",
                "sla": plan.sla_id,
            },
        ),
    ]:
        response = send(agent_api, method, url, body)
        assert response.status_code == 403, (method, url, response.content)
        assert set(response.json()) == {"detail"}
    plan.refresh_from_db()
    assert (plan.name, plan.is_active) == ("Kept", True)
    assert not SupportPlan.objects.filter(name="New").exists()
    # Reading is theirs.
    assert agent_api.get(f"/api/v1/plans/{plan.pk}/").status_code == 200


def test_an_agent_may_not_create_or_change_contracts(agent_api, department):
    plan = f.SupportPlanFactory(department=department)
    contract = f.ContractFactory(support_plan=plan, name="Kept")
    today = timezone.localdate()
    body = {
        "contract_number": "K-1",
        "name": "K",
        "account": contract.account_id,
        "support_plan": plan.pk,
        "start_date": (contract.end_date + datetime.timedelta(days=1)).isoformat(),
        "end_date": (today + datetime.timedelta(days=800)).isoformat(),
    }
    assert send(agent_api, "post", "/api/v1/contracts/", body).status_code == 403
    assert (
        send(agent_api, "patch", f"/api/v1/contracts/{contract.pk}/", {"name": "X"}).status_code
        == 403
    )
    renew = send(
        agent_api, "post", f"/api/v1/contracts/{contract.pk}/renew/", {"contract_number": "R"}
    )
    assert renew.status_code == 403
    assert list(Contract.objects.values_list("name", flat=True)) == ["Kept"]


def test_a_user_without_the_view_permission_reads_nothing(department):
    nobody = f.UserFactory(username="nobody", departments=[department])
    client = token_client(nobody)
    for resource in ["accounts", "contacts", "slas", "plans", "contracts", "tickets", "tasks"]:
        response = client.get(f"/api/v1/{resource}/")
        assert response.status_code == 403, resource


def test_a_customer_gets_no_token_and_their_session_is_refused(db):
    from django.core.exceptions import PermissionDenied

    contact = f.ContactFactory(email="ada@acme.test")
    customer = f.customer_of(contact, is_account_admin=True)
    with pytest.raises(PermissionDenied):
        tokens.token_create(by=customer, name="Mine")
    assert not ApiToken.objects.filter(user=customer).exists()

    session = signed_in(customer)
    for url in ["/api/v1/", "/api/v1/tickets/", "/api/v1/accounts/"]:
        assert session.get(url).status_code == 403, url
    response = session.post(
        "/api/v1/tickets/", {"subject": "Hi", "account": contact.account_id}, content_type=JSON
    )
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_a_customers_token_made_behind_the_services_back_is_refused(db):
    customer = f.customer_of(f.ContactFactory(email="ada@acme.test"))
    _token, secret = ApiToken.objects.create(user=customer, expiry=None, name="Sneaky")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/accounts/")
    assert response.status_code == 401
    assert response.json() == {"detail": str(CUSTOMERS_REFUSED)}


def test_an_inactive_users_token_is_401(agent):
    client = token_client(agent)
    assert client.get("/api/v1/tickets/").status_code == 200
    agent.is_active = False
    agent.save()
    response = client.get("/api/v1/tickets/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_no_token_a_wrong_token_or_a_revoked_one_is_401_json(agent):
    assert Client().get("/api/v1/accounts/").json().keys() == {"detail"}
    response = Client(HTTP_AUTHORIZATION="Bearer desk_not-a-token").get("/api/v1/accounts/")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json"
    token, secret = tokens.token_create(by=agent, name="Revoked")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/accounts/").status_code == 200
    tokens.token_revoke(by=agent, token_key=token.token_key)
    response = client.get("/api/v1/accounts/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}
    post = Client().post("/api/v1/accounts/", {"name": "Acme"}, content_type=JSON)
    assert post.status_code == 401
    assert post.headers["Content-Type"] == "application/json"


# --- a refusal is a 400 by field, with the service's message, and saves nothing ---------------


@pytest.fixture
def plan(department):
    return f.SupportPlanFactory(department=department, ticket_based=True)


def test_an_overlapping_contract_is_refused_and_not_saved(manager_api, plan):
    first = f.ContractFactory(support_plan=plan)
    response = send(manager_api, "post", "/api/v1/contracts/", contract_body(first.account, plan))
    assert response.status_code == 400
    assert response.json() == {"start_date": [str(PERIOD_OVERLAPS) % {"contract": first}]}
    assert list(Contract.objects.all()) == [first]


def test_an_invalid_contract_creates_no_contract_and_no_history(manager_api, plan, agent):
    account = f.AccountFactory()
    response = send(
        manager_api,
        "post",
        "/api/v1/contracts/",
        contract_body(account, plan, notify_users=[agent.pk]),
    )
    assert response.status_code == 400
    assert response.json() == {"notify_days_before": [str(NOTICE_NEEDS_DAYS)]}
    assert not Contract.objects.exists()
    assert not Contract.history.exists()
    assert not Contract.notify_users.through.objects.exists()


def test_a_contract_on_an_inactive_plan_is_refused(manager_api, plan):
    plan.is_active = False
    plan.save()
    response = send(
        manager_api, "post", "/api/v1/contracts/", contract_body(f.AccountFactory(), plan)
    )
    assert response.status_code == 400
    assert response.json() == {"support_plan": [str(PLAN_NOT_ACTIVE)]}
    assert not Contract.objects.exists()


def test_a_refused_change_changes_nothing(manager_api, plan, department):
    contract = f.ContractFactory(support_plan=plan, name="Kept")
    f.TicketFactory(department=department, account=contract.account, contract=contract)
    response = send(
        manager_api,
        "patch",
        f"/api/v1/contracts/{contract.pk}/",
        {"name": "Renamed", "start_date": (contract.start_date - datetime.timedelta(days=1))},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["start_date"]
    contract.refresh_from_db()
    assert contract.name == "Kept"
    assert contract.history.count() == 1


def test_a_ticket_with_another_accounts_contact_is_refused(manager_api, department):
    account, contact = f.AccountFactory(), f.ContactFactory()
    response = send(
        manager_api,
        "post",
        "/api/v1/tickets/",
        {
            "subject": "Hi",
            "account": account.pk,
            "department": department.pk,
            "contact": contact.pk,
        },
    )
    assert response.status_code == 400
    assert response.json() == {"contact": [str(CONTACT_OTHER_ACCOUNT)]}
    assert not Ticket.objects.exists()


def test_an_empty_reply_is_refused_with_the_conversations_message(manager_api, department):
    ticket = f.TicketFactory(department=department)
    for body in ["", "   "]:
        response = send(
            manager_api, "post", f"/api/v1/tickets/{ticket.pk}/replies/", {"body": body}
        )
        assert response.status_code == 400
        assert response.json() == {"body": [str(REPLY_EMPTY)]}
    assert not Reply.objects.exists()
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None


def test_tasks_refused_with_the_services_messages(admin_api, manager, department, other_department):
    contract = f.ContractFactory(support_plan=f.SupportPlanFactory(department=other_department))
    due = timezone.now().isoformat()
    cases = [
        (
            {"subject": "T", "due_at": due, "department": department.pk, "contract": contract.pk},
            {"contract": [str(automation_services.TASK_OTHER_DEPARTMENT)]},
        ),
        (
            {"subject": "  ", "due_at": due, "department": department.pk},
            {"subject": [str(automation_services.TASK_SUBJECT_EMPTY)]},
        ),
        (
            {
                "subject": "T",
                "due_at": due,
                "department": other_department.pk,
                "assignee": manager.pk,
            },
            {"assignee": [str(automation_services.NOT_A_MEMBER)]},
        ),
    ]
    for body, errors in cases:
        response = send(admin_api, "post", "/api/v1/tasks/", body)
        assert response.status_code == 400, body
        assert response.json() == errors
    assert not Task.objects.exists()
