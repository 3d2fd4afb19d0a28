"""The ready group Contract managers: made by a migration, an agent who may also keep contracts."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from contracts.models import Contract
from tests import factories as f
from tests.conftest import signed_in

from .conftest import form_data

pytestmark = pytest.mark.django_db


def codenames(group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_the_migration_makes_the_group_with_the_agents_and_the_contract_permissions():
    managers = Group.objects.get(name="Contract managers")
    agents = Group.objects.get(name="Agents")
    assert codenames(managers) == codenames(agents) | {
        "contracts.add_contract",
        "contracts.change_contract",
        "contracts.adjust_credits",
    }
    assert "contracts.delete_contract" not in codenames(managers)


@pytest.fixture
def manager(department):
    user = f.UserFactory(username="manager")
    user.groups.add(Group.objects.get(name="Contract managers"))
    department.members.add(user)
    return user


def test_a_contract_manager_can_create_a_contract_but_not_open_settings(manager, account, plan):
    client = signed_in(manager)
    response = client.post(
        reverse("contracts:contract_create"), form_data(account=account, plan=plan, owner=manager)
    )
    contract = Contract.objects.get(contract_number="K-1")
    assert response.status_code == 302 and response["Location"] == contract.get_absolute_url()
    assert client.get(reverse("settings")).status_code == 403


def test_the_demo_desk_has_a_contract_manager():
    call_command("load_demo_data", stdout=(out := io.StringIO()))
    manager = Group.objects.get(name="Contract managers").user_set.get()
    assert manager.username == "manager" and manager.check_password("demo")
    assert [d.name for d in manager.departments.all()] == ["Support"]
    assert "manager / demo" in out.getvalue()
