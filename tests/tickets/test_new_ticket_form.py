"""The new-ticket form follows the chosen account (issue "Contracts as the article shows them",
item 5): the account is typed, with suggestions; the contact and contract lists hold that
account's entries only, server-side as well as on the page; several contracts and no product
match make the form ask which; nothing reads every account, contact or contract."""

import datetime

import factory
import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import signed_in
from tickets.forms import ACCOUNT_AMBIGUOUS, ACCOUNT_UNKNOWN, CONTRACT_CHOOSE_ONE
from tickets.models import Ticket
from tickets.services import CONTACT_OTHER_ACCOUNT, CONTRACT_NOT_OFFERED

pytestmark = pytest.mark.django_db

NEW = reverse("tickets:ticket_create")
ACCOUNTS = reverse("tickets:ticket_create_accounts")
CHOICES = reverse("tickets:ticket_create_choices")


def posted(account, department, **extra):
    return {
        "subject": "VPN down",
        "account": account if isinstance(account, str) else str(account.pk),
        "priority": "high",
        "department": str(department.pk),
        **extra,
    }


def factory_name(prefix):
    return factory.Sequence(lambda n: f"{prefix} {n:03d}")


def form_of(response):
    assert response.status_code == 200
    return response.context["form"]


# ------------------------------------------------------------------ account suggestions


def test_suggests_accounts_whose_name_contains_the_text(agent_client):
    amber = f.AccountFactory(name="Amber Motors")
    camber = f.AccountFactory(name="Camber Ltd")
    f.AccountFactory(name="Beta GmbH")
    response = agent_client.get(ACCOUNTS, {"q": "mBeR"})
    assert response.status_code == 200
    assert response.json() == [
        {"id": amber.pk, "name": "Amber Motors"},
        {"id": camber.pk, "name": "Camber Ltd"},
    ]


def test_suggests_at_most_twenty_accounts(agent_client):
    f.AccountFactory.create_batch(25, name=factory_name("Acme"))
    assert len(agent_client.get(ACCOUNTS, {"q": "acme"}).json()) == 20
    assert agent_client.get(ACCOUNTS, {"q": "nobody by that name"}).json() == []


def test_suggestions_and_choices_need_a_signed_in_agent(client, account):
    for url, query in ((ACCOUNTS, {"q": "a"}), (CHOICES, {"account": account.pk})):
        response = client.get(url, query)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    customer = f.UserFactory(username="no-permissions")
    for url, query in ((ACCOUNTS, {"q": "a"}), (CHOICES, {"account": account.pk})):
        assert signed_in(customer).get(url, query).status_code == 403


# ------------------------------------------------------------------ contacts and contracts


