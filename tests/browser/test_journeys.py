"""The four journeys of issue 8, clicked through as a new user would, in headless Chromium.

Data a journey does not create itself (departments, people, accounts, and for the agent's
journey the contract) comes from tests.factories before the browser opens. Each journey's last
page is saved to test-artifacts/<test name>.png by the ``page`` fixture.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import Contract
from desk.choices import Priority
from plans.models import PLAN_LOCKED, SupportPlan
from sla.models import SLA
from tests import factories as f
from tests.browser.conftest import browser_db, log_in
from tickets import services as ticket_services

pytestmark = [pytest.mark.browser, browser_db]

SETTINGS_PAGES = [
    "/settings/",
    "/settings/automation/slas/",
    "/settings/automation/slas/new/",
    "/settings/automation/support-plans/",
    "/settings/automation/support-plans/new/",
    "/settings/customization/modules/",
]


def field(label: str) -> re.Pattern:
    """A form label exactly, with crispy's "*" of a required field or without."""
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")


def open_settings(page, entry: str) -> None:
    """Top bar > Settings > ``entry``."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name=entry, exact=True).click()


def quick_action(page, name: str) -> None:
    """The top bar's "+" button, then one of its entries."""
    page.wait_for_load_state()  # the menu opens by script: a click before it loads is lost
    page.locator("#quick-actions").click()
    page.get_by_role("link", name=name).click()


def open_contract_panel(page):
    """Click the contract icon in the left panel unless its panel is already open."""
    icon = page.locator("#contract-icon")
    expect(icon).to_be_visible()
    page.wait_for_load_state()  # the panel opens by script: a click before it loads is lost
    if icon.get_attribute("aria-expanded") != "true":
        icon.click()
    panel = page.locator("#contract-panel")
    expect(panel).to_be_visible()
    expect(icon).to_have_attribute("aria-expanded", "true")
    return panel


def credits_left(panel) -> int:
    value = panel.locator("data.credits-left")
    expect(value).to_be_visible()
    return int(value.get_attribute("value"))


def change_status(page, label: str) -> None:
    page.get_by_label(field("Status")).select_option(label=label)
    page.get_by_role("button", name=re.compile(r"^(Update ticket|Change status)$")).click()
    expect(page.locator("#ticket-status")).to_have_text(label)


