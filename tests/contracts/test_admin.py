"""The back office is a door onto the contract services like the contract pages.

Adds and changes go through ``contract_create`` / ``contract_update`` with the signed-in user; a
refusal comes back on the form (200, nothing saved); a save changes only what the form changed
since it was opened; the department wall holds in the lists and on direct visits.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape

from contracts import credits, services
from contracts.models import Contract, CreditEntry
from contracts.services import (
    PERIOD_OVERLAPS,
    PINNED_BY_HISTORY,
    PLAN_NOT_ACTIVE,
    contract_update,
)
from desk.access import NOT_YOUR_DEPARTMENT
from tests import factories as f
from tests.conftest import opened_form, signed_in

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/contracts/contract/"
ADD = "/admin/contracts/contract/add/"


def change_url(contract):
    return f"/admin/contracts/contract/{contract.pk}/change/"


def delete_url(contract):
    return f"/admin/contracts/contract/{contract.pk}/delete/"


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


@pytest.fixture
def account(db):
    return f.AccountFactory(name="Acme")


@pytest.fixture
def plan(department):
    return f.SupportPlanFactory(department=department, name="Gold", ticket_based=True)


@pytest.fixture
def contract(plan, account, back_office):
    return f.ContractFactory(
        name="Acme support",
        contract_number="K-1",
        account=account,
        support_plan=plan,
        owner=back_office,
    )


@pytest.fixture
def contract_with_credits(contract, back_office):
    credits.adjust(by=back_office, contract=contract, delta=-3, reason="x")
    return contract


def new_contract(client, *, account, plan, owner, **overrides) -> dict:
    """The add form as opened, filled in for a year from today."""
    start = timezone.localdate()
    data = opened_form(client, ADD)
    data.update(
        owner=owner.pk,
        name="Acme fleet support",
        contract_number="K-2",
        product_name="Fleet",
        account=account.pk,
        start_date=start.isoformat(),
        end_date=(start + datetime.timedelta(days=364)).isoformat(),
        support_plan=plan.pk,
        notify_users=[owner.pk],
        notify_days_before="30",
    )
    data.update(overrides)
    return data


# -- add ------------------------------------------------------------------------------------------


def test_a_contract_added_in_the_back_office_is_saved_through_the_service(
    back_office, back_office_client, agent, account, plan
):
    data = new_contract(back_office_client, account=account, plan=plan, owner=agent)

    response = back_office_client.post(ADD, data)

    assert response.status_code == 302, form_errors(response)
    contract = Contract.objects.get(contract_number="K-2")
    assert (contract.name, contract.owner, contract.account, contract.support_plan) == (
        "Acme fleet support",
        agent,
        account,
        plan,
    )
    assert contract.start_date == timezone.localdate()
    assert list(contract.notify_users.all()) == [agent]
    assert contract.notify_days_before == 30
    (row,) = contract.history.all()
    assert (row.history_type, row.history_user) == ("+", back_office)


def test_adding_a_contract_overlapping_a_same_sla_contract_of_the_account_is_refused(
    back_office_client, agent, account, contract
):
    # Another plan of the same SLA: the account would get the SLA twice on the same days.
    same_sla = f.SupportPlanFactory(
        department=contract.support_plan.department,
        name="Gold (yearly)",
        sla=contract.support_plan.sla,
    )
    data = new_contract(back_office_client, account=account, plan=same_sla, owner=agent)

    response = back_office_client.post(ADD, data)

    assert response.status_code == 200
    message = str(PERIOD_OVERLAPS) % {"contract": contract}
    assert form_errors(response)["start_date"] == [message]
    assert escape(message) in response.content.decode()
    assert list(Contract.objects.all()) == [contract]
    assert not Contract.history.filter(contract_number="K-2").exists()


def test_adding_a_contract_on_an_inactive_plan_is_refused(
    back_office_client, agent, department, account
):
    retired = f.SupportPlanFactory(department=department, name="Retired", is_active=False)
    data = new_contract(back_office_client, account=account, plan=retired, owner=agent)

    response = back_office_client.post(ADD, data)

    assert response.status_code == 200
    assert form_errors(response)["support_plan"] == [str(PLAN_NOT_ACTIVE)]
    assert escape(str(PLAN_NOT_ACTIVE)) in response.content.decode()
    assert not Contract.objects.exists()


# -- change ---------------------------------------------------------------------------------------


def test_moving_the_start_of_a_contract_with_credit_entries_is_refused(
    back_office_client, contract_with_credits
):
    contract = contract_with_credits
    before = credits.summary_for(contract)
    assert before.adjusted == -3
    data = opened_form(back_office_client, change_url(contract))
    data["start_date"] = (contract.start_date - datetime.timedelta(days=1)).isoformat()

    response = back_office_client.post(change_url(contract), data)

    assert response.status_code == 200
    assert form_errors(response)["start_date"] == [str(PINNED_BY_HISTORY)]
    assert escape(str(PINNED_BY_HISTORY)) in response.content.decode()
    stored = Contract.objects.get(pk=contract.pk)
    assert stored.start_date == contract.start_date
    assert credits.summary_for(stored) == before
    assert stored.history.count() == 1


def test_switching_the_plan_of_a_contract_with_credit_entries_is_refused(
    back_office_client, department, contract_with_credits
):
    contract = contract_with_credits
    before = credits.summary_for(contract)
    platinum = f.SupportPlanFactory(department=department, name="Platinum", ticket_based=True)
    data = opened_form(back_office_client, change_url(contract))
    data["support_plan"] = platinum.pk

    response = back_office_client.post(change_url(contract), data)

    assert response.status_code == 200
    assert form_errors(response)["support_plan"] == [str(PINNED_BY_HISTORY)]
    stored = Contract.objects.get(pk=contract.pk)
    assert stored.support_plan == contract.support_plan
    assert credits.summary_for(stored) == before
    assert stored.history.count() == 1


def test_renaming_a_contract_with_credit_entries_is_saved(
    back_office, back_office_client, contract_with_credits
):
    contract = contract_with_credits
    before = credits.summary_for(contract)
    data = opened_form(back_office_client, change_url(contract))
    data["name"] = "Acme premium support"

    response = back_office_client.post(change_url(contract), data)

    assert response.status_code == 302, form_errors(response)
    stored = Contract.objects.get(pk=contract.pk)
    assert stored.name == "Acme premium support"
    assert (stored.start_date, stored.support_plan) == (contract.start_date, contract.support_plan)
    assert credits.summary_for(stored) == before
    latest = stored.history.first()
    assert (latest.history_type, latest.name, latest.history_user) == (
        "~",
        "Acme premium support",
        back_office,
    )


def test_a_stale_back_office_form_changes_only_what_it_changed(
    back_office, back_office_client, contract
):
    data = opened_form(back_office_client, change_url(contract))
    contract_update(by=back_office, contract=contract, name="Changed meanwhile")
    data["product_name"] = "Widgets"

    response = back_office_client.post(change_url(contract), data)

    assert response.status_code == 302, form_errors(response)
    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.name, stored.product_name) == ("Changed meanwhile", "Widgets")


# -- delete ---------------------------------------------------------------------------------------


def test_deleting_a_contract_without_tickets_or_ledger(back_office_client, contract):
    response = back_office_client.post(delete_url(contract), {"post": "yes"})

    assert response.status_code == 302
    assert not Contract.objects.filter(pk=contract.pk).exists()


def test_deleting_a_contract_with_credit_entries_is_refused(
    back_office_client, contract_with_credits
):
    contract = contract_with_credits
    entry = CreditEntry.objects.get(contract=contract)

    change_page = back_office_client.get(f"/admin/contracts/contract/{contract.pk}/change/")
    assert delete_url(contract) not in change_page.content.decode()  # no Delete button

    response = back_office_client.post(delete_url(contract), {"post": "yes"})

    assert response.status_code == 403  # a contract with history is ended, never deleted
    assert Contract.objects.filter(pk=contract.pk).exists()
    assert CreditEntry.objects.filter(pk=entry.pk).exists()


def test_the_delete_service_refuses_a_contract_with_history(back_office, contract_with_credits):
    with pytest.raises(ValidationError) as refused:
        services.contract_delete(by=back_office, contract=contract_with_credits)
    assert refused.value.messages == [str(services.HISTORY_NO_DELETE)]
    assert Contract.objects.filter(pk=contract_with_credits.pk).exists()


# -- the department wall --------------------------------------------------------------------------


@pytest.fixture
def outsider(db):
    """Staff with every contract permission, in no department and not an administrator of all."""
    user = f.UserFactory(username="outsider", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="contracts",
            codename__in=["view_contract", "add_contract", "change_contract", "delete_contract"],
        )
    )
    assert not user.has_perm("desk.access_all_departments")
    return user


def test_the_back_office_lists_no_contract_of_another_department(
    back_office_client, outsider, other_department
):
    theirs = f.ContractFactory(
        support_plan=f.SupportPlanFactory(department=other_department, name="Hardware care")
    )
    # Someone who works everywhere sees it, so the page and its links are as expected.
    assert change_url(theirs) in back_office_client.get(CHANGELIST).content.decode()

    response = signed_in(outsider).get(CHANGELIST)

    assert response.status_code == 200
    assert change_url(theirs) not in response.content.decode()
    assert list(response.context["cl"].result_list) == []


def test_another_departments_contract_cannot_be_opened_changed_or_deleted(
    outsider, other_department
):
    theirs = f.ContractFactory(
        name="Hardware care",
        support_plan=f.SupportPlanFactory(department=other_department, name="Hardware care"),
    )
    client = signed_in(outsider)

    for response in (
        client.get(change_url(theirs)),
        client.post(change_url(theirs), {"name": "Mine now", "initial-name": "Hardware care"}),
        client.post(delete_url(theirs), {"post": "yes"}),
    ):
        assert response.status_code == 302  # "doesn't exist", back to the admin's index
        assert response.url == "/admin/"
    stored = Contract.objects.get(pk=theirs.pk)
    assert stored.name == "Hardware care"


def test_a_contract_cannot_be_added_on_another_departments_plan(
    outsider, other_department, account
):
    plan = f.SupportPlanFactory(department=other_department, name="Hardware care")
    client = signed_in(outsider)
    data = new_contract(client, account=account, plan=plan, owner=outsider)

    response = client.post(ADD, data)

    assert response.status_code == 200
    assert form_errors(response)["support_plan"] == [str(NOT_YOUR_DEPARTMENT)]
    assert not Contract.objects.exists()
