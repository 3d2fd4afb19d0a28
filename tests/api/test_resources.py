"""Each resource of the API end to end, as a client with a personal token uses it: lists with their
filters, creates, reads and changes, each refusal a 400 with the service's own message."""

import datetime

import pytest
from django.utils import timezone

from automation.models import Task
from contracts import credits
from contracts.models import Contract, CreditEntry
from contracts.services import PINNED_BY_HISTORY, RENEW_ALREADY_RENEWED
from customers.models import Account, Contact
from desk.choices import Priority, Status
from plans.models import PLAN_LOCKED, SupportPlan
from tests import factories as f
from tests.api.conftest import JSON, contract_body
from tickets.conversation import TICKET_CLOSED_FOR_AGENTS
from tickets.models import Reply, Ticket
from tickets.services import ASSIGNEE_NOT_IN_DEPARTMENT, CONTRACT_NOT_OFFERED

TODAY = timezone.localdate


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def patch(client, url, body):
    return client.patch(url, body, content_type=JSON)


def post(client, url, body=None, **headers):
    return client.post(url, body or {}, content_type=JSON, **headers)


@pytest.fixture
def plan(department):
    return f.SupportPlanFactory(department=department, name="Three tickets", ticket_based=True)


@pytest.fixture
def contract(plan, manager):
    return f.ContractFactory(support_plan=plan, owner=manager)


# --- accounts and contacts ----------------------------------------------------------------------


def test_accounts_list_filter_create_read_and_change(manager_api):
    acme = f.AccountFactory(name="Acme Rockets")
    f.AccountFactory(name="Globex")

    assert ids(manager_api.get("/api/v1/accounts/?q=ROCK")) == [acme.pk]
    assert len(ids(manager_api.get("/api/v1/accounts/"))) == 2

    created = post(manager_api, "/api/v1/accounts/", {"name": "  Initech ", "phone": "123"})
    assert created.status_code == 201, created.json()
    assert created.json()["name"] == "Initech"
    account_id = created.json()["id"]
    assert Account.objects.get(pk=account_id).phone == "123"

    read = manager_api.get(f"/api/v1/accounts/{account_id}/")
    assert read.status_code == 200
    assert read.json() == created.json()

    changed = patch(manager_api, f"/api/v1/accounts/{account_id}/", {"website": "https://i.test"})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["name"] == "Initech"  # not sent: kept
    assert changed.json()["website"] == "https://i.test"
    assert Account.objects.get(pk=account_id).website == "https://i.test"


def test_account_search_pages_newest_first_when_the_matches_are_the_oldest(manager_api):
    """The search reads its matches first (PostgreSQL), then pages them by the cursor: the
    oldest accounts found, newest first, none twice, nothing else; a short Chinese word too."""
    old = [f.AccountFactory(name=f"上海打印 Old {n}") for n in range(3)]
    f.AccountFactory.create_batch(5, name="Globex")

    first = manager_api.get("/api/v1/accounts/?q=old&page_size=2")
    assert ids(first) == [old[2].pk, old[1].pk]
    second = manager_api.get(first.json()["next"])
    assert ids(second) == [old[0].pk]
    assert second.json()["next"] is None
    assert ids(manager_api.get("/api/v1/accounts/?q=打印")) == [a.pk for a in reversed(old)]
    assert ids(manager_api.get("/api/v1/accounts/?q=initech")) == []


