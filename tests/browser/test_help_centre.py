"""Issue 17: the help centre as a customer of Amber Motors uses it, in a browser.

The customer signs in on the help centre's own sign-in page, sees both of the account's
contracts (the time-limited ticket-based one and the one with no end date) with their plans,
credits and service levels, opens a contract's usage, raises a ticket, reads the agent's public
reply (never the private note), replies, and watches the status; on a desktop and at phone width
(390 px: nothing wider than the window, the menu behind its toggler), with axe-core finding
nothing serious on any page.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from desk.choices import Status
from sla.models import SLA, WorkingPeriod
from tests import factories as f
from tests.browser.conftest import PASSWORD, assert_accessible, browser_db
from tickets.conversation import reply_add
from tickets.models import Ticket
from tickets.services import ticket_update

pytestmark = [pytest.mark.browser, browser_db]

PHONE = {"width": 390, "height": 844}
PRIVATE_NOTE = "Internal: check the warranty before answering"

OVERFLOW_JS = """() => {
    const width = window.innerWidth;
    const culprits = [...document.querySelectorAll('body *')].filter(el => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.right > width + 0.5 && !el.closest('.table-responsive');
    }).map(el => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`.slice(0, 100));
    return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, culprits};
}"""


@pytest.fixture
def amber(db):
    today = timezone.localdate()
    support = f.DepartmentFactory(name="Customer Support Europe", contracts_enabled=True)
    agent = f.AgentFactory(
        username="anna", first_name="Anna", last_name="Lindqvist", departments=[support]
    )
    owner = f.UserFactory(username="owen", first_name="Owen", last_name="Ownerman")
    gold = f.SLAFactory(
        department=support,
        name="Gold business-hours SLA",
        business_hours=SLA.BusinessHours.WEEKLY,
        time_zone="Europe/Berlin",
    )
    for day in range(5):
        WorkingPeriod.objects.create(
            sla=gold, weekday=day, start_time=datetime.time(8), end_time=datetime.time(18)
        )
    limited = f.SupportPlanFactory(
        department=support,
        name="Standard twenty tickets a month",
        sla=gold,
        ticket_based=True,
        credit_limit=20,
    )
    unlimited = f.SupportPlanFactory(
        department=support,
        name="Premium unlimited",
        sla=f.SLAFactory(department=support, name="Round-the-clock SLA"),
    )
    account = f.AccountFactory(name="Amber Motors International Holdings")
    service = f.ContractFactory(
        name="Amber Motors service and support",
        contract_number="AM-2026-0001",
        account=account,
        support_plan=limited,
        owner=owner,
        product_name="Engines",
        start_date=today - datetime.timedelta(days=45),
        end_date=today + datetime.timedelta(days=320),
    )
    open_ended = f.ContractFactory(
        name="Amber Motors customer support and service",
        contract_number="AM-2020-0007",
        account=account,
        support_plan=unlimited,
        owner=owner,
        product_name="Parts",
        start_date=today - datetime.timedelta(days=800),
        end_date=None,
    )
    contact = f.ContactFactory(
        account=account,
        first_name="Carla",
        last_name="Castellanos-Whitmore",
        email="carla.castellanos-whitmore@amber-motors.example",
    )
    customer = f.customer_of(contact)
    # A resolved ticket of last week: a credit spent in this cycle, a line on the usage chart.
    earlier = Ticket.objects.create(
        subject="Warning light after the service",
        account=account,
        contact=contact,
        department=support,
        contract=service,
        sla=gold,
    )
    ticket_update(by=agent, ticket=earlier, status=Status.RESOLVED)
    return {
        "agent": agent,
        "account": account,
        "service": service,
        "open_ended": open_ended,
        "contact": contact,
        "customer": customer,
    }


def sign_in(page, customer) -> None:
    page.goto("/help/sign-in/")
    page.get_by_label("Email").fill(customer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/help/$"))


def assert_fits(page) -> None:
    found = page.evaluate(OVERFLOW_JS)
    assert found["scrollWidth"] <= found["innerWidth"], f"{page.url} overflows: {found}"


def test_a_customer_follows_their_contracts_and_tickets(page, amber):
    sign_in(page, amber["customer"])
    main = page.locator("main")
    # Home: both contracts, the open-ended one saying so, with plans, credits and SLA.
    expect(page.locator("#help-account")).to_have_text("Amber Motors International Holdings")
    expect(main).to_contain_text("Amber Motors service and support")
    expect(main).to_contain_text("Amber Motors customer support and service")
    service = page.locator(f"#contract-{amber['service'].pk}")
    expect(service).to_contain_text("Standard twenty tickets a month")
    expect(service).to_contain_text("Ticket-based")
    expect(service.locator("data.credits-used")).to_have_attribute("value", "1")
    expect(service.locator("data.credits-left")).to_have_attribute("value", "19")
    expect(service).to_contain_text("Weekly schedule (Europe/Berlin)")
    open_ended = page.locator(f"#contract-{amber['open_ended'].pk}")
    expect(open_ended).to_contain_text("No end date")
    expect(open_ended).to_contain_text("Unlimited plan")
    expect(main).not_to_contain_text("Ownerman")
    assert_accessible(page)

    # The contract's page: its usage, chart and table.
    service.get_by_role("link", name="Amber Motors service and support", exact=True).click()
    expect(page.locator("h1")).to_have_text("Amber Motors service and support")
    expect(page.locator("#usage table.usage-table tfoot")).to_contain_text("1")
    expect(page.locator("svg.usage-chart-svg[data-layout=wide]")).to_be_visible()
    assert_accessible(page)

    # Raise a ticket: it follows the contract for its product.
    page.locator("#help-raise").click()
    page.get_by_label("Subject").fill("Engine will not start in the cold")
    page.get_by_label("Description").fill("Since the first frost, every morning.")
    page.get_by_label("Product").fill("Engines")
    assert_accessible(page)
    page.get_by_role("button", name="Raise the ticket").click()
    ticket = Ticket.objects.get(subject="Engine will not start in the cold")
    assert ticket.contract == amber["service"] and ticket.contact == amber["contact"]
    expect(page).to_have_url(re.compile(rf"/help/tickets/{ticket.pk}/$"))
    expect(main).to_contain_text(f"Your ticket #{ticket.pk} was raised.")
    expect(page.locator("#ticket-status")).to_have_text("Open")
    expect(page.locator("#ticket-sla-explanation")).to_contain_text("Follows the plan's SLA")
    expect(page.locator("#response-due")).to_be_visible()

    # The agent answers, and writes a private note the customer never sees.
    reply_add(by=amber["agent"], ticket=ticket, body="Please try holding the key for 5 seconds.")
    reply_add(by=amber["agent"], ticket=ticket, body=PRIVATE_NOTE, public=False)
    ticket_update(by=amber["agent"], ticket=ticket, status=Status.WAITING_ON_CUSTOMER)
    page.reload()
    conversation = page.locator("#conversation")
    expect(conversation).to_contain_text("Please try holding the key for 5 seconds.")
    expect(conversation).to_contain_text("Anna")
    expect(main).not_to_contain_text(PRIVATE_NOTE)
    expect(main).not_to_contain_text("Lindqvist")
    expect(page.locator("#ticket-status")).to_have_text("Waiting on customer")
    assert_accessible(page)

    # The customer replies: the ticket is open again.
    page.get_by_label("Your reply").fill("That worked, thank you!")
    page.get_by_role("button", name="Send reply").click()
    expect(main).to_contain_text("Your reply was sent.")
    expect(conversation).to_contain_text("That worked, thank you!")
    expect(page.locator("#ticket-status")).to_have_text("Open")

    # The ticket list shows it, with its due times and SLA.
    page.locator("#help-tickets").click()
    row = page.locator(f"#ticket-{ticket.pk}")
    expect(row).to_contain_text("Engine will not start in the cold")
    expect(row).to_contain_text("Response due")
    expect(row).to_contain_text("Follows the plan's SLA")
    assert_accessible(page)

    # A closed ticket offers no reply: raise a new one.
    ticket_update(by=amber["agent"], ticket=ticket, status=Status.CLOSED)
    row.get_by_role("link").click()
    expect(page.locator("#ticket-closed")).to_contain_text("This ticket is closed")
    expect(page.locator("#reply-form")).to_have_count(0)


def test_the_help_centre_at_phone_width(page, amber):
    ticket = Ticket.objects.create(
        subject="Brake pads squeak on the long descent into the valley every single morning",
        account=amber["account"],
        contact=amber["contact"],
        department=amber["service"].support_plan.department,
        contract=amber["service"],
        sla=amber["service"].support_plan.sla,
        response_due_at=timezone.now() + datetime.timedelta(hours=2),
        resolution_due_at=timezone.now() + datetime.timedelta(days=2),
    )
    reply_add(by=amber["agent"], ticket=ticket, body="We will look at it today.")
    page.set_viewport_size(PHONE)
    sign_in(page, amber["customer"])
    toggler = page.locator("#help-menu-toggler")
    expect(toggler).to_be_visible()
    expect(page.locator("#help-raise")).to_be_hidden()
    pages = [
        "/help/",
        f"/help/contracts/{amber['service'].pk}/",
        f"/help/contracts/{amber['open_ended'].pk}/",
        "/help/tickets/",
        "/help/tickets/new/",
        f"/help/tickets/{ticket.pk}/",
    ]
    for path in pages:
        response = page.goto(path)
        assert response.status == 200, path
        assert_fits(page)
        assert_accessible(page)
    page.goto(f"/help/contracts/{amber['service'].pk}/")
    expect(page.locator("svg.usage-chart-svg[data-layout=narrow]")).to_be_visible()
    # The menu opens behind its toggler, every entry on screen; signing out goes to sign-in.
    toggler.click()
    for entry in ["#help-raise", "#help-tickets", "#language-select", "#help-sign-out"]:
        expect(page.locator(entry)).to_be_in_viewport()
    assert_fits(page)
    page.locator("#help-tickets").click()
    expect(page).to_have_url(re.compile(r"/help/tickets/$"))
    page.locator("#help-menu-toggler").click()
    # The menu has finished opening (a click during Bootstrap's collapse animation can miss).
    expect(page.locator("#help-menu")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(page.locator("#help-sign-out")).to_be_in_viewport()
    page.locator("#help-sign-out").click()
    expect(page).to_have_url(re.compile(r"/help/sign-in/"), timeout=15_000)
