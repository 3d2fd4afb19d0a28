"""Settings > Customization > Organize modules: the Contracts switch per department."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from desk.models import Department
from tests import factories as f
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

MODULES = "/settings/customization/modules/"


def test_administrator_sees_a_switch_per_department(admin_client, department, other_department):
    page = admin_client.get(MODULES).content.decode()
    assert "Support" in page and "Hardware" in page


def test_switching_off_hides_the_top_bar_entry_and_404s_the_contract_pages(
    admin_client, department, other_department
):
    agent = f.AgentFactory(username="worker", departments=[department])
    agent.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_contract", "change_contract"])
    )
    contract = f.ContractFactory(support_plan__department=department)
    client = signed_in(agent)
    contracts_link = f'href="{reverse("contracts:contract_list")}"'
    assert contracts_link in client.get("/tickets/").content.decode()
    assert client.get(contract.get_absolute_url()).status_code == 200

    response = admin_client.post(MODULES, {"contracts": [other_department.pk]})
    assert response.status_code == 302
    assert not Department.objects.get(pk=department.pk).contracts_enabled

    client = signed_in(agent)  # a fresh request: the top bar is computed per request
    page = client.get("/tickets/").content.decode()
    assert contracts_link not in page
    assert "New contract" not in page
    assert client.get(contract.get_absolute_url()).status_code == 404
    assert client.get(reverse("contracts:contract_edit", args=[contract.pk])).status_code == 404
    assert contract.contract_number not in client.get("/contracts/").content.decode()


def test_switching_on_shows_the_entry(admin_client, department):
    department.contracts_enabled = False
    department.save()
    agent = f.AgentFactory(username="worker", departments=[department])
    contracts_link = f'href="{reverse("contracts:contract_list")}"'
    assert contracts_link not in signed_in(agent).get("/tickets/").content.decode()
    admin_client.post(MODULES, {"contracts": [department.pk]})
    assert contracts_link in signed_in(agent).get("/tickets/").content.decode()


def test_agents_get_403_even_for_a_forged_post(agent_client, department):
    assert agent_client.get(MODULES).status_code == 403
    assert agent_client.post(MODULES, {"contracts": []}).status_code == 403
    assert Department.objects.get(pk=department.pk).contracts_enabled