def test_contacts_list_by_account_create_and_change_but_never_move(manager_api):
    acme, globex = f.AccountFactory(name="Acme"), f.AccountFactory(name="Globex")
    mine = f.ContactFactory(account=acme)
    f.ContactFactory(account=globex)

    assert ids(manager_api.get(f"/api/v1/contacts/?account={acme.pk}")) == [mine.pk]

    created = post(
        manager_api,
        "/api/v1/contacts/",
        {"account": acme.pk, "first_name": "Ada", "last_name": "Lovelace", "email": "a@acme.test"},
    )
    assert created.status_code == 201, created.json()
    assert created.json() | {"id": None} == {
        "id": None,
        "account": acme.pk,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "a@acme.test",
        "phone": "",
        "is_account_admin": False,
        "has_help_centre_access": False,
    }
    contact_id = created.json()["id"]

    changed = patch(
        manager_api,
        f"/api/v1/contacts/{contact_id}/",
        {"phone": "555", "account": globex.pk, "is_account_admin": True},
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["phone"] == "555"
    assert changed.json()["account"] == acme.pk
    assert changed.json()["is_account_admin"] is False
    contact = Contact.objects.get(pk=contact_id)
    assert (contact.phone, contact.account_id, contact.is_account_admin) == ("555", acme.pk, False)


# --- SLAs and plans -----------------------------------------------------------------------------


def test_slas_read_with_their_targets_and_only_the_callers_departments(
    manager_api, department, other_department
):
    sla = f.SLAFactory(department=department, name="Gold")
    f.SLAFactory(department=other_department, name="Elsewhere")

    assert ids(manager_api.get("/api/v1/slas/")) == [sla.pk]
    read = manager_api.get(f"/api/v1/slas/{sla.pk}/")
    assert read.status_code == 200
    body = read.json()
    assert (body["name"], body["department"]) == ("Gold", department.pk)
    assert [target["priority"] for target in body["targets"]] == [
        Priority.URGENT,
        Priority.HIGH,
        Priority.MEDIUM,
        Priority.LOW,
    ]
    urgent = body["targets"][0]
    assert (urgent["response_minutes"], urgent["resolution_minutes"]) == (30, 240)


def test_slas_cannot_be_written(manager_api, department):
    sla = f.SLAFactory(department=department)
    assert post(manager_api, "/api/v1/slas/", {"name": "New"}).status_code == 405
    assert patch(manager_api, f"/api/v1/slas/{sla.pk}/", {"name": "X"}).status_code == 405


def test_plans_create_change_deactivate_and_activate(manager_api, department):
    sla = f.SLAFactory(department=department)
    created = post(
        manager_api,
        "/api/v1/plans/",
        {
            "department": department.pk,
            "name": "Five a month",
            "plan_type": "ticket_based",
            "credit_cycle": "monthly",
            "credit_limit": 5,
            "sla": sla.pk,
        },
    )
    assert created.status_code == 201, created.json()
    assert created.json()["is_active"] is True
    plan_id = created.json()["id"]

    changed = patch(manager_api, f"/api/v1/plans/{plan_id}/", {"name": "Six", "credit_limit": 6})
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["name"], changed.json()["credit_limit"]) == ("Six", 6)
    assert changed.json()["credit_cycle"] == "monthly"

    off = post(manager_api, f"/api/v1/plans/{plan_id}/deactivate/")
    assert off.status_code == 200, off.json()
    assert off.json()["is_active"] is False
    assert SupportPlan.objects.get(pk=plan_id).is_active is False
    listed = manager_api.get("/api/v1/plans/?is_active=false")
    assert ids(listed) == [plan_id]

    on = post(manager_api, f"/api/v1/plans/{plan_id}/activate/")
    assert on.status_code == 200, on.json()
    assert on.json()["is_active"] is True
    assert SupportPlan.objects.get(pk=plan_id).is_active is True


def test_a_plan_refused_by_its_rules_answers_with_the_models_message(manager_api, department):
    from plans.models import TICKET_BASED_NEEDS_CYCLE

    sla = f.SLAFactory(department=department)
    response = post(
        manager_api,
        "/api/v1/plans/",
        {
            "department": department.pk,
            "name": "No cycle",
            "plan_type": "ticket_based",
            "credit_limit": 5,
            "sla": sla.pk,
        },
    )
    assert response.status_code == 400
    assert response.json() == {"credit_cycle": [str(TICKET_BASED_NEEDS_CYCLE)]}
    assert not SupportPlan.objects.filter(name="No cycle").exists()


