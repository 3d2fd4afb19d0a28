"""Every page of the journeys passes axe-core with no serious or critical violation; form fields
have labels, icon buttons have accessible names, and the contract panel opens from the keyboard.
"""

import pytest
from playwright.sync_api import expect

from desk.choices import Priority
from tests import factories as f
from tests.browser.conftest import assert_accessible, browser_db, sign_in_with_session
from tickets import services as ticket_services

pytestmark = [pytest.mark.browser, browser_db]


@pytest.fixture
def desk(db):
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    admin = f.AdministratorFactory(username="ada", departments=[support])
    agent = f.AgentFactory(username="aggie", departments=[support])
    account = f.AccountFactory(name="Acme Ltd")
    f.ContactFactory(account=account)
    sla = f.SLAFactory(department=support, name="Gold SLA")
    plan = f.SupportPlanFactory(
        department=support, name="Gold 1 a month", sla=sla, ticket_based=True, credit_limit=1
    )
    free_plan = f.SupportPlanFactory(department=support, name="Unused plan", sla=sla)
    contract = f.ContractFactory(
        account=account, support_plan=plan, owner=admin, contract_number="AC-001"
    )

    def ticket(subject):
        return ticket_services.ticket_create(
            by=agent, subject=subject, account=account, department=support, priority=Priority.HIGH
        )

    covered = ticket("Covered by the contract")
    ticket_services.ticket_update(by=f.desk_admin(), ticket=covered, status="resolved")
    exempt = ticket("After the credits ran out")
    assert exempt.sla is None and covered.contract == contract
    return {
        "admin": admin,
        "agent": agent,
        "sla": sla,
        "plan": plan,
        "free_plan": free_plan,
        "contract": contract,
        "account": account,
        "covered": covered,
        "exempt": exempt,
    }


# (id, who, path from the desk's objects)
PAGES = [
    ("sign-in", None, lambda d: "/accounts/login/"),
    ("ticket-list", "agent", lambda d: "/tickets/"),
    ("ticket-new", "agent", lambda d: "/tickets/new/"),
    ("ticket-covered", "agent", lambda d: d["covered"].get_absolute_url()),
    ("ticket-exempt", "agent", lambda d: d["exempt"].get_absolute_url()),
    ("account", "admin", lambda d: d["account"].get_absolute_url()),
    ("contract-list", "admin", lambda d: "/contracts/"),
    ("contract-new", "admin", lambda d: "/contracts/new/"),
    ("contract-detail", "admin", lambda d: d["contract"].get_absolute_url()),
    ("contract-edit", "admin", lambda d: f"/contracts/{d['contract'].pk}/edit/"),
    ("settings", "admin", lambda d: "/settings/"),
    ("sla-list", "admin", lambda d: "/settings/automation/slas/"),
    ("sla-new", "admin", lambda d: "/settings/automation/slas/new/"),
    ("sla-detail", "admin", lambda d: d["sla"].get_absolute_url()),
    ("plan-list", "admin", lambda d: "/settings/automation/support-plans/"),
    ("plan-new", "admin", lambda d: "/settings/automation/support-plans/new/"),
    ("plan-detail", "admin", lambda d: d["plan"].get_absolute_url()),
    ("plan-edit-locked", "admin", lambda d: f"{d['plan'].get_absolute_url()}edit/"),
    ("plan-delete-refused", "admin", lambda d: f"{d['plan'].get_absolute_url()}delete/"),
    ("modules", "admin", lambda d: "/settings/customization/modules/"),
]

FORM_PAGES = {
    "sign-in",
    "ticket-new",
    "ticket-covered",
    "contract-new",
    "contract-edit",
    "sla-new",
    "plan-new",
    "plan-edit-locked",
    "modules",
}

UNLABELLED_FIELDS_JS = """() => {
    const fields = document.querySelectorAll([
        'main input:not([type=hidden]):not([type=submit]):not([type=button])',
        'main select',
        'main textarea',
    ].join(', '));
    return [...fields].filter(el => {
        const labelled = [...(el.labels || [])].some(l => l.textContent.trim())
            || (el.getAttribute('aria-label') || '').trim()
            || el.getAttribute('aria-labelledby');
        return !labelled;
    }).map(el => el.outerHTML.slice(0, 120));
}"""

NAMELESS_ICONS_JS = """() => {
    const controls = document.querySelectorAll('a, button, [role=button], [role=tab]');
    return [...controls].filter(el => {
        if (!el.querySelector('svg, img, i')) return false;
        const text = (el.innerText || '').trim();
        const named = (el.getAttribute('aria-label') || '').trim()
            || el.getAttribute('aria-labelledby') || (el.getAttribute('title') || '').trim();
        const alt = [...el.querySelectorAll('img')].some(img => (img.alt || '').trim());
        return !text && !named && !alt;
    }).map(el => el.outerHTML.slice(0, 160));
}"""


def open_page(page, live_server, desk, who, path):
    if who:
        sign_in_with_session(page.context, desk[who], live_server.url)
    response = page.goto(path(desk))
    assert response.status == 200, f"{path(desk)} answered {response.status}"
    return response


@pytest.mark.parametrize(("who", "path"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_page_has_no_serious_or_critical_axe_violation(page, live_server, desk, who, path):
    open_page(page, live_server, desk, who, path)
    assert_accessible(page)
    nameless = page.evaluate(NAMELESS_ICONS_JS)
    assert not nameless, f"icon controls without an accessible name: {nameless}"


FORMS = [p for p in PAGES if p[0] in FORM_PAGES]


@pytest.mark.parametrize(("who", "path"), [p[1:] for p in FORMS], ids=[p[0] for p in FORMS])
def test_every_form_field_has_a_label(page, live_server, desk, who, path):
    open_page(page, live_server, desk, who, path)
    assert page.locator("main form").count() >= 1, "no form on the page"
    unlabelled = page.evaluate(UNLABELLED_FIELDS_JS)
    assert not unlabelled, f"fields without a label: {unlabelled}"


def test_icon_buttons_are_named_for_what_they_do(page, live_server, desk):
    open_page(page, live_server, desk, "agent", lambda d: d["covered"].get_absolute_url())
    expect(page.get_by_role("button", name="Contract", exact=True)).to_have_id("contract-icon")
    expect(page.get_by_role("button", name="Quick actions")).to_have_id("quick-actions")


def test_contract_panel_opens_with_the_keyboard(page, live_server, desk):
    open_page(page, live_server, desk, "agent", lambda d: d["covered"].get_absolute_url())
    icon, panel = page.locator("#contract-icon"), page.locator("#contract-panel")
    icon.focus()
    expect(icon).to_be_focused()
    if panel.is_visible():
        # The page opens with the panel shown; Enter closes it, and Enter again opens it.
        page.keyboard.press("Enter")
        expect(panel).to_be_hidden()
        expect(icon).to_have_attribute("aria-expanded", "false")
        expect(icon).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    expect(icon).to_have_attribute("aria-expanded", "true")
    expect(panel.locator("data.credits-left")).to_have_attribute("value", "0")
    expect(panel).to_contain_text(desk["contract"].name)
