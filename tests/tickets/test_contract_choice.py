"""A ticket's contract on the ticket page (SPEC section 6): an agent chooses or changes it while
the ticket holds no spent credit; the change re-decides the SLA (section 4) and the due times and
writes one history row."""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.html import escape

from sla import services as sla_services
from tests import factories as f
from tickets.models import Ticket
from tickets.services import CONTRACT_HOLDS_CREDIT, CONTRACT_NOT_OFFERED, ticket_update

pytestmark = pytest.mark.django_db

GOLD_HIGH = (30, 4 * 60)  # respond in 30 min, resolve in 4 h
BASIC_HIGH = (120, 2 * 24 * 60)  # respond in 2 h, resolve in 2 days


@pytest.fixture
def gold(department, account):
    sla = f.SLAFactory(
        department=department, name="Gold SLA", targets={**f.DEFAULT_TARGETS, "high": GOLD_HIGH}
    )
    plan = f.SupportPlanFactory(department=department, sla=sla, name="Gold")
    return f.ContractFactory(account=account, support_plan=plan, name="Gold contract")


@pytest.fixture
def basic_default(department, administrator):
    sla = f.SLAFactory(
        department=department, name="Basic", targets={**f.DEFAULT_TARGETS, "high": BASIC_HIGH}
    )
    return sla_services.sla_set_default(by=administrator, sla=sla, is_default=True)


def post(client, ticket, **data):
    """Post the update form as the page draws it now, with ``data`` changed."""
    ticket = Ticket.objects.get(pk=ticket.pk)
    shown = {
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": ticket.assignee_id or "",
        "contract": ticket.contract_id or "",
    }
    initial = {f"initial-{name}": value for name, value in shown.items()}
    return client.post(ticket.get_absolute_url(), {**shown, **initial, **data})


def contract_select(html: str) -> str:
    found = re.search(r'<select name="contract".*?</select>', html, re.S)
    assert found, "the ticket page shows no contract field"
    return found.group(0)


def minutes_after_creation(ticket, due) -> float:
    return (due - ticket.created_at).total_seconds() / 60


def test_choosing_a_contract_re_decides_the_sla_and_due_times_in_one_history_row(
    agent_client, open_ticket, gold, basic_default
):
    ticket = open_ticket()
    assert (ticket.contract, ticket.sla) == (gold, gold.support_plan.sla)  # the only contract
    ticket_update(by=f.desk_admin(), ticket=ticket, contract=None)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.sla == basic_default
    rows = ticket.history.count()

    response = post(agent_client, ticket, contract=gold.pk)

    assert response.status_code == 302
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.contract, ticket.sla, ticket.sla_exemption) == (gold, gold.support_plan.sla, "")
    assert minutes_after_creation(ticket, ticket.response_due_at) == GOLD_HIGH[0]
    assert minutes_after_creation(ticket, ticket.resolution_due_at) == GOLD_HIGH[1]
    assert ticket.history.count() == rows + 1
    assert ticket.history.first().history_user.username == "agent"

    # Back to no contract: the department's default, its due times, and the page says so.
    post(agent_client, ticket, contract="")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.contract, ticket.sla) == (None, basic_default)
    assert minutes_after_creation(ticket, ticket.resolution_due_at) == BASIC_HIGH[1]
    assert ticket.history.count() == rows + 2
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert "default SLA: it is not covered by a contract." in html


def test_the_field_offers_no_contract_the_offered_ones_and_the_current_one(
    agent_client, department, account, open_ticket, gold
):
    elsewhere = f.ContractFactory(
        account=f.AccountFactory(), support_plan=gold.support_plan, name="Another account's"
    )
    ticket = open_ticket(contract=gold)
    today = timezone.localdate()
    # The contract ended yesterday: no longer offered, but still the ticket's.
    type(gold).objects.filter(pk=gold.pk).update(end_date=today - datetime.timedelta(days=1))
    renewal = f.ContractFactory(
        account=account, support_plan=gold.support_plan, name="Renewal", start_date=today
    )

    select = contract_select(agent_client.get(ticket.get_absolute_url()).content.decode())

    assert '<option value="">No contract</option>' in select
    assert re.search(rf'<option value="{gold.pk}" selected>Gold contract', select)
    assert f'<option value="{renewal.pk}">Renewal' in select
    assert f'value="{elsewhere.pk}"' not in select
    assert " disabled" not in select.split(">")[0]