def test_a_plan_in_use_keeps_its_cycle_and_sla(manager_api, contract, plan, department):
    other_sla = f.SLAFactory(department=department)
    for field, value in [("credit_cycle", "weekly"), ("sla", other_sla.pk)]:
        response = patch(manager_api, f"/api/v1/plans/{plan.pk}/", {field: value})
        assert response.status_code == 400, field
        assert response.json() == {field: [str(PLAN_LOCKED)]}
    response = patch(
        manager_api,
        f"/api/v1/plans/{plan.pk}/",
        {"plan_type": "unlimited", "credit_cycle": "", "credit_limit": None},
    )
    assert response.status_code == 400
    assert response.json()["plan_type"] == [str(PLAN_LOCKED)]
    plan.refresh_from_db()
    assert (plan.plan_type, plan.credit_cycle, plan.sla_id) == (
        SupportPlan.PlanType.TICKET_BASED,
        SupportPlan.CreditCycle.MONTHLY,
        contract.support_plan.sla_id,
    )
    # Its name and limit still change.
    renamed = patch(manager_api, f"/api/v1/plans/{plan.pk}/", {"name": "Renamed"})
    assert renamed.status_code == 200, renamed.json()


def test_a_plans_name_is_unique_in_its_department_with_the_services_message(
    manager_api, manager, department
):
    from django.core.exceptions import ValidationError

    from plans import services as plan_services

    gold = f.SupportPlanFactory(department=department, name="Gold")
    with pytest.raises(ValidationError) as refused:
        plan_services.plan_create(
            by=manager, department=department, name="Gold", plan_type="unlimited", sla=gold.sla
        )
    expected = {"non_field_errors": refused.value.message_dict["__all__"]}
    body = {
        "department": department.pk,
        "name": "Gold",
        "plan_type": "unlimited",
        "sla": gold.sla_id,
    }
    response = post(manager_api, "/api/v1/plans/", body)
    assert response.status_code == 400
    assert response.json() == expected
    silver = f.SupportPlanFactory(department=department, name="Silver")
    response = patch(manager_api, f"/api/v1/plans/{silver.pk}/", {"name": "Gold"})
    assert response.status_code == 400
    assert response.json() == expected
    assert SupportPlan.objects.filter(name="Gold").count() == 1


# --- contracts and credits ----------------------------------------------------------------------


