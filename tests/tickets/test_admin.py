"""The back office is a door onto the ticket services like the ticket page (issue 13).

Each test reproduces a defect found by trying the admin as a new user would: a stale save undoing
an agent's resolve, a ticket added without SLA or due times, a resolved ticket moved to another
contract.
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape

from contracts import credits
from contracts.models import CreditEntry
from tests import factories as f
from tests.conftest import opened_form, signed_in
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def change_url(ticket):
    return f"/admin/tickets/ticket/{ticket.pk}/change/"


def test_a_stale_back_office_save_keeps_the_agents_resolve_and_its_credit(
    back_office_client, agent, contract, open_ticket
):
    """An administrator opens the ticket, an agent resolves it, the administrator saves a new
    subject: the ticket stays resolved and holds its one credit (it ended Open, holding the
    credit, in 24 of 120 rounds)."""
    ticket = open_ticket()
    form = opened_form(back_office_client, change_url(ticket))
    services.ticket_update(by=agent, ticket=ticket, status="resolved")

    form["subject"] = "Printer offline (3rd floor)"
    response = back_office_client.post(change_url(ticket), form)

    assert response.status_code == 302
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.subject, ticket.status) == ("Printer offline (3rd floor)", "resolved")
    assert credits.holds_credit(ticket)
    assert credits.summary_for(contract).used == 1


def test_a_back_office_status_change_goes_through_the_service(
    back_office, back_office_client, contract, open_ticket
):
    ticket = open_ticket()
    form = opened_form(back_office_client, change_url(ticket))
    form["status"] = "resolved"
    assert back_office_client.post(change_url(ticket), form).status_code == 302
    entry = CreditEntry.objects.get(ticket=ticket)
    assert (entry.kind, entry.created_by) == ("spend", back_office)
    assert Ticket.objects.get(pk=ticket.pk).history.first().history_user == back_office


def test_a_ticket_added_in_the_back_office_follows_its_contract_and_sla(
    back_office, back_office_client, department, contract
):
    response = back_office_client.post(
        "/admin/tickets/ticket/add/",
        {
            "subject": "Cannot sign in",
            "description": "",
            "account": contract.account_id,
            "contact": "",
            "department": department.pk,
            "priority": "high",
            "product_name": "",
            "contract": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    ticket = Ticket.objects.get(subject="Cannot sign in")
    assert ticket.contract == contract
    assert ticket.sla == contract.support_plan.sla
    assert ticket.response_due_at is not None and ticket.resolution_due_at is not None
    assert ticket.created_by == back_office


def test_a_resolved_ticket_cannot_move_to_another_contract(
    back_office_client, department, contract, open_ticket
):
    """The move gave the new contract "used −1 / 20" after a reopen, and left the old one a spend
    for a ticket no longer its own."""
    other_account_contract = f.ContractFactory(
        support_plan=contract.support_plan,
        start_date=contract.start_date,
        end_date=contract.end_date,
    )
    ticket = open_ticket()
    services.ticket_update(by=f.desk_admin(), ticket=ticket, status="resolved")
    form = opened_form(back_office_client, change_url(ticket))
    form["contract"] = other_account_contract.pk

    response = back_office_client.post(change_url(ticket), form)

    assert response.status_code == 200
    assert escape(str(services.CONTRACT_HOLDS_CREDIT)) in response.content.decode()
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.contract == contract
    assert credits.summary_for(contract).used == 1
    assert not CreditEntry.objects.filter(contract=other_account_contract).exists()


def test_an_open_ticket_moves_only_to_a_contract_of_its_account(
    back_office_client, department, contract, open_ticket
):
    foreign = f.ContractFactory(
        support_plan=contract.support_plan,
        start_date=contract.start_date,
        end_date=contract.end_date,
    )
    ticket = open_ticket()
    form = opened_form(back_office_client, change_url(ticket))
    form["contract"] = foreign.pk
    response = back_office_client.post(change_url(ticket), form)
    assert response.status_code == 200
    assert escape(str(services.CONTRACT_NOT_OFFERED)) in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).contract == contract


def test_moving_an_open_ticket_redecides_its_sla_and_due_times(
    back_office_client, department, contract, open_ticket
):
    f.ContractFactory(  # two active contracts: a ticket without a product follows neither
        account=contract.account,
        support_plan=f.SupportPlanFactory(department=department, name="Other"),
        product_name="Fleet",
    )
    ticket = open_ticket()
    assert ticket.contract is None and ticket.sla is None
    form = opened_form(back_office_client, change_url(ticket))
    form["contract"] = contract.pk
    assert back_office_client.post(change_url(ticket), form).status_code == 302
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.contract == contract and ticket.sla == contract.support_plan.sla
    assert ticket.resolution_due_at is not None
    assert ticket.history.first().history_user is not None


def test_a_refused_back_office_save_changes_nothing(
    back_office_client, department, other_department, open_ticket
):
    ticket = open_ticket()
    form = opened_form(back_office_client, change_url(ticket))
    form["subject"] = "New subject"
    form["assignee"] = f.AgentFactory(departments=[other_department]).pk
    response = back_office_client.post(change_url(ticket), form)
    assert response.status_code == 200
    assert escape(str(services.ASSIGNEE_NOT_IN_DEPARTMENT)) in response.content.decode()
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.subject, ticket.assignee) == ("Printer offline", None)


def test_the_back_office_lists_only_the_users_departments(
    department, other_department, open_ticket
):
    mine = open_ticket()
    theirs = f.TicketFactory(department=other_department)
    clerk = f.AgentFactory(username="clerk", is_staff=True, departments=[department])
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_ticket", "change_ticket"])
    )
    client = signed_in(clerk)
    page = client.get("/admin/tickets/ticket/").content.decode()
    assert change_url(mine) in page and change_url(theirs) not in page
    assert client.get(change_url(theirs)).status_code == 302  # "doesn't exist", back to the list


def test_deleting_a_ticket_that_holds_a_credit_is_refused_by_the_ledger(
    back_office_client, contract, open_ticket
):
    ticket = open_ticket()
    services.ticket_update(by=f.desk_admin(), ticket=ticket, status="resolved")
    response = back_office_client.post(
        f"/admin/tickets/ticket/{ticket.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403  # the ledger keeps its rows: no delete, not even posted
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    with pytest.raises(ValidationError) as refused:
        services.ticket_delete(by=f.desk_admin(), ticket=ticket)
    assert refused.value.messages == [str(services.LEDGER_NO_DELETE)]


def test_deleting_an_untouched_ticket(back_office_client, open_ticket):
    ticket = open_ticket()
    response = back_office_client.post(
        f"/admin/tickets/ticket/{ticket.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Ticket.objects.filter(pk=ticket.pk).exists()


def test_the_cycle_is_that_of_the_resolution_even_when_resolved_in_the_back_office(
    back_office_client, contract, open_ticket
):
    ticket = open_ticket()
    form = opened_form(back_office_client, change_url(ticket))
    form["status"] = "closed"
    back_office_client.post(change_url(ticket), form)
    entry = CreditEntry.objects.get(ticket=ticket)
    assert entry.cycle_start == credits.cycle_for(contract, timezone.localdate()).start
