"""Contract list (filters, sorting, pages) and detail (two tabs, ledger, manual adjustment)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from contracts import credits
from contracts.models import CreditEntry
from tests import factories as f
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

LIST = "/contracts/"


def numbers(response):
    return [c.contract_number for c in response.context["contracts"]]


@pytest.fixture
def three(department):
    today = timezone.localdate()
    plan = f.SupportPlanFactory(department=department, name="Gold")
    day = datetime.timedelta(days=1)
    return {
        "upcoming": f.ContractFactory(
            contract_number="UP", support_plan=plan, start_date=today + day
        ),
        "active": f.ContractFactory(
            contract_number="ACT",
            start_date=today - 10 * day,
            end_date=today + 5 * day,
            support_plan__department=department,
        ),
        "expired": f.ContractFactory(
            contract_number="EXP",
            support_plan=plan,
            start_date=today - 100 * day,
            end_date=today - day,
        ),
    }


@pytest.mark.parametrize(
    ("status", "expected"), [("upcoming", ["UP"]), ("active", ["ACT"]), ("expired", ["EXP"])]
)
def test_status_filter_follows_todays_date(admin_client, three, status, expected):
    assert numbers(admin_client.get(LIST, {"status": status})) == expected


def test_filters_by_account_plan_sla_owner_and_expiry(admin_client, three):
    active = three["active"]
    assert numbers(admin_client.get(LIST, {"account": active.account_id})) == ["ACT"]
    plan = three["upcoming"].support_plan
    assert sorted(numbers(admin_client.get(LIST, {"support_plan": plan.pk}))) == ["EXP", "UP"]
    assert numbers(admin_client.get(LIST, {"sla": active.support_plan.sla_id})) == ["ACT"]
    assert numbers(admin_client.get(LIST, {"owner": active.owner_id})) == ["ACT"]
    assert numbers(admin_client.get(LIST, {"expiring_within": 5})) == ["ACT"]
    assert numbers(admin_client.get(LIST, {"expiring_within": 4})) == []


def test_list_sorts_and_pages(admin_client, department):
    plan = f.SupportPlanFactory(department=department)
    for n in range(30):
        f.ContractFactory(contract_number=f"N-{n:02d}", support_plan=plan)
    first = admin_client.get(LIST, {"o": "contract_number"})
    assert numbers(first)[:2] == ["N-00", "N-01"]
    assert len(numbers(first)) == 25
    desc = admin_client.get(LIST, {"o": "-contract_number"})
    assert numbers(desc)[0] == "N-29"
    second = admin_client.get(LIST, {"o": "contract_number", "page": 2})
    assert numbers(second) == [f"N-{n}" for n in range(25, 30)]
    assert "o=contract_number" in first.content.decode()  # the next-page link keeps the sort


def test_bad_filter_values_do_not_break_the_page(admin_client, three):
    response = admin_client.get(LIST, {"status": "nonsense", "expiring_within": "x"})
    assert response.status_code == 200


def test_filter_bar_keeps_what_was_typed_and_says_what_is_wrong(admin_client, three):
    active = three["active"]
    html = admin_client.get(
        LIST,
        {
            "account": active.account_id,
            "sla": active.support_plan.sla_id,
            "expiring_within": "-3",
        },
    ).content.decode()
    # The account is a text box (not a drop-down of every account), showing what was typed.
    assert re.search(rf'<input type="text" name="account" [^>]*value="{active.account_id}"', html)
    assert re.search(rf'<option value="{active.support_plan.sla_id}" selected>', html)
    assert re.search(
        r'<input type="number" name="expiring_within" [^>]*min="0"[^>]*is-invalid', html
    )
    assert 'id="id_expiring_within_error"' in html


def test_list_hides_other_departments_contracts(agent_client, three, other_department):
    hidden = f.ContractFactory(contract_number="HID", support_plan__department=other_department)
    assert hidden.contract_number not in numbers(agent_client.get(LIST))
    assert agent_client.get(hidden.get_absolute_url()).status_code == 404


def test_list_query_count_does_not_grow(admin_client, department, django_assert_max_num_queries):
    def make(n):
        for _ in range(n):
            f.ContractFactory(support_plan__department=department)

    make(3)
    with django_assert_max_num_queries(20) as small:
        admin_client.get(LIST)
    make(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get(LIST)


# --- detail -------------------------------------------------------------------------------


@pytest.fixture
def ticket_contract(department, administrator):
    plan = f.SupportPlanFactory(
        department=department, ticket_based=True, name="Five a month", credit_limit=5
    )
    contract = f.ContractFactory(support_plan=plan, product_name="Widget", notify_days_before=7)
    contract.notify_users.set([administrator])
    return contract


def test_detail_has_two_accessible_tabs(admin_client, ticket_contract):
    page = admin_client.get(ticket_contract.get_absolute_url()).content.decode()
    tabs = re.findall(r'<button class="nav-link[^"]*"[^>]*role="tab"[^>]*>', page)
    assert len(tabs) == 2
    for tab in tabs:
        assert "aria-label=" in tab and "aria-controls=" in tab
    assert 'aria-label="Contract"' in page and 'aria-label="Support plan"' in page
    assert 'id="contract-pane"' in page and 'id="plan-pane"' in page


def test_contract_tab_shows_every_field_and_history(admin_client, administrator, ticket_contract):
    page = admin_client.get(ticket_contract.get_absolute_url()).content.decode()
    contract_pane = page.split('id="contract-pane"')[1].split('id="plan-pane"')[0]
    for text in [
        ticket_contract.name,
        ticket_contract.contract_number,
        "Widget",
        ticket_contract.account.name,
        f'datetime="{ticket_contract.start_date:%Y-%m-%d}"',
        f'datetime="{ticket_contract.end_date:%Y-%m-%d}"',
        administrator.get_full_name(),
        ticket_contract.owner.get_full_name(),
        "Active",
    ]:
        assert text in contract_pane, text
    assert 'id="notify-days">7<' in contract_pane
    assert 'class="table table-sm history"' in contract_pane
    assert "Created" in contract_pane


def test_plan_tab_shows_terms_sla_cycle_credits_and_ledger(
    admin_client, administrator, ticket_contract
):
    ticket = f.TicketFactory(account=ticket_contract.account, contract=ticket_contract)
    ticket.status = "resolved"
    ticket.save()
    credits.adjust(by=administrator, contract=ticket_contract, delta=2, reason="Goodwill")
    summary = credits.summary_for(ticket_contract)
    page = admin_client.get(ticket_contract.get_absolute_url()).content.decode()
    plan_pane = page.split('id="plan-pane"')[1]
    assert "5 tickets / month" in plan_pane
    assert str(ticket_contract.support_plan.sla) in plan_pane
    assert f'<time datetime="{summary.cycle.start:%Y-%m-%d}" class="cycle-start">' in plan_pane
    assert f'<time datetime="{summary.cycle.end:%Y-%m-%d}" class="cycle-end">' in plan_pane
    assert '<data class="credits-used" value="1">' in plan_pane
    assert '<data class="credits-left" value="6">' in plan_pane
    ledger = plan_pane.split('id="credit-ledger"')[1].split("</table>")[0]
    # newest first: the adjustment, then the spend with its ticket link
    assert ledger.index("Goodwill") < ledger.index(ticket.get_absolute_url())
    assert "Adjustment" in ledger and "Spend" in ledger


def test_ledger_comes_in_pages_that_open_on_the_plan_tab(
    admin_client, administrator, ticket_contract
):
    for n in range(30):
        credits.adjust(by=administrator, contract=ticket_contract, delta=1, reason=f"Entry {n:02d}")
    url = ticket_contract.get_absolute_url()
    first = admin_client.get(url).content.decode()
    ledger = first.split('id="credit-ledger"')[1].split("</table>")[0]
    assert "Entry 29" in ledger and "Entry 05" in ledger and "Entry 04" not in ledger
    assert "Page 1 of 2" in first
    assert 'href="?ledger_page=2&amp;tab=plan#credit-ledger"' in first
    second = admin_client.get(url, {"ledger_page": 2, "tab": "plan"}).content.decode()
    ledger = second.split('id="credit-ledger"')[1].split("</table>")[0]
    assert "Entry 04" in ledger and "Entry 00" in ledger and "Entry 05" not in ledger
    assert 'class="tab-pane fade show active" id="plan-pane"' in second
    # A page past the end, or not a number, shows the last or the first page rather than failing.
    assert "Entry 00" in admin_client.get(url, {"ledger_page": 10**30}).content.decode()
    assert "Entry 29" in admin_client.get(url, {"ledger_page": "x"}).content.decode()


def test_unlimited_plan_tab_says_so(admin_client, department):
    contract = f.ContractFactory(support_plan__department=department)
    page = admin_client.get(contract.get_absolute_url()).content.decode()
    assert 'id="plan-unlimited"' in page
    assert "credits-left" not in page


def adjust_url(contract):
    return reverse("contracts:contract_adjust_credits", args=[contract.pk])


def test_adjustment_form_adds_a_ledger_row(admin_client, administrator, ticket_contract):
    page = admin_client.get(ticket_contract.get_absolute_url()).content.decode()
    assert f'action="{adjust_url(ticket_contract)}"' in page
    response = admin_client.post(adjust_url(ticket_contract), {"delta": "3", "reason": "Promo"})
    assert response.status_code == 302
    entry = CreditEntry.objects.get(contract=ticket_contract)
    assert (entry.delta, entry.reason, entry.created_by) == (3, "Promo", administrator)
    assert credits.summary_for(ticket_contract).left == 8


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"delta": "0", "reason": "x"}, "delta", str(credits.ADJUSTMENT_NOT_ZERO)),
        ({"delta": "2", "reason": "   "}, "reason", ""),
        ({"delta": "abc", "reason": "x"}, "delta", ""),
        ({"delta": "2147483648", "reason": "x"}, "delta", "less than or equal to 10000"),
        ({"delta": "-10001", "reason": "x"}, "delta", "greater than or equal to -10000"),
    ],
)
def test_bad_adjustment_shows_field_errors_and_adds_nothing(
    admin_client, ticket_contract, data, field, message
):
    response = admin_client.post(adjust_url(ticket_contract), data)
    assert response.status_code == 200
    errors = [str(e) for e in response.context["adjust_form"].errors[field]]
    assert errors and message in errors[0]
    assert not CreditEntry.objects.exists()


def test_adjusting_an_unlimited_plan_is_refused(admin_client, department):
    contract = f.ContractFactory(support_plan__department=department)
    response = admin_client.post(adjust_url(contract), {"delta": "2", "reason": "x"})
    assert str(credits.ADJUSTMENT_NEEDS_TICKET_BASED) in response.content.decode()
    assert not CreditEntry.objects.exists()


def test_adjustment_needs_the_permission(agent, agent_client, ticket_contract):
    page = agent_client.get(ticket_contract.get_absolute_url()).content.decode()
    assert "adjust-credits" not in page
    response = agent_client.post(adjust_url(ticket_contract), {"delta": "3", "reason": "x"})
    assert response.status_code == 403
    assert not CreditEntry.objects.exists()


def test_adjustment_of_an_invisible_contract_is_404(department, other_department):
    contract = f.ContractFactory(
        support_plan=f.SupportPlanFactory(department=other_department, ticket_based=True)
    )
    manager = f.UserFactory(username="mgr", departments=[department])
    manager.user_permissions.add(*Permission.objects.filter(codename="adjust_credits"))
    response = signed_in(manager).post(adjust_url(contract), {"delta": "3", "reason": "x"})
    assert response.status_code == 404
    assert not CreditEntry.objects.exists()


def test_detail_query_count_does_not_grow(
    admin_client, administrator, ticket_contract, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            credits.adjust(by=administrator, contract=ticket_contract, delta=1, reason="r")
            f.TicketFactory(account=ticket_contract.account, contract=ticket_contract)

    add(3)
    url = ticket_contract.get_absolute_url()
    with django_assert_max_num_queries(40) as small:
        admin_client.get(url)
    add(27)
    ticket_contract.notify_users.add(*[f.UserFactory() for _ in range(5)])
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get(url)