def test_administrator_sets_up_sla_plan_module_and_contract(page):
    support = f.DepartmentFactory(name="Support", contracts_enabled=False)
    ada = f.AdministratorFactory(username="ada", departments=[support])
    f.AccountFactory(name="Acme Ltd")
    today = timezone.localdate()
    start, end = today, today + datetime.timedelta(days=364)

    log_in(page, "ada")

    # Settings > Automation > SLAs > New SLA
    open_settings(page, "SLAs")
    page.get_by_role("link", name="New SLA").click()
    page.get_by_label(field("Name")).fill("Gold SLA")
    page.get_by_label("Department").select_option(label="Support")
    for priority, (response, resolution) in f.DEFAULT_TARGETS.items():
        for kind, minutes in (("response", response), ("resolution", resolution)):
            page.locator(f"[name={priority}_{kind}_hours]").fill(str(minutes // 60))
            page.locator(f"[name={priority}_{kind}_minutes]").fill(str(minutes % 60))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Gold SLA")).to_be_visible()
    sla = SLA.objects.get(name="Gold SLA")
    assert sla.department == support and sla.targets.count() == len(Priority.values)

    # Settings > Automation > Support plans > New support plan: ticket-based, on that SLA
    open_settings(page, "Support plans")
    page.get_by_role("link", name="New support plan").click()
    page.get_by_label("Plan name").fill("Gold 2 a month")
    page.get_by_label("Ticket-based").check()
    page.get_by_label("Credit cycle").select_option(label="Monthly")
    page.get_by_label("Credit limit").fill("2")
    page.get_by_label(field("SLA")).select_option(label="Gold SLA")
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", name="Gold 2 a month")).to_be_visible()
    plan = SupportPlan.objects.get(name="Gold 2 a month")
    assert (plan.plan_type, plan.credit_cycle, plan.credit_limit, plan.sla) == (
        SupportPlan.PlanType.TICKET_BASED,
        SupportPlan.CreditCycle.MONTHLY,
        2,
        sla,
    )

    # Settings > Customization > Organize modules: Contracts on for Support
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Contracts")).to_have_count(0)
    open_settings(page, "Organize modules")
    page.get_by_label(field("Support")).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Modules saved.")).to_be_visible()
    expect(nav.get_by_role("link", name="Contracts")).to_be_visible()

    # "+" > New contract
    quick_action(page, "New contract")
    expect(page).to_have_url(re.compile(r"/contracts/new/$"))
    page.get_by_label("Contract name").fill("Acme support 2025")
    page.get_by_label("Contract number").fill("AC-001")
    page.get_by_label("Product name").fill("Widgets")
    page.get_by_label("Account").select_option(label="Acme Ltd")
    page.get_by_label(field("Start date")).fill(start.isoformat())
    page.get_by_label(field("End date")).fill(end.isoformat())
    plan_option = page.locator("#id_support_plan option", has_text="Gold 2 a month")
    page.get_by_label("Support plan").select_option(value=plan_option.get_attribute("value"))
    page.locator("#id_notify_users").select_option(label=ada.get_full_name())  # people by name
    page.get_by_label("Days before the end date").fill("30")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Acme support 2025"))).to_be_visible()
    contract = Contract.objects.get(contract_number="AC-001")
    assert contract.support_plan == plan and contract.owner.username == "ada"

    # The account's page lists the contract with its plan, the plan's SLA and the validity.
    page.get_by_role("link", name="Acme Ltd").first.click()
    expect(page.get_by_role("heading", name="Acme Ltd")).to_be_visible()
    row = page.locator("#account-contracts tr", has_text="Acme support 2025")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Gold 2 a month")
    expect(row).to_contain_text("Gold SLA")
    expect(row.locator(f"time[datetime='{start.isoformat()}']")).to_have_count(1)
    expect(row.locator(f"time[datetime='{end.isoformat()}']")).to_have_count(1)


@pytest.fixture
def agent_desk(db):
    """An agent of Support, an account on a 2-tickets-a-month plan, and two of its tickets."""
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    agent = f.AgentFactory(username="aggie", departments=[support])
    account = f.AccountFactory(name="Acme Ltd")
    f.ContactFactory(account=account, first_name="Cara", last_name="Contact")
    sla = f.SLAFactory(department=support, name="Gold SLA")
    plan = f.SupportPlanFactory(
        department=support, name="Gold 2 a month", sla=sla, ticket_based=True, credit_limit=2
    )
    contract = f.ContractFactory(
        account=account, support_plan=plan, name="Acme support", contract_number="AC-001"
    )
    tickets = [
        ticket_services.ticket_create(
            by=agent,
            subject=subject,
            account=account,
            department=support,
            priority=Priority.HIGH,
        )
        for subject in ("Printer on fire", "Login broken")
    ]
    assert all(t.contract == contract and t.sla == sla for t in tickets)
    return {"agent": agent, "contract": contract, "tickets": tickets, "sla": sla}


def test_agent_spends_credits_until_none_left_and_reopening_refunds(page, agent_desk):
    contract = agent_desk["contract"]
    log_in(page, "aggie")

    # Tickets > the first ticket; the contract icon shows contract, plan, validity, balance.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tickets").click()
    page.get_by_role("link", name=re.compile("Printer on fire")).click()
    panel = open_contract_panel(page)
    expect(panel).to_contain_text("Acme support")
    expect(panel).to_contain_text("Gold 2 a month")
    expect(panel).to_contain_text("Gold SLA")
    for day in (contract.start_date, contract.end_date):
        expect(panel.locator(f"time[datetime='{day.isoformat()}']").first).to_be_visible()
    assert credits_left(panel) == 2

    change_status(page, "Resolved")
    assert credits_left(open_contract_panel(page)) == 1
    first_ticket_url = page.url

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tickets").click()
    page.get_by_role("link", name=re.compile("Login broken")).click()
    change_status(page, "Resolved")
    assert credits_left(open_contract_panel(page)) == 0

    # A new ticket of the account, with no credit left, follows no SLA and says so.
    quick_action(page, "New ticket")
    page.get_by_label("Subject").fill("Third request this month")
    # The account is typed (with suggestions); its contacts and contracts then fill the lists.
    page.get_by_label("Account").fill("Acme Ltd")
    expect(page.get_by_label("Contact").locator("option", has_text="Cara Contact")).to_have_count(1)
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_label("Department").select_option(label="Support")
    expect(page.get_by_label("Contract").locator("option", has_text="AC-001")).to_have_count(1)
    page.get_by_role("button", name="Create ticket").click()
    expect(page.get_by_role("heading", name=re.compile("Third request this month"))).to_be_visible()
    exemption = page.locator("#sla-exemption")
    expect(exemption).to_be_visible()
    expect(exemption).to_contain_text("follows no SLA")
    expect(page.locator("#ticket-sla")).not_to_contain_text("Gold SLA")

    # Reopening the first ticket gives its credit back.
    page.goto(first_ticket_url)
    change_status(page, "Open")
    assert credits_left(open_contract_panel(page)) == 1


def test_an_account_typed_before_the_form_script_ran_still_fills_the_lists(page, agent_desk):
    """On a slow page one may type the account before the form's script has run (or the browser
    restores the text on coming back): its contacts and contracts are offered all the same."""
    log_in(page, "aggie")
    held = []
    page.route("**/js/ticket_form*.js", lambda route: held.append(route))
    page.goto("/tickets/new/", wait_until="commit")  # the page stops at the held script
    page.get_by_label("Account").fill("Acme Ltd")
    page.wait_for_timeout(300)  # no suggestion can come: the script is still held back
    assert held, "the form's script was not requested"
    held[0].continue_()
    expect(page.get_by_label("Contact").locator("option", has_text="Cara Contact")).to_have_count(1)
    page.get_by_label("Department").select_option(label="Support")
    expect(page.get_by_label("Contract").locator("option", has_text="AC-001")).to_have_count(1)


@pytest.fixture
def plan_in_use(db):
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    f.AdministratorFactory(username="ada", departments=[support])
    gold = f.SLAFactory(department=support, name="Gold SLA")
    f.SLAFactory(department=support, name="Silver SLA")
    plan = f.SupportPlanFactory(
        department=support, name="Gold 2 a month", sla=gold, ticket_based=True, credit_limit=2
    )
    f.ContractFactory(support_plan=plan, name="Acme support", contract_number="AC-001")
    f.AccountFactory(name="Beta GmbH")
    return plan


def terms(plan: SupportPlan) -> tuple:
    plan.refresh_from_db()
    return (plan.plan_type, plan.credit_cycle, plan.sla_id, plan.is_active)


def test_administrator_cannot_change_or_delete_a_plan_in_use_but_can_deactivate_it(
    page, plan_in_use
):
    plan = plan_in_use
    before = terms(plan)
    log_in(page, "ada")

    open_settings(page, "Support plans")
    page.get_by_role("link", name="Gold 2 a month").click()
    page.get_by_role("link", name="Edit", exact=True).click()

    # The locked fields are shown disabled, each with the reason.
    form = page.locator("#plan-form")
    for label in ("Ticket-based", "Credit cycle"):
        expect(form.get_by_label(label, exact=True)).to_be_disabled()
    expect(form.get_by_label(field("SLA"))).to_be_disabled()
    expect(form).to_contain_text(str(PLAN_LOCKED))

    # Trying anyway (a request with the fields re-enabled) is refused with the reason.
    for name, value in (("plan_type", "unlimited"), ("credit_cycle", "yearly"), ("sla", None)):
        page.reload()
        page.evaluate(
            """([name, value]) => {
                const form = document.getElementById('plan-form');
                for (const el of form.querySelectorAll(`[name="${name}"]`)) el.disabled = false;
                const el = form.querySelector(`[name="${name}"]`);
                if (el.type === 'radio') {
                    form.querySelector(`[name="${name}"][value="${value}"]`).checked = true;
                } else if (value === null) {
                    const other = [...el.options].find(o => o.value && !o.selected);
                    el.value = other.value;
                } else {
                    el.value = value;
                }
            }""",
            [name, value],
        )
        page.get_by_role("button", name="Save plan").click()
        expect(page.locator("#plan-form")).to_contain_text(str(PLAN_LOCKED))
        assert terms(plan) == before, f"changing {name} of a plan in use was not refused"

    # Delete: refused with the reason, deactivation offered instead.
    page.goto(plan.get_absolute_url())
    page.get_by_role("link", name="Delete", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("cannot be deleted")
    expect(page.get_by_role("button", name="Delete", exact=True)).to_have_count(0)
    assert SupportPlan.objects.filter(pk=plan.pk).exists()

    # Deactivate from the plan's page.
    page.goto(plan.get_absolute_url())
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("heading", name=re.compile("Gold 2 a month"))).to_contain_text(
        "Inactive"
    )
    assert terms(plan)[3] is False

    # The new contract form no longer offers it.
    quick_action(page, "New contract")
    options = page.locator("#id_support_plan option")
    expect(options.first).to_be_attached()
    expect(page.locator("#id_support_plan option", has_text="Gold 2 a month")).to_have_count(0)


def test_agent_without_manage_automation_sees_no_settings_and_is_refused(page):
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    f.AgentFactory(username="aggie", departments=[support])
    sla = f.SLAFactory(department=support, name="Gold SLA")
    plan = f.SupportPlanFactory(department=support, name="Gold", sla=sla)
    log_in(page, "aggie")

    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Tickets")).to_be_visible()
    expect(nav.get_by_role("link", name="Settings")).to_have_count(0)
    expect(
        page.get_by_role("link", name=re.compile("SLAs|Support plans|Organize modules"))
    ).to_have_count(0)

    pages = [*SETTINGS_PAGES, sla.get_absolute_url(), plan.get_absolute_url()]
    for path in pages:
        response = page.goto(path)
        assert response.status == 403, f"{path} answered {response.status}"

    # Direct POSTs (with a valid CSRF token, so only the permission can refuse them).
    page.goto("/tickets/")
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    posts = {
        "/settings/automation/slas/new/": {"name": "Sneaky SLA", "department": support.pk},
        "/settings/automation/support-plans/new/": {
            "name": "Sneaky plan",
            "department": support.pk,
            "plan_type": "unlimited",
            "sla": sla.pk,
        },
        f"/settings/automation/support-plans/{plan.pk}/active/": {"is_active": "false"},
        "/settings/customization/modules/": {},
    }
    for path, data in posts.items():
        response = page.request.post(path, form=data, headers={"X-CSRFToken": token})
        assert response.status == 403, f"POST {path} answered {response.status}"
    assert not SLA.objects.filter(name="Sneaky SLA").exists()
    assert not SupportPlan.objects.filter(name="Sneaky plan").exists()
    plan.refresh_from_db()
    support.refresh_from_db()
    assert plan.is_active and support.contracts_enabled
    page.goto("/settings/automation/support-plans/")  # the last page: the refusal
