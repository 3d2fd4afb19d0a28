"""Issue 16: the desk at phone width (390×844) and on a desktop (1400×900), in English and in
Chinese, for an administrator, an agent and a contract manager; the 403 and 404 pages in the
desk's frame; the current section marked in the top bar; the way back from a page.

At phone width the top bar collapses behind its toggler, which opens a menu whose every entry
("+", the user menu with Sign out, the language switch) is on screen and clickable; no page is
wider than the window; the ticket page shows its panel above its details.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from desk.choices import Priority
from tests import factories as f
from tests.browser.conftest import assert_accessible, browser_db, sign_in_with_session
from tickets import services as ticket_services

pytestmark = [pytest.mark.browser, browser_db]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
WIDTHS = {"390": PHONE, "1400": DESKTOP}
LANGUAGES = ["en", "zh-hans"]
ROLES = ["admin", "agent", "manager"]

# Elements wider than the window, outside a scrolling box: what to look at when a page overflows.
OVERFLOW_JS = """() => {
    const width = window.innerWidth;
    const culprits = [...document.querySelectorAll('body *')].filter(el => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.right > width + 0.5 && !el.closest('.table-responsive');
    }).map(el => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`.slice(0, 100));
    return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: width,
        culprits: culprits.slice(0, 8),
    };
}"""


@pytest.fixture
def desk(db):
    """One department with a ticket-based plan, a contract and tickets, and its three people.

    Names are long on purpose: a phone shows what a real desk holds."""
    support = f.DepartmentFactory(name="Customer Support Europe", contracts_enabled=True)
    admin = f.AdministratorFactory(
        username="ada",
        first_name="Ada",
        last_name="Lovelace",
        is_staff=True,
        departments=[support],
    )
    agent = f.AgentFactory(
        username="aggie", first_name="Agatha", last_name="Christie", departments=[support]
    )
    manager = f.UserFactory(
        username="manny",
        first_name="",
        last_name="",
        groups=["Contract managers"],
        departments=[support],
    )
    account = f.AccountFactory(
        name="Amber Motors International Holdings", website="https://amber-motors.example.com"
    )
    f.ContactFactory(account=account, first_name="Cara", last_name="Contact")
    sla = f.SLAFactory(department=support, name="Gold business-hours SLA")
    plan = f.SupportPlanFactory(
        department=support,
        name="Gold twenty tickets a month",
        sla=sla,
        ticket_based=True,
        credit_limit=20,
    )
    contract = f.ContractFactory(
        account=account,
        support_plan=plan,
        owner=manager,
        name="Customer support and service agreement",
        contract_number="AM-2025-SUPPORT-000123",
        product_name="Amber Fleet Manager Enterprise",
    )
    ticket = ticket_services.ticket_create(
        by=agent,
        subject="The fleet dashboard shows yesterday's positions after the nightly sync",
        account=account,
        department=support,
        priority=Priority.HIGH,
        description="Since the upgrade to 4.2 the nightly synchronisation leaves stale data.",
    )
    ticket_services.ticket_update(by=f.desk_admin(), ticket=ticket, assignee=agent)
    return {
        "admin": admin,
        "agent": agent,
        "manager": manager,
        "account": account,
        "sla": sla,
        "plan": plan,
        "contract": contract,
        "ticket": ticket,
    }


def pages(d) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("ticket list", "/tickets/"),
        ("ticket", d["ticket"].get_absolute_url()),
        ("new ticket", "/tickets/new/"),
        ("account list", "/customers/"),
        ("account", d["account"].get_absolute_url()),
        ("contract list", "/contracts/"),
        ("contract", d["contract"].get_absolute_url()),
        ("plan list", "/settings/automation/support-plans/"),
        ("SLA list", "/settings/automation/slas/"),
        ("settings", "/settings/"),
        ("preferences", "/accounts/preferences/"),
    ]


# What each role may open: the rest answers 403 (a page in the desk's frame all the same).
SETTINGS_PAGES = {"plan list", "SLA list", "settings"}


def expected_status(role: str, name: str) -> int:
    return 403 if role != "admin" and name in SETTINGS_PAGES else 200


def open_as(page, live_server, user, *, width: str, language: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    sign_in_with_session(page.context, user, live_server.url)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )


def assert_no_horizontal_overflow(page) -> None:
    measured = page.evaluate(OVERFLOW_JS)
    assert measured["scrollWidth"] <= measured["innerWidth"], (
        f"{page.url} is {measured['scrollWidth']} px wide in a {measured['innerWidth']} px "
        f"window; too wide: {measured['culprits']}"
    )


def assert_on_screen_and_clickable(page, locator, what: str) -> None:
    expect(locator).to_be_visible()
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box is not None, f"{what} has no box on {page.url}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5, (
        f"{what} is off-screen on {page.url}: {box}"
    )
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 0.5, (
        f"{what} is off-screen on {page.url}: {box}"
    )
    locator.click(trial=True)  # visible, enabled, not covered: a click would reach it


def check_phone_menu(page, role: str) -> None:
    """At phone width: the menu is behind the toggler, which opens it with everything in it."""
    menu, toggler = page.locator("#main-menu"), page.locator("#main-menu-toggler")
    expect(menu).to_be_hidden()
    assert_on_screen_and_clickable(page, toggler, "the menu toggler")
    toggler.click()
    expect(menu).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    sections = menu.locator("#main-sections a.nav-link")
    expected = {"admin": 6, "agent": 5, "manager": 5}[role]  # Settings for administrators only
    expect(sections).to_have_count(expected)
    for i in range(sections.count()):
        link = sections.nth(i)
        assert_on_screen_and_clickable(page, link, f"menu item {link.inner_text()!r}")
        box = link.bounding_box()
        # One line: a menu item never wraps a character a line.
        assert box["height"] < 48, f"menu item {link.inner_text()!r} wraps: {box}"
    assert_on_screen_and_clickable(page, menu.locator("#topbar-q"), "the search box")
    assert_on_screen_and_clickable(page, page.locator("#language-select"), "the language switch")
    assert_on_screen_and_clickable(page, page.locator("#quick-actions"), "the + button")
    page.locator("#quick-actions").click()
    new_ticket = menu.locator(".dropdown-menu.show a.dropdown-item").first
    assert_on_screen_and_clickable(page, new_ticket, "+ > New ticket")
    assert_on_screen_and_clickable(page, page.locator("#user-menu"), "the user menu")
    page.locator("#user-menu").click()
    assert_on_screen_and_clickable(page, page.locator("#user-preferences"), "Preferences")
    assert_on_screen_and_clickable(page, page.locator("#sign-out"), "Sign out")
    assert_no_horizontal_overflow(page)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_fits_the_window(page, live_server, desk, width, language, role):
    open_as(page, live_server, desk[role], width=width, language=language)
    for name, path in pages(desk):
        response = page.goto(path)
        assert response.status == expected_status(role, name), (name, path, response.status)
        assert page.locator("html").get_attribute("lang") == language
        assert_no_horizontal_overflow(page)
        toggler = page.locator("#main-menu-toggler")
        if width == "390":
            check_phone_menu(page, role)
        else:
            expect(toggler).to_be_hidden()
            expect(page.locator("#main-sections")).to_be_visible()
            expect(page.locator("#user-menu")).to_be_visible()
            expect(page.locator("#language-select")).to_be_visible()
        if role == "admin":
            assert_accessible(page)  # with the menu and the user menu open at phone width


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_ticket_page_stacks_its_panel_above_the_details_at_phone_width(
    page, live_server, desk, width, language
):
    open_as(page, live_server, desk["agent"], width=width, language=language)
    page.goto(desk["ticket"].get_absolute_url())
    panel = page.locator("aside.side-panel").bounding_box()
    details = page.locator("#ticket-details").bounding_box()
    if width == "390":
        assert panel["y"] + panel["height"] <= details["y"], (panel, details)
        assert details["width"] <= PHONE["width"]
    else:
        assert panel["x"] + panel["width"] <= details["x"], (panel, details)
        assert abs(panel["y"] - details["y"]) < 1, (panel, details)
    assert_no_horizontal_overflow(page)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_home_page_figures_and_their_links(page, live_server, desk, width):
    """Each figure on the home page links to the tickets it counts."""
    open_as(page, live_server, desk["agent"], width=width, language="en")
    page.goto("/")
    assert_no_horizontal_overflow(page)
    expect(page.locator("#home-mine .display-6")).to_have_text("1")
    for card, query in [
        ("#home-mine", "assignee=me&resolution=unresolved"),
        ("#home-overdue", "sla_state=overdue"),
        ("#home-due-soon", "sla_state=due_soon"),
    ]:
        page.goto("/")
        figure = int(page.locator(f"{card} .display-6").inner_text())
        page.locator(f"{card} a").click()
        expect(page).to_have_url(re.compile(rf"/tickets/\?{query}$"))
        expect(page.get_by_role("heading", name="Tickets", exact=True)).to_be_visible()
        expect(page.locator("main table tbody a[href^='/tickets/']")).to_have_count(figure)
        expect(page.locator("#main-sections [aria-current=page]")).to_have_text("Tickets")
        assert_no_horizontal_overflow(page)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_403_and_404_pages_keep_the_desks_frame(page, live_server, desk, width, language):
    open_as(page, live_server, desk["agent"], width=width, language=language)
    with translation.override(language):
        refused = translation.gettext("You may not open this page")
        not_found = translation.gettext("Page not found")
    assert language == "en" or refused != "You may not open this page"
    for path, status, heading in [
        ("/settings/", 403, refused),
        ("/tickets/999999/", 404, not_found),
    ]:
        response = page.goto(path)
        assert response.status == status
        assert page.locator("html").get_attribute("lang") == language
        expect(page.locator(f"#error-page[data-status='{status}']")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_role("navigation", name=re.compile(".")).first).to_be_visible()
        assert_no_horizontal_overflow(page)
        if width == "390":
            check_phone_menu(page, "agent")
        else:
            expect(page.locator("#main-sections")).to_be_visible()
        page.locator("#error-way-out").click()
        expect(page).to_have_url(re.compile(r"/(tickets/)?$"))


SECTIONS = [
    ("/", "Home"),
    ("/tickets/", "Tickets"),
    ("ticket", "Tickets"),
    ("/tickets/new/", "Tickets"),
    ("/customers/", "Customers"),
    ("account", "Customers"),
    ("/contracts/", "Contracts"),
    ("contract", "Contracts"),
    ("/settings/", "Settings"),
    ("/settings/automation/support-plans/", "Settings"),
    ("plan", "Settings"),
    ("/settings/automation/slas/", "Settings"),
    ("sla", "Settings"),
    ("/settings/customization/modules/", "Settings"),
    ("/accounts/preferences/", None),
]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_current_section_is_marked(page, live_server, desk, width):
    open_as(page, live_server, desk["admin"], width=width, language="en")
    records = {key: desk[key].get_absolute_url() for key in ("ticket", "account", "contract")}
    records["plan"] = desk["plan"].get_absolute_url()
    records["sla"] = desk["sla"].get_absolute_url()
    for path, section in SECTIONS:
        page.goto(records.get(path, path))
        current = page.locator("#main-sections [aria-current=page]")
        if section is None:
            expect(current).to_have_count(0)
            continue
        expect(current).to_have_count(1)
        expect(current).to_have_text(section)
        expect(current).to_have_class(re.compile(r"\bactive\b"))
        if width == "1400":
            expect(current).to_be_visible()


def test_back_links_and_cancel_lead_back(page, live_server, desk):
    open_as(page, live_server, desk["admin"], width="390", language="en")
    ticket, contract, plan = desk["ticket"], desk["contract"], desk["plan"]

    # A ticket's page leads back to the ticket list.
    page.goto(ticket.get_absolute_url())
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Tickets").click()
    expect(page).to_have_url(re.compile(r"/tickets/$"))

    # Editing a contract, Cancel goes back to the contract; creating one, to the list.
    page.goto(contract.get_absolute_url())
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/contracts/{contract.pk}/edit/$"))
    cancel = page.get_by_role("link", name="Cancel")
    assert_on_screen_and_clickable(page, cancel, "Cancel")
    cancel.click()
    expect(page).to_have_url(re.compile(rf"/contracts/{contract.pk}/$"))
    page.goto("/contracts/new/")
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/contracts/$"))

    # Cancel sits beside the form's submit button (moved there by desk.js).
    page.goto("/tickets/new/")
    submit = page.get_by_role("button", name="Create ticket")
    cancel = page.get_by_role("link", name="Cancel")
    assert cancel.evaluate("el => el.closest('form') !== null")
    assert abs(submit.bounding_box()["y"] - cancel.bounding_box()["y"]) < 8
    cancel.click()
    expect(page).to_have_url(re.compile(r"/tickets/$"))

    # A support plan's edit form leads back to the plan; the plan list to Settings.
    page.goto(f"{plan.get_absolute_url()}edit/")
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(rf"{plan.get_absolute_url()}$"))
    page.goto("/settings/automation/support-plans/")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Settings").click()
    expect(page).to_have_url(re.compile(r"/settings/$"))


@pytest.mark.parametrize("role", ROLES)
def test_back_office_link_only_for_staff(page, live_server, desk, role):
    open_as(page, live_server, desk[role], width="1400", language="en")
    page.goto("/")
    page.locator("#user-menu").click()
    back_office = page.get_by_role("link", name="Back office")
    if role == "admin":
        expect(back_office).to_be_visible()
        back_office.click()
        expect(page).to_have_url(re.compile(r"/admin/$"))
    else:
        expect(back_office).to_have_count(0)


def test_top_bar_shows_the_users_name_and_searches(page, live_server, desk):
    open_as(page, live_server, desk["manager"], width="390", language="en")
    page.goto("/")
    page.locator("#main-menu-toggler").click()
    expect(page.locator("#user-menu")).to_have_text("manny")  # no full name: the username
    search = page.get_by_role("search").get_by_label("Search")
    search.fill("fleet")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=fleet$"))
    open_as(page, live_server, desk["agent"], width="1400", language="en")
    page.goto("/")
    expect(page.locator("#user-menu")).to_have_text("Agatha Christie")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_expanded_top_bar_fits_from_its_breakpoint(page, live_server, desk, language):
    """From 992 px (Bootstrap's lg) the top bar is expanded: everything in it still fits."""
    admin = desk["admin"]
    admin.first_name, admin.last_name = "Adelaide Augusta", "Lovelace-King-Noel"
    admin.save()
    open_as(page, live_server, admin, width="1400", language=language)
    page.set_viewport_size({"width": 992, "height": 800})
    page.goto(desk["ticket"].get_absolute_url())
    expect(page.locator("#main-menu-toggler")).to_be_hidden()
    assert_no_horizontal_overflow(page)
    for what in [
        "#main-sections a.nav-link >> nth=-1",
        "#topbar-q",
        "#quick-actions",
        "#user-menu",
    ]:
        assert_on_screen_and_clickable(page, page.locator(what), what)
    assert_on_screen_and_clickable(page, page.locator("#language-select"), "the language switch")
    top = page.locator("#main-sections a.nav-link").first.bounding_box()["y"]
    language_top = page.locator("#language-select").bounding_box()["y"]
    assert abs(top - language_top) < 16, "the top bar wrapped onto a second line"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_visitors_pages_fit_and_keep_the_language_switch(page, live_server, width, language):
    page.set_viewport_size(WIDTHS[width])
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    for path, status in [("/accounts/login/", 200), ("/no-such-page/", 404)]:
        response = page.goto(path)
        assert response.status == status
        expect(page.locator("#main-menu-toggler")).to_have_count(0)  # nothing to collapse
        assert_on_screen_and_clickable(page, page.locator("#language-select"), "the switch")
        assert_no_horizontal_overflow(page)