def test_a_contract_not_offered_is_refused(agent_client, open_ticket, gold):
    ticket = open_ticket(contract=gold)
    foreign = f.ContractFactory(account=f.AccountFactory(), support_plan=gold.support_plan)

    response = post(agent_client, ticket, contract=foreign.pk)

    assert response.status_code == 200
    assert escape(str(CONTRACT_NOT_OFFERED)) in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).contract == gold


def test_while_the_ticket_holds_a_credit_the_field_is_fixed_and_says_why(
    agent, agent_client, open_ticket, contract, gold
):
    ticket = open_ticket(contract=contract)
    ticket_update(by=agent, ticket=ticket, status="resolved")  # spends its credit
    rows = Ticket.objects.get(pk=ticket.pk).history.count()

    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    select = contract_select(html)
    assert " disabled" in select.split(">")[0]
    assert escape(str(CONTRACT_HOLDS_CREDIT)) in html

    # The page posts no value for a disabled field: other changes go through.
    data = {"status": "resolved", "priority": "low", "assignee": "", "initial-status": "resolved"}
    data |= {"initial-priority": "high", "initial-assignee": "", "initial-contract": contract.pk}
    assert agent_client.post(ticket.get_absolute_url(), data).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).priority == "low"

    # A contract posted all the same is refused with the reason, and nothing changes.
    response = post(agent_client, ticket, contract=gold.pk, priority="urgent")
    assert response.status_code == 200
    assert escape(str(CONTRACT_HOLDS_CREDIT)) in response.content.decode()
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.contract, ticket.priority) == (contract, "low")
    assert ticket.history.count() == rows + 1  # the priority change only

    # Reopened, the credit is refunded and the contract can change again.
    post(agent_client, ticket, status="open")
    assert (
        " disabled"
        not in contract_select(agent_client.get(ticket.get_absolute_url()).content.decode()).split(
            ">"
        )[0]
    )
    assert post(agent_client, ticket, contract=gold.pk).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).contract == gold


def test_no_contract_field_where_the_module_is_off(agent_client, department, open_ticket):
    department.contracts_enabled = False
    department.save()
    ticket = open_ticket()
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert 'name="contract"' not in html
    assert post(agent_client, ticket, priority="low").status_code == 302


def test_the_posted_assignee_and_contract_are_found_among_the_records_drawn(
    agent, open_ticket, gold, django_assert_num_queries
):
    """Validating the update reads no record again: the people and contracts the drop-downs
    were drawn from hold the posted values and the values the page was drawn with."""
    from tickets.forms import TicketUpdateForm

    renewal = f.ContractFactory(
        account=gold.account, support_plan=gold.support_plan, name="Renewal"
    )
    ticket = ticket_update(by=agent, ticket=open_ticket(contract=gold), assignee=agent)
    shown = {"status": "open", "priority": "high", "assignee": agent.pk, "contract": gold.pk}
    data = {**shown, **{f"initial-{k}": v for k, v in shown.items()}, "contract": renewal.pk}
    form = TicketUpdateForm(data=data, ticket=Ticket.objects.get(pk=ticket.pk))

    with django_assert_num_queries(0):
        assert form.is_valid(), form.errors
    assert form.cleaned_data["assignee"] == agent
    assert form.cleaned_data["contract"] == renewal
    assert form.changes() == {"contract": renewal}
    forged = TicketUpdateForm(data={**data, "assignee": "9999999"}, ticket=ticket)
    assert not forged.is_valid() and "assignee" in forged.errors
