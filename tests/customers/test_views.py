"""Accounts: search, and the account page with its SLA and contracts, contacts and tickets."""

import datetime
import re

import pytest
from django.utils import timezone

from tests import factories as f
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def account(db):
    return f.AccountFactory(name="Acme")


@pytest.fixture
def contracts(account, department):
    today = timezone.localdate()
    gold = f.SupportPlanFactory(department=department, name="Gold")
    silver = f.SupportPlanFactory(department=department, name="Silver")
    return {
        "expired": f.ContractFactory(
            name="Old deal",
            account=account,
            support_plan=gold,
            start_date=today - 400 * DAY,
            end_date=today - 40 * DAY,
        ),
        "upcoming": f.ContractFactory(
            name="Next deal",
            account=account,
            support_plan=gold,
            start_date=today + 30 * DAY,
            end_date=today + 395 * DAY,
        ),
        "active": f.ContractFactory(
            name="Current deal",
            account=account,
            support_plan=silver,
            start_date=today - 10 * DAY,
            end_date=today + 20 * DAY,
        ),
    }


def contract_rows(page):
    pane = page.split('id="account-contracts"')[1].split("</table>")[0]
    return re.findall(r'<tr class="contract-row" data-status="(\w+)">(.*?)</tr>', pane, re.S)


def test_sla_and_contracts_tab_lists_current_first_with_plan_sla_and_validity(
    admin_client, account, contracts
):
    page = admin_client.get(account.get_absolute_url()).content.decode()
    assert 'aria-label="SLA and contracts"' in page
    rows = contract_rows(page)
    assert [status for status, _ in rows] == ["active", "upcoming", "expired"]
    for (_, row), key in zip(rows, ["active", "upcoming", "expired"], strict=True):
        contract = contracts[key]
        assert contract.name in row
        assert contract.support_plan.name in row
        assert str(contract.support_plan.sla) in row
        assert f'<time datetime="{contract.start_date:%Y-%m-%d}">' in row
        assert f'<time datetime="{contract.end_date:%Y-%m-%d}">' in row


def test_account_page_hides_contracts_the_user_may_not_see(
    agent_client, account, contracts, other_department
):
    f.ContractFactory(
        name="Hardware deal", account=account, support_plan__department=other_department
    )
    page = agent_client.get(account.get_absolute_url()).content.decode()
    assert "Current deal" in page
    assert "Hardware deal" not in page


def test_account_page_without_the_module_has_no_contracts_tab(account, contracts, department):
    department.contracts_enabled = False
    department.save()
    agent = f.AgentFactory(username="worker", departments=[department])
    page = signed_in(agent).get(account.get_absolute_url()).content.decode()
    assert "SLA and contracts" not in page
    assert "Current deal" not in page


def test_account_page_shows_contacts_and_recent_visible_tickets(
    agent_client, account, department, other_department
):
    f.ContactFactory(account=account, first_name="Ada", last_name="Lovelace")
    mine = f.TicketFactory(account=account, department=department, subject="Printer on fire")
    f.TicketFactory(account=account, department=other_department, subject="Secret hardware")
    page = agent_client.get(account.get_absolute_url()).content.decode()
    assert "Ada Lovelace" in page
    assert mine.get_absolute_url() in page and "Printer on fire" in page
    assert "Secret hardware" not in page


def test_account_page_query_count_does_not_grow(
    admin_client, account, department, django_assert_max_num_queries
):
    plan = f.SupportPlanFactory(department=department)

    def add(n):
        for i in range(n):
            start = timezone.localdate() + (len(account.contracts.all()) * 10 + i) * DAY
            f.ContractFactory(
                account=account, support_plan=plan, start_date=start, end_date=start + 5 * DAY
            )
            f.ContactFactory(account=account)
            f.TicketFactory(account=account, department=department)

    add(3)
    with django_assert_max_num_queries(30) as small:
        admin_client.get(account.get_absolute_url())
    add(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get(account.get_absolute_url())


def test_customer_list_searches(admin_client):
    f.AccountFactory(name="Acme")
    beta = f.AccountFactory(name="Beta")
    f.ContactFactory(account=beta, last_name="Zimmer", email="z@beta.example")
    page = admin_client.get("/customers/", {"q": "acm"}).content.decode()
    assert "Acme" in page and "Beta" not in page
    page = admin_client.get("/customers/", {"q": "zimmer"}).content.decode()
    assert "Beta" in page and "Acme" not in page
    assert 'name="q"' in page
    page = admin_client.get("/customers/", {"q": "nothing-like-it"}).content.decode()
    assert "No accounts match." in page


def test_customer_list_query_count_does_not_grow(admin_client, django_assert_max_num_queries):
    for _ in range(3):
        f.ContactFactory()
    with django_assert_max_num_queries(20) as small:
        admin_client.get("/customers/")
    for _ in range(27):
        f.ContactFactory()
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get("/customers/")
