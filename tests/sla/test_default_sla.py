"""The department's default SLA (SPEC section 4): one per department, only an active one, chosen
through one service from the SLA page and the back office; tickets that follow no plan's SLA
follow it, and their page says why."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from contracts import credits
from contracts.models import CreditEntry
from desk.access import NOT_PERMITTED
from sla import services
from sla.admin import ONE_DEFAULT_PER_DEPARTMENT
from sla.models import SLA
from tests import factories as f
from tests.conftest import signed_in
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

NO_CONTRACT_DEFAULT = (
    "This ticket follows the department&#x27;s default SLA: it is not covered by a contract."
)
USED_UP_DEFAULT = (
    "This ticket follows the department&#x27;s default SLA: the support plan&#x27;s credits for "
    "this cycle were used up when it was created."
)
NO_CONTRACT_NONE = "This ticket follows no SLA: it is not covered by a contract."
USED_UP_NONE = (
    "This ticket follows no SLA: the support plan&#x27;s credits for this cycle were used up when "
    "it was created."
)


@pytest.fixture
def standard(department):
    return f.SLAFactory(department=department, name="Standard")


@pytest.fixture
def basic(department):
    """High: respond in 2 h, resolve in 2 days, around the clock."""
    targets = {**f.DEFAULT_TARGETS, "high": (120, 2 * 24 * 60)}
    return f.SLAFactory(department=department, name="Basic", targets=targets)


def defaults(department) -> list[str]:
    return list(
        SLA.objects.filter(department=department, is_default=True).values_list("name", flat=True)
    )


# -- the service ----------------------------------------------------------------------------------


def test_one_default_per_department_the_new_one_replaces_the_old(
    administrator, department, other_department, standard, basic
):
    elsewhere = f.SLAFactory(department=other_department, name="Hardware SLA")
    services.sla_set_default(by=f.desk_admin(), sla=elsewhere, is_default=True)

    services.sla_set_default(by=administrator, sla=standard, is_default=True)
    assert defaults(department) == ["Standard"]
    services.sla_set_default(by=administrator, sla=basic, is_default=True)

    assert defaults(department) == ["Basic"]
    assert defaults(other_department) == ["Hardware SLA"]  # another department's is its own
    for sla, value in ((standard, False), (basic, True)):
        latest = SLA.objects.get(pk=sla.pk).history.first()
        assert (latest.is_default, latest.history_user) == (value, administrator)

    services.sla_set_default(by=administrator, sla=basic, is_default=False)
    assert defaults(department) == []


def test_the_database_refuses_a_second_default(department, standard, basic):
    SLA.objects.filter(pk=standard.pk).update(is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        SLA.objects.filter(pk=basic.pk).update(is_default=True)


def test_only_an_active_sla_can_be_the_default(administrator, standard):
    services.sla_set_active(by=administrator, sla=standard, active=False)
    with pytest.raises(ValidationError) as refused:
        services.sla_set_default(by=administrator, sla=standard, is_default=True)
    assert refused.value.messages == [str(services.DEFAULT_NEEDS_ACTIVE)]
    assert not SLA.objects.get(pk=standard.pk).is_default


def test_deactivating_the_default_clears_it(administrator, standard):
    services.sla_set_default(by=administrator, sla=standard, is_default=True)
    services.sla_set_active(by=administrator, sla=standard, active=False)
    stored = SLA.objects.get(pk=standard.pk)
    assert (stored.is_active, stored.is_default) == (False, False)
    services.sla_set_active(by=administrator, sla=standard, active=True)
    assert not SLA.objects.get(pk=standard.pk).is_default  # reactivating does not restore it


def test_an_agent_may_not_choose_the_default(agent, standard):
    with pytest.raises(PermissionDenied):
        services.sla_set_default(by=agent, sla=standard, is_default=True)
    assert not SLA.objects.get(pk=standard.pk).is_default


def test_the_department_wall(other_department, standard):
    """A manager of automation in another department (administrators see every department)."""
    outsider = f.UserFactory(username="outsider", departments=[other_department])
    outsider.user_permissions.add(Permission.objects.get(codename="manage_automation"))
    with pytest.raises(PermissionDenied):
        services.sla_set_default(by=outsider, sla=standard, is_default=True)
    assert not SLA.objects.get(pk=standard.pk).is_default


# -- the SLA pages --------------------------------------------------------------------------------


def test_the_sla_page_makes_it_the_default_and_back(admin_client, standard, basic):
    page = admin_client.get(reverse("sla:sla_detail", args=[standard.pk])).content.decode()
    assert reverse("sla:sla_make_default", args=[standard.pk]) in page
    assert 'id="sla-default-badge"' not in page

    response = admin_client.post(reverse("sla:sla_make_default", args=[standard.pk]))
    assert response.status_code == 302
    assert SLA.objects.get(pk=standard.pk).is_default

    page = admin_client.get(reverse("sla:sla_detail", args=[standard.pk])).content.decode()
    assert 'id="sla-default-badge"' in page
    assert reverse("sla:sla_unset_default", args=[standard.pk]) in page
    listing = admin_client.get(reverse("sla:sla_list")).content.decode()
    row = next(line for line in listing.splitlines() if ">Standard</a>" in line)
    assert "Default</span>" in row
    row = next(line for line in listing.splitlines() if ">Basic</a>" in line)
    assert "Default</span>" not in row

    admin_client.post(reverse("sla:sla_unset_default", args=[standard.pk]))
    assert not SLA.objects.get(pk=standard.pk).is_default


def test_the_sla_page_says_why_an_inactive_sla_cannot_be_the_default(admin_client, standard):
    SLA.objects.filter(pk=standard.pk).update(is_active=False)
    response = admin_client.post(reverse("sla:sla_make_default", args=[standard.pk]))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        str(services.DEFAULT_NEEDS_ACTIVE)
    ]
    assert not SLA.objects.get(pk=standard.pk).is_default


def test_an_agent_gets_403(agent_client, standard):
    assert agent_client.post(reverse("sla:sla_make_default", args=[standard.pk])).status_code == 403
    assert not SLA.objects.get(pk=standard.pk).is_default


# -- the back office ------------------------------------------------------------------------------


def run_action(client, action, slas):
    return client.post(
        "/admin/sla/sla/",
        {"action": action, "_selected_action": [sla.pk for sla in slas], "index": 0},
    )


def test_the_make_default_action_goes_through_the_service(
    back_office, back_office_client, standard, basic
):
    response = run_action(back_office_client, "make_default", [standard])
    assert response.status_code == 302
    assert defaults(standard.department) == ["Standard"]
    assert SLA.objects.get(pk=standard.pk).history.first().history_user == back_office

    run_action(back_office_client, "make_default", [basic])
    assert defaults(standard.department) == ["Basic"]

    run_action(back_office_client, "unset_default", [basic])
    assert defaults(standard.department) == []


def test_the_action_refuses_two_defaults_for_one_department(back_office_client, standard, basic):
    response = run_action(back_office_client, "make_default", [standard, basic])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        str(ONE_DEFAULT_PER_DEPARTMENT)
    ]
    assert defaults(standard.department) == []


def test_the_action_refuses_an_inactive_sla_and_an_agent(department, back_office_client, standard):
    SLA.objects.filter(pk=standard.pk).update(is_active=False)
    response = run_action(back_office_client, "make_default", [standard])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        str(services.DEFAULT_NEEDS_ACTIVE)
    ]
    SLA.objects.filter(pk=standard.pk).update(is_active=True)
    agent = f.AgentFactory(username="staff-agent", is_staff=True, departments=[department])
    response = run_action(signed_in(agent), "make_default", [standard])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [str(NOT_PERMITTED)]
    assert defaults(department) == []


# -- the tickets that follow it -------------------------------------------------------------------


@pytest.fixture
def account(db):
    return f.AccountFactory(name="Amber Motors")


def new_ticket(by, account, department, **kwargs):
    return ticket_services.ticket_create(
        by=by,
        subject="Printer offline",
        account=account,
        department=department,
        priority="high",
        **kwargs,
    )


def used_up_contract(department, account):
    plan = f.SupportPlanFactory(department=department, ticket_based=True, credit_limit=1)
    contract = f.ContractFactory(account=account, support_plan=plan)
    credits.adjust(by=f.desk_admin(), contract=contract, delta=-1, reason="Spent elsewhere")
    return contract


def sla_alert(html: str) -> str:
    found = re.search(r'id="sla-exemption">(.*?)</div>', html)
    return found.group(1) if found else ""


def test_a_ticket_without_contract_follows_the_default_and_says_so(
    administrator, agent, agent_client, department, account, basic
):
    services.sla_set_default(by=administrator, sla=basic, is_default=True)

    ticket = new_ticket(agent, account, department)

    assert (ticket.contract, ticket.sla, ticket.sla_exemption) == (None, basic, "")
    assert ticket.resolution_due_at - ticket.created_at == pytest.approx(
        datetime.timedelta(days=2), abs=datetime.timedelta(seconds=5)
    )
    assert ticket.response_due_at - ticket.created_at == pytest.approx(
        datetime.timedelta(hours=2), abs=datetime.timedelta(seconds=5)
    )
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert sla_alert(html) == NO_CONTRACT_DEFAULT
    assert re.search(r'id="ticket-sla">Basic <span[^>]*>\(default\)</span>', html)
    listing = agent_client.get("/tickets/").content.decode()
    assert re.search(r"<td>Basic <small[^>]*>\(default\)</small></td>", listing)


def test_a_ticket_opened_with_credits_used_up_follows_the_default_and_spends_nothing(
    administrator, agent, agent_client, department, account, basic
):
    services.sla_set_default(by=administrator, sla=basic, is_default=True)
    contract = used_up_contract(department, account)

    ticket = new_ticket(agent, account, department, contract=contract)

    assert (ticket.contract, ticket.sla, ticket.sla_exemption) == (
        contract,
        basic,
        Ticket.SlaExemption.CREDITS_USED_UP,
    )
    assert ticket.resolution_due_at is not None
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert sla_alert(html) == USED_UP_DEFAULT

    ticket_services.ticket_update(by=agent, ticket=ticket, status="resolved")
    assert not CreditEntry.objects.filter(ticket=ticket).exists()


def test_a_ticket_under_its_plan_follows_the_plans_sla_not_the_default(
    administrator, agent, agent_client, department, account, basic
):
    services.sla_set_default(by=administrator, sla=basic, is_default=True)
    plan = f.SupportPlanFactory(department=department, name="Gold")
    contract = f.ContractFactory(account=account, support_plan=plan)

    ticket = new_ticket(agent, account, department, contract=contract)

    assert ticket.sla == plan.sla and not ticket.follows_default_sla
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert sla_alert(html) == ""
    assert "(default)" not in html


@pytest.mark.parametrize("default", ["none", "inactive", "another department's"])
def test_without_a_default_the_ticket_follows_none(
    agent, agent_client, department, other_department, account, default
):
    if default == "inactive":
        f.SLAFactory(department=department, is_default=True, is_active=False)
    elif default == "another department's":
        f.SLAFactory(department=other_department, is_default=True)

    without = new_ticket(agent, account, department)
    used_up = new_ticket(agent, account, department, contract=used_up_contract(department, account))

    assert (without.sla, without.response_due_at, without.resolution_due_at) == (None, None, None)
    assert (used_up.sla, used_up.sla_exemption) == (None, Ticket.SlaExemption.CREDITS_USED_UP)
    assert sla_alert(agent_client.get(without.get_absolute_url()).content.decode()) == (
        NO_CONTRACT_NONE
    )
    assert sla_alert(agent_client.get(used_up.get_absolute_url()).content.decode()) == USED_UP_NONE