def test_choices_are_the_accounts_contacts_and_offered_contracts(
    agent_client, account, department, contract
):
    cara = f.ContactFactory(account=account, first_name="Cara", last_name="Contact")
    f.ContactFactory()  # another account's
    f.ContractFactory(support_plan=contract.support_plan)  # another account's
    expired = f.ContractFactory(
        account=account,
        support_plan=contract.support_plan,
        start_date=timezone.localdate() - datetime.timedelta(days=400),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    response = agent_client.get(CHOICES, {"account": account.pk, "department": department.pk})
    assert response.status_code == 200
    data = response.json()
    assert data["contacts"] == [{"id": cara.pk, "name": "Cara Contact"}]
    assert [c["id"] for c in data["contracts"]] == [contract.pk]
    assert expired.pk not in [c["id"] for c in data["contracts"]]
    assert data["contracts"][0]["label"] == str(contract)


def test_choices_offer_no_contract_behind_the_department_wall(
    agent_client, account, other_department
):
    hardware = f.ContractFactory(account=account, support_plan__department=other_department)
    contact = f.ContactFactory(account=account)
    data = agent_client.get(
        CHOICES, {"account": account.pk, "department": other_department.pk}
    ).json()
    assert data == {"contacts": [{"id": contact.pk, "name": str(contact)}], "contracts": []}
    # An administrator of Hardware is offered it.
    boss = f.AdministratorFactory(username="hw-admin", departments=[other_department])
    data = (
        signed_in(boss)
        .get(CHOICES, {"account": account.pk, "department": other_department.pk})
        .json()
    )
    assert [c["id"] for c in data["contracts"]] == [hardware.pk]


@pytest.mark.parametrize("department_id", ["", "abc", "999999", "²", "9" * 40])
def test_choices_without_a_department_of_the_user_offer_no_contract(
    agent_client, account, contract, department_id
):
    data = agent_client.get(CHOICES, {"account": account.pk, "department": department_id}).json()
    assert data["contracts"] == []


@pytest.mark.parametrize("account_id", ["", "abc", "999999", "-1", "²", "9" * 40])
def test_choices_for_an_unknown_account_answer_404(agent_client, department, account_id):
    response = agent_client.get(CHOICES, {"account": account_id, "department": department.pk})
    assert response.status_code == 404


# ------------------------------------------------------------------ the form, server-side


def test_the_new_page_lists_no_contact_or_contract_before_an_account_is_chosen(
    agent_client, account, contract
):
    f.ContactFactory(account=account)
    form = form_of(agent_client.get(NEW))
    assert list(form.fields["contact"].queryset) == []
    assert list(form.fields["contract"].queryset) == []
    html = agent_client.get(NEW).content.decode()
    assert 'name="account"' in html and "data-account-picker" in html
    assert "js/ticket_form.js" in html


def test_a_forged_contact_of_another_account_is_refused(agent_client, account, department):
    stranger = f.ContactFactory()
    form = form_of(agent_client.post(NEW, posted(account, department, contact=stranger.pk)))
    assert form.errors["contact"] == [CONTACT_OTHER_ACCOUNT]
    assert not Ticket.objects.exists()


def test_a_forged_contract_of_another_account_is_refused(
    agent_client, account, department, limited_plan
):
    foreign = f.ContractFactory(support_plan=limited_plan)
    form = form_of(agent_client.post(NEW, posted(account, department, contract=foreign.pk)))
    assert form.errors["contract"] == [CONTRACT_NOT_OFFERED]
    assert not Ticket.objects.exists()


def test_a_contract_of_another_department_is_refused(agent_client, account, department):
    hardware = f.ContractFactory(
        account=account, support_plan__department=f.DepartmentFactory(name="Hardware")
    )
    form = form_of(agent_client.post(NEW, posted(account, department, contract=hardware.pk)))
    assert form.errors["contract"] == [CONTRACT_NOT_OFFERED]


def test_a_refused_form_comes_back_with_the_accounts_entries_only(
    agent_client, account, department, contract
):
    mine = f.ContactFactory(account=account)
    theirs = f.ContactFactory()
    f.ContractFactory(support_plan=contract.support_plan)  # another account's
    response = agent_client.post(NEW, posted(account, department, subject=""))
    form = form_of(response)
    assert "subject" in form.errors
    assert list(form.fields["contact"].queryset) == [mine]
    assert list(form.fields["contract"].queryset) == [contract]
    html = response.content.decode()
    assert f'value="{mine.pk}"' in html and f'value="{theirs.pk}"' not in html
    # The account comes back by its name, with its id for the page's script.
    assert 'value="Amber Motors"' in html and f'data-account-id="{account.pk}"' in html


def test_asks_which_contract_when_several_are_active_and_no_product_matches(
    agent_client, account, department, limited_plan
):
    first, second = f.ContractFactory.create_batch(2, account=account, support_plan=limited_plan)
    form = form_of(agent_client.post(NEW, posted(account, department, product_name="Other")))
    assert form.errors["contract"] == [CONTRACT_CHOOSE_ONE]
    assert set(form.fields["contract"].queryset) == {first, second}
    assert not Ticket.objects.exists()

    response = agent_client.post(NEW, posted(account, department, contract=second.pk))
    assert response.status_code == 302
    assert Ticket.objects.get().contract == second


def test_a_matching_product_or_a_single_contract_needs_no_question(
    agent_client, account, department, limited_plan
):
    f.ContractFactory(account=account, support_plan=limited_plan, product_name="Fleet")
    desk = f.ContractFactory(account=account, support_plan=limited_plan, product_name="Desk")
    assert (
        agent_client.post(NEW, posted(account, department, product_name="desk")).status_code == 302
    )
    assert Ticket.objects.get().contract == desk


def test_several_contracts_in_a_department_without_the_module_are_no_question(
    agent_client, account, department, limited_plan
):
    f.ContractFactory.create_batch(2, account=account, support_plan=limited_plan)
    department.contracts_enabled = False
    department.save()
    assert agent_client.post(NEW, posted(account, department)).status_code == 302
    assert Ticket.objects.get().contract is None


# ------------------------------------------------------------------ the typed fallback


@pytest.mark.parametrize("typed", ["id", "Amber Motors", "  amber motors "])
def test_without_script_an_account_is_typed_by_id_or_exact_name(
    agent_client, account, department, contract, typed
):
    value = str(account.pk) if typed == "id" else typed
    response = agent_client.post(NEW, posted(value, department))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.account == account and ticket.contract == contract


@pytest.mark.parametrize("typed", ["Amber", "999999", "<script>alert(1)</script>", "9" * 40])
def test_an_unknown_account_is_a_field_error(agent_client, account, department, typed):
    form = form_of(agent_client.post(NEW, posted(typed, department)))
    assert form.errors["account"] == [ACCOUNT_UNKNOWN]
    assert not Ticket.objects.exists()


def test_a_name_two_accounts_share_asks_for_the_id(agent_client, account, department):
    twin = f.AccountFactory(name="Amber Motors")
    form = form_of(agent_client.post(NEW, posted("Amber Motors", department)))
    assert form.errors["account"] == [ACCOUNT_AMBIGUOUS]
    assert agent_client.post(NEW, posted(str(twin.pk), department)).status_code == 302
    assert Ticket.objects.get().account == twin


# ------------------------------------------------------------------ query counts


@pytest.fixture
def many_accounts(department):
    plan = f.SupportPlanFactory(department=department)
    accounts = f.AccountFactory.create_batch(200, name=factory_name("Customer"))
    for account in accounts:
        f.ContactFactory(account=account)
        f.ContractFactory(account=account, support_plan=plan)
    return accounts


def test_the_pages_queries_do_not_grow_with_accounts(
    agent_client, many_accounts, department, django_assert_max_num_queries
):
    """Session, user, permissions (2), then only the departments: no account, contact or
    contract is read for the page, whatever their number."""
    agent_client.get(NEW)  # warm up: session, content types
    with django_assert_max_num_queries(7):
        response = agent_client.get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert many_accounts[0].name not in html and many_accounts[-1].name not in html


def test_the_json_endpoints_and_a_refused_post_are_flat(
    agent_client, many_accounts, department, django_assert_max_num_queries
):
    account = many_accounts[7]
    f.ContactFactory.create_batch(29, account=account)
    agent_client.get(NEW)  # warm up
    with django_assert_max_num_queries(5):
        assert len(agent_client.get(ACCOUNTS, {"q": "customer"}).json()) == 20
    with django_assert_max_num_queries(8):
        data = agent_client.get(
            CHOICES, {"account": account.pk, "department": department.pk}
        ).json()
    assert len(data["contacts"]) == 30 and len(data["contracts"]) == 1
    with django_assert_max_num_queries(12):
        form = form_of(agent_client.post(NEW, posted(account, department, subject="")))
    assert len(form.fields["contact"].queryset) == 30