def test_contracts_create_read_list_and_change(manager_api, manager, plan, agent):
    account = f.AccountFactory()
    created = post(
        manager_api,
        "/api/v1/contracts/",
        contract_body(account, plan, notify_users=[agent.pk], notify_days_before=30),
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["owner"] == manager.pk  # the caller, by default
    assert body["status"] == Contract.Status.ACTIVE
    assert body["notify_users"] == [agent.pk]
    assert body["renews"] is None
    contract_id = body["id"]

    assert manager_api.get(f"/api/v1/contracts/{contract_id}/").json() == body
    assert ids(manager_api.get("/api/v1/contracts/")) == [contract_id]
    assert ids(manager_api.get(f"/api/v1/contracts/?account={account.pk}")) == [contract_id]
    assert ids(manager_api.get("/api/v1/contracts/?status=expired")) == []

    changed = patch(
        manager_api,
        f"/api/v1/contracts/{contract_id}/",
        {"name": "Renamed", "notify_users": [], "notify_days_before": None},
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["name"], changed.json()["notify_users"]) == ("Renamed", [])
    stored = Contract.objects.get(pk=contract_id)
    assert stored.name == "Renamed"
    assert list(stored.notify_users.all()) == []


def test_a_contract_renews_once(manager_api, contract):
    response = post(
        manager_api, f"/api/v1/contracts/{contract.pk}/renew/", {"contract_number": "R-1"}
    )
    assert response.status_code == 201, response.json()
    renewal = response.json()
    assert renewal["renews"] == contract.pk
    assert renewal["contract_number"] == "R-1"
    assert renewal["account"] == contract.account_id
    assert renewal["support_plan"] == contract.support_plan_id
    assert renewal["start_date"] == (contract.end_date + datetime.timedelta(days=1)).isoformat()
    assert Contract.objects.get(pk=renewal["id"]).renews_id == contract.pk

    again = post(manager_api, f"/api/v1/contracts/{contract.pk}/renew/", {"contract_number": "R-2"})
    assert again.status_code == 400
    successor = Contract.objects.get(pk=renewal["id"])
    assert again.json() == {
        "non_field_errors": [str(RENEW_ALREADY_RENEWED) % {"contract": successor}]
    }
    assert not Contract.objects.filter(contract_number="R-2").exists()


def test_a_renewal_takes_the_fields_given(manager_api, contract):
    start = contract.end_date + datetime.timedelta(days=1)
    response = post(
        manager_api,
        f"/api/v1/contracts/{contract.pk}/renew/",
        {
            "contract_number": "R-1",
            "name": "Next year",
            "end_date": (start + datetime.timedelta(days=29)).isoformat(),
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "Next year"
    assert response.json()["end_date"] == (start + datetime.timedelta(days=29)).isoformat()


def test_a_renewal_refused_by_its_rules(manager_api, department):
    from contracts.services import RENEW_NEEDS_END_DATE, RENEW_SAME_ACCOUNT

    open_ended = f.ContractFactory(
        support_plan=f.SupportPlanFactory(department=department), end_date=None
    )
    response = post(
        manager_api, f"/api/v1/contracts/{open_ended.pk}/renew/", {"contract_number": "R-1"}
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [str(RENEW_NEEDS_END_DATE)]}

    contract = f.ContractFactory(support_plan=f.SupportPlanFactory(department=department))
    response = post(
        manager_api,
        f"/api/v1/contracts/{contract.pk}/renew/",
        {"contract_number": "R-1", "account": f.AccountFactory().pk},
    )
    assert response.status_code == 400
    assert response.json() == {"account": [str(RENEW_SAME_ACCOUNT)]}
    assert not Contract.objects.filter(renews__isnull=False).exists()


def test_what_a_contracts_history_pins_is_refused_with_the_message(
    manager_api, contract, department
):
    f.TicketFactory(account=contract.account, department=department, contract=contract)
    other_plan = f.SupportPlanFactory(department=department)
    changes = {
        "start_date": (contract.start_date + datetime.timedelta(days=1)).isoformat(),
        "support_plan": other_plan.pk,
    }
    for field, value in changes.items():
        response = patch(manager_api, f"/api/v1/contracts/{contract.pk}/", {field: value})
        assert response.status_code == 400, field
        assert response.json() == {field: [str(PINNED_BY_HISTORY)]}
    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.start_date, stored.support_plan_id) == (
        contract.start_date,
        contract.support_plan_id,
    )
    # What is not pinned still changes.
    response = patch(manager_api, f"/api/v1/contracts/{contract.pk}/", {"name": "Renamed"})
    assert response.status_code == 200, response.json()


def test_the_credit_summary_of_a_ticket_based_plan(manager_api, contract, manager):
    credits.adjust(by=manager, contract=contract, delta=2, reason="Goodwill")
    response = manager_api.get(f"/api/v1/contracts/{contract.pk}/credits/")
    assert response.status_code == 200
    cycle = credits.cycle_for(contract)
    assert response.json() == {
        "unlimited": False,
        "cycle_start": cycle.start.isoformat(),
        "cycle_end": cycle.end.isoformat(),
        "limit": 3,
        "used": 0,
        "adjusted": 2,
        "left": 5,
    }


def test_the_credit_summary_of_an_unlimited_plan(manager_api, department, manager):
    contract = f.ContractFactory(support_plan=f.SupportPlanFactory(department=department))
    response = manager_api.get(f"/api/v1/contracts/{contract.pk}/credits/")
    assert response.status_code == 200
    assert response.json() == {
        "unlimited": True,
        "cycle_start": None,
        "cycle_end": None,
        "limit": None,
        "used": None,
        "adjusted": None,
        "left": None,
    }


def test_the_ledger_pages_newest_first_by_cursor(manager_api, contract, manager):
    entries = [
        credits.adjust(by=manager, contract=contract, delta=n, reason=f"Reason {n}")
        for n in (1, 2, 3, 4, 5)
    ]
    newest_first = [entry.pk for entry in reversed(entries)]
    url = f"/api/v1/contracts/{contract.pk}/ledger/"

    whole = manager_api.get(url)
    assert ids(whole) == newest_first
    assert whole.json()["next"] is None

    first = manager_api.get(url + "?page_size=2")
    assert ids(first) == newest_first[:2]
    assert first.json()["previous"] is None
    second = manager_api.get(first.json()["next"])
    assert ids(second) == newest_first[2:4]
    # A row added meanwhile neither repeats nor shifts the pages already handed out.
    credits.adjust(by=manager, contract=contract, delta=9, reason="Meanwhile")
    third = manager_api.get(second.json()["next"])
    assert ids(third) == newest_first[4:]
    assert third.json()["next"] is None
    row = first.json()["results"][0]
    assert (row["kind"], row["delta"], row["reason"], row["created_by"]) == (
        CreditEntry.Kind.ADJUSTMENT,
        5,
        "Reason 5",
        manager.pk,
    )


def test_an_adjustment_is_a_ledger_entry(manager_api, contract, manager):
    response = post(
        manager_api,
        f"/api/v1/contracts/{contract.pk}/adjustments/",
        {"delta": -2, "reason": "Billing error"},
    )
    assert response.status_code == 201, response.json()
    entry = response.json()
    assert (entry["kind"], entry["delta"], entry["reason"], entry["created_by"]) == (
        "adjustment",
        -2,
        "Billing error",
        manager.pk,
    )
    assert ids(manager_api.get(f"/api/v1/contracts/{contract.pk}/ledger/")) == [entry["id"]]
    summary = manager_api.get(f"/api/v1/contracts/{contract.pk}/credits/").json()
    assert (summary["adjusted"], summary["left"]) == (-2, 1)


def test_adjustments_refused_by_field_with_the_services_messages(manager_api, contract):
    url = f"/api/v1/contracts/{contract.pk}/adjustments/"
    zero = post(manager_api, url, {"delta": 0, "reason": "Nothing"})
    assert zero.status_code == 400
    assert zero.json() == {"delta": [str(credits.ADJUSTMENT_NOT_ZERO)]}

    for reason in ["", "   "]:
        no_reason = post(manager_api, url, {"delta": 1, "reason": reason})
        assert no_reason.status_code == 400
        assert no_reason.json() == {"reason": [str(credits.ADJUSTMENT_NEEDS_REASON)]}

    missing = post(manager_api, url, {"delta": 1})
    assert missing.status_code == 400
    assert list(missing.json()) == ["reason"]

    too_many = post(manager_api, url, {"delta": 20_000, "reason": "Oops"})
    assert too_many.status_code == 400
    assert too_many.json() == {
        "delta": [str(credits.ADJUSTMENT_TOO_LARGE) % {"limit_value": credits.ADJUSTMENT_MAX}]
    }
    assert not CreditEntry.objects.filter(contract=contract).exists()


def test_an_unlimited_plan_has_no_credits_to_adjust(manager_api, department):
    contract = f.ContractFactory(support_plan=f.SupportPlanFactory(department=department))
    response = post(
        manager_api,
        f"/api/v1/contracts/{contract.pk}/adjustments/",
        {"delta": 1, "reason": "Goodwill"},
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [str(credits.ADJUSTMENT_NEEDS_TICKET_BASED)]}


def test_an_agent_without_adjust_credits_is_refused(agent_api, contract):
    response = post(
        agent_api,
        f"/api/v1/contracts/{contract.pk}/adjustments/",
        {"delta": 1, "reason": "Goodwill"},
    )
    assert response.status_code == 403
    assert "detail" in response.json()
    assert not CreditEntry.objects.exists()
    # Reading is theirs.
    assert agent_api.get(f"/api/v1/contracts/{contract.pk}/ledger/").status_code == 200
    assert agent_api.get(f"/api/v1/contracts/{contract.pk}/credits/").status_code == 200


# --- tickets and replies ------------------------------------------------------------------------


def test_tickets_list_with_the_ticket_lists_filters(manager_api, manager, department):
    open_high = f.TicketFactory(department=department, priority=Priority.HIGH, assignee=manager)
    waiting = f.TicketFactory(
        department=department, status=Status.WAITING_ON_CUSTOMER, priority=Priority.LOW
    )
    resolved = f.TicketFactory(department=department, status=Status.RESOLVED)

    assert ids(manager_api.get("/api/v1/tickets/")) == [resolved.pk, waiting.pk, open_high.pk]
    assert ids(manager_api.get("/api/v1/tickets/?status=waiting_on_customer")) == [waiting.pk]
    assert ids(manager_api.get("/api/v1/tickets/?priority=high")) == [open_high.pk]
    assert ids(manager_api.get("/api/v1/tickets/?assignee=me")) == [open_high.pk]
    assert ids(manager_api.get("/api/v1/tickets/?assignee=none")) == [resolved.pk, waiting.pk]
    assert ids(manager_api.get("/api/v1/tickets/?resolution=unresolved")) == [
        waiting.pk,
        open_high.pk,
    ]
    assert ids(manager_api.get(f"/api/v1/tickets/?account={waiting.account_id}")) == [waiting.pk]


def test_a_new_ticket_follows_the_accounts_contract(manager_api, contract, department):
    response = post(
        manager_api,
        "/api/v1/tickets/",
        {
            "subject": "Printer on fire",
            "account": contract.account_id,
            "department": department.pk,
            "priority": "urgent",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["contract"] == contract.pk
    assert body["sla"] == contract.support_plan.sla_id
    assert (body["status"], body["priority"]) == (Status.OPEN, Priority.URGENT)
    assert body["response_due_at"] is not None
    assert manager_api.get(f"/api/v1/tickets/{body['id']}/").json() == body


def test_a_ticket_changes_status_priority_assignee_and_contract(
    manager_api, manager, contract, department
):
    ticket = f.TicketFactory(account=contract.account, department=department)
    url = f"/api/v1/tickets/{ticket.pk}/"

    response = patch(
        manager_api,
        url,
        {
            "status": "in_progress",
            "priority": "high",
            "assignee": manager.pk,
            "contract": contract.pk,
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["priority"], body["assignee"], body["contract"]) == (
        "in_progress",
        "high",
        manager.pk,
        contract.pk,
    )
    assert body["sla"] == contract.support_plan.sla_id
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee, ticket.contract) == (
        "in_progress",
        "high",
        manager,
        contract,
    )

    cleared = patch(manager_api, url, {"assignee": None, "contract": None})
    assert cleared.status_code == 200, cleared.json()
    assert (cleared.json()["assignee"], cleared.json()["contract"]) == (None, None)

    resolved = patch(manager_api, url, {"status": "resolved"})
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["resolved_at"] is not None


def test_a_ticket_refuses_another_accounts_contract_and_an_outsider(
    manager_api, contract, department, plan
):
    ticket = f.TicketFactory(department=department)  # another account than the contract's
    url = f"/api/v1/tickets/{ticket.pk}/"
    response = patch(manager_api, url, {"contract": contract.pk})
    assert response.status_code == 400
    assert response.json() == {"contract": [str(CONTRACT_NOT_OFFERED)]}

    outsider = f.AgentFactory(username="outsider")
    response = patch(manager_api, url, {"assignee": outsider.pk, "priority": "low"})
    assert response.status_code == 400
    assert response.json() == {"assignee": [str(ASSIGNEE_NOT_IN_DEPARTMENT)]}
    ticket.refresh_from_db()
    assert (ticket.contract, ticket.assignee, ticket.priority) == (None, None, Priority.MEDIUM)

    created = post(
        manager_api,
        "/api/v1/tickets/",
        {
            "subject": "Wrong contract",
            "account": ticket.account_id,
            "department": department.pk,
            "contract": contract.pk,
        },
    )
    assert created.status_code == 400
    assert created.json() == {"contract": [str(CONTRACT_NOT_OFFERED)]}
    assert not Ticket.objects.filter(subject="Wrong contract").exists()


def test_the_conversation_public_replies_private_notes_and_a_status(
    manager_api, manager, department, mailoutbox
):
    contact = f.ContactFactory(email="c@acme.test")
    ticket = f.TicketFactory(department=department, account=contact.account, contact=contact)
    url = f"/api/v1/tickets/{ticket.pk}/replies/"

    note = post(manager_api, url, {"body": "Check the toner first", "public": False})
    assert note.status_code == 201, note.json()
    assert (note.json()["public"], note.json()["author"]) == (False, manager.pk)
    reply = post(manager_api, url, {"body": "Please try again", "status": "waiting_on_customer"})
    assert reply.status_code == 201, reply.json()
    assert reply.json()["public"] is True
    assert "status" not in reply.json()

    conversation = manager_api.get(url)
    assert conversation.status_code == 200
    rows = conversation.json()
    assert [(row["body"], row["public"]) for row in rows] == [
        ("Check the toner first", False),
        ("Please try again", True),
    ]
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    assert ticket.first_responded_at is not None
    assert Reply.objects.filter(ticket=ticket).count() == 2


def test_a_closed_ticket_takes_a_note_but_no_public_reply(manager_api, department):
    ticket = f.TicketFactory(department=department, status=Status.CLOSED)
    url = f"/api/v1/tickets/{ticket.pk}/replies/"
    refused = post(manager_api, url, {"body": "Hello?"})
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": [str(TICKET_CLOSED_FOR_AGENTS)]}
    assert post(manager_api, url, {"body": "For us", "public": False}).status_code == 201
    assert [row["body"] for row in manager_api.get(url).json()] == ["For us"]


# --- tasks --------------------------------------------------------------------------------------


def test_tasks_create_list_complete_and_reopen(manager_api, manager, department):
    ticket = f.TicketFactory(department=department)
    due = (timezone.now() + datetime.timedelta(days=1)).replace(microsecond=0)
    created = post(
        manager_api,
        "/api/v1/tasks/",
        {"subject": "Call back", "ticket": ticket.pk, "due_at": due.isoformat()},
    )
    assert created.status_code == 201, created.json()
    task = created.json()
    assert (task["department"], task["ticket"], task["created_by"]) == (
        department.pk,
        ticket.pk,
        manager.pk,
    )
    assert task["done_at"] is None
    task_id = task["id"]

    assert ids(manager_api.get("/api/v1/tasks/?done=false")) == [task_id]
    assert ids(manager_api.get("/api/v1/tasks/?done=true")) == []

    done = post(manager_api, f"/api/v1/tasks/{task_id}/complete/")
    assert done.status_code == 200, done.json()
    assert (done.json()["done_by"], done.json()["done_at"] is not None) == (manager.pk, True)
    assert Task.objects.get(pk=task_id).done_at is not None
    assert ids(manager_api.get("/api/v1/tasks/?done=true")) == [task_id]
    assert ids(manager_api.get("/api/v1/tasks/?done=false")) == []

    reopened = post(manager_api, f"/api/v1/tasks/{task_id}/reopen/")
    assert reopened.status_code == 200, reopened.json()
    assert (reopened.json()["done_at"], reopened.json()["done_by"]) == (None, None)
    assert ids(manager_api.get("/api/v1/tasks/?done=false")) == [task_id]
    assert manager_api.get(f"/api/v1/tasks/{task_id}/").json() == reopened.json()


def test_a_task_on_a_contract_is_of_the_contracts_department(manager_api, manager, contract):
    due = timezone.now() + datetime.timedelta(hours=2)
    response = post(
        manager_api,
        "/api/v1/tasks/",
        {
            "subject": "Renewal call",
            "contract": contract.pk,
            "assignee": manager.pk,
            "priority": "high",
            "due_at": due.isoformat(),
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["department"], body["contract"], body["assignee"], body["priority"]) == (
        contract.support_plan.department_id,
        contract.pk,
        manager.pk,
        "high",
    )
    assert ids(manager_api.get(f"/api/v1/tasks/?contract={contract.pk}")) == [body["id"]]
