"""Sign-in, permissions and department scoping."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from contracts.models import Contract
from plans.models import SupportPlan
from sla.models import SLA
from tests import factories as f
from tests.conftest import signed_in
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

PAGES = [
    "tickets:ticket_list",
    "tickets:ticket_create",
    "customers:account_list",
    "contracts:contract_list",
    "sla:sla_list",
    "plans:plan_list",
    "desk:modules",
    "settings",
]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_needs_a_signed_in_user(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_ready_groups_exist_with_their_permissions():
    administrators = Group.objects.get(name="Administrators")
    agents = Group.objects.get(name="Agents")
    admin_perms = {p.codename for p in administrators.permissions.all()}
    agent_perms = {p.codename for p in agents.permissions.all()}
    assert {
        "manage_automation",
        "access_all_departments",
        "add_contract",
        "change_contract",
        "adjust_credits",
    } <= admin_perms
    assert "manage_automation" not in agent_perms
    assert "add_contract" not in agent_perms
    assert {"add_ticket", "change_ticket", "view_contract"} <= agent_perms


@pytest.mark.parametrize("name", ["sla:sla_list", "plans:plan_list", "desk:modules", "settings"])
def test_settings_pages_answer_403_without_manage_automation(agent_client, name):
    assert agent_client.get(reverse(name)).status_code == 403


class TestDepartmentScope:
    @pytest.fixture
    def records(self, department, other_department):
        """One ticket, contract, plan and SLA in each department."""
        made = {}
        for dept in (department, other_department):
            contract = f.ContractFactory(support_plan__department=dept)
            ticket = f.TicketFactory(department=dept, account=contract.account, contract=contract)
            made[dept.name] = (ticket, contract, contract.support_plan, contract.support_plan.sla)
        return made

    def test_agent_sees_only_its_departments_records(self, agent, records):
        ticket, contract, plan, sla = records["Support"]
        assert list(Ticket.objects.visible_to(agent)) == [ticket]
        assert list(Contract.objects.visible_to(agent)) == [contract]
        assert list(SupportPlan.objects.visible_to(agent)) == [plan]
        assert list(SLA.objects.visible_to(agent)) == [sla]

    def test_administrator_sees_every_department(self, administrator, records):
        assert Ticket.objects.visible_to(administrator).count() == 2
        assert Contract.objects.visible_to(administrator).count() == 2

    def test_direct_visit_to_another_departments_record_is_404(self, agent_client, records):
        ticket, contract, *_ = records["Hardware"]
        assert agent_client.get(ticket.get_absolute_url()).status_code == 404
        assert agent_client.get(contract.get_absolute_url()).status_code == 404
        own_ticket, own_contract, *_ = records["Support"]
        assert agent_client.get(own_ticket.get_absolute_url()).status_code == 200
        assert agent_client.get(own_contract.get_absolute_url()).status_code == 200

    def test_lists_leave_out_other_departments(self, agent_client, records):
        page = agent_client.get(reverse("tickets:ticket_list")).content.decode()
        assert records["Support"][0].subject in page
        assert records["Hardware"][0].subject not in page


class TestContractsModuleSwitch:
    def test_contracts_entry_shows_only_where_the_module_is_on(self, agent, department):
        client = signed_in(agent)
        contracts_link = f'href="{reverse("contracts:contract_list")}"'
        assert contracts_link in client.get(reverse("tickets:ticket_list")).content.decode()
        department.contracts_enabled = False
        department.save()
        client = signed_in(agent)
        assert contracts_link not in client.get(reverse("tickets:ticket_list")).content.decode()

    def test_contract_pages_answer_404_where_the_module_is_off(self, agent_client, department):
        contract = f.ContractFactory(support_plan__department=department)
        department.contracts_enabled = False
        department.save()
        assert agent_client.get(contract.get_absolute_url()).status_code == 404


def test_an_administrator_of_one_department_switches_only_its_modules(department, other_department):
    manager = f.UserFactory(departments=[department])
    manager.user_permissions.add(
        Permission.objects.get(codename="manage_automation", content_type__app_label="desk")
    )
    other_department.contracts_enabled = True
    other_department.save()
    response = signed_in(manager).post(
        reverse("desk:modules"), {"contracts": [other_department.pk]}
    )
    assert response.status_code == 200  # not a choice for this administrator
    assert "Select a valid choice" in response.content.decode()
    signed_in(manager).post(reverse("desk:modules"), {})
    department.refresh_from_db()
    other_department.refresh_from_db()
    assert not department.contracts_enabled
    assert other_department.contracts_enabled  # untouched


def test_a_users_permissions_are_its_own_and_its_groups_read_in_one_query(
    department, django_assert_num_queries
):
    """Every signed-in page asks for the user's permissions: one query, the same answer as
    Django's model backend (the user's own, its groups', none for an inactive user, all for a
    superuser)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.backends import ModelBackend

    User = get_user_model()
    group = Group.objects.create(name="Ledger")
    group.permissions.add(Permission.objects.get(codename="adjust_credits"))
    user = f.AgentFactory(departments=[department])
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.get(codename="view_sla"))
    inactive = f.AgentFactory(departments=[department], is_active=False)
    superuser = f.UserFactory(is_superuser=True)
    for each in (user, inactive, superuser):
        fresh = User.objects.get(pk=each.pk)
        with django_assert_num_queries(1 if each.is_active else 0):
            ours = fresh.get_all_permissions()
        assert ours == ModelBackend().get_all_permissions(User.objects.get(pk=each.pk))
    fresh = User.objects.get(pk=user.pk)
    assert fresh.has_perm("contracts.adjust_credits") and fresh.has_perm("sla.view_sla")
    assert not fresh.has_perm("sla.delete_sla")
