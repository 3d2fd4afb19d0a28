"""Issue 17's invitation, clicked through as the agent and the new customer would.

An agent invites a contact from the account page's Contacts tab; the task worker sends the email;
the contact opens its one-time link, chooses a password, lands on the help centre, and finds every
staff page closed to them.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from customers.models import Contact
from tests import factories as f
from tests.browser.conftest import assert_accessible, browser_db, log_in
from tests.conftest import run_queued_tasks

pytestmark = [pytest.mark.browser, browser_db]

PASSWORD = "amber-motors-2026!"
LINK = re.compile(r"https?://\S+/help/welcome/\S+/")


def test_an_agent_invites_a_contact_who_signs_up_and_meets_the_wall(
    page, context, live_server, mailoutbox
):
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    f.AgentFactory(username="li", departments=[support])
    account = f.AccountFactory(name="Amber Motors")
    contact = f.ContactFactory(
        account=account, first_name="Ana", last_name="Silva", email="ana@amber.example"
    )

    # The agent, on the account page's Contacts tab.
    log_in(page, "li")
    page.goto(f"/customers/{account.pk}/")
    page.get_by_role("tab", name="Contacts").click()
    row = page.locator(f"#contact-{contact.pk}")
    expect(row.locator(".contact-access")).to_have_text("Not invited")
    row.get_by_label("Account administrator").check()
    row.get_by_role("button", name=re.compile(r"^Invite")).click()
    expect(page.locator(".alert-success")).to_contain_text("was invited to the help centre")
    expect(page.locator("#contacts-pane")).to_be_visible()  # back on the Contacts tab
    row = page.locator(f"#contact-{contact.pk}")
    expect(row.locator(".contact-access")).to_contain_text("Invited on")
    expect(row.locator(".contact-access")).to_contain_text("Account administrator")
    assert_accessible(page)

    # The worker delivers the email; the contact opens its link in a browser of their own.
    assert run_queued_tasks() >= 1
    (message,) = [m for m in mailoutbox if m.to == ["ana@amber.example"]]
    link = urlsplit(LINK.search(message.body).group(0))
    customer = context.browser.new_context(base_url=live_server.url)
    customer.set_default_timeout(10_000)
    them = customer.new_page()
    try:
        them.goto(f"{link.path}")
        expect(them.get_by_role("heading", name="Welcome to the help centre")).to_be_visible()
        assert_accessible(them)
        them.get_by_label(re.compile(r"^\s*New password\s*\*?\s*$")).fill(PASSWORD)
        them.get_by_label("New password confirmation").fill(PASSWORD)
        them.get_by_role("button", name="Set my password and sign in").click()
        them.wait_for_url(f"{live_server.url}/help/")
        expect(them.locator(".alert-success")).to_contain_text("Welcome to the help centre")

        # Every staff page is closed to them, in the help centre's frame.
        them.goto("/tickets/")
        expect(them.locator("#error-page")).to_have_attribute("data-status", "403")
        expect(them.get_by_role("heading", name="This page is for staff")).to_be_visible()
        them.get_by_role("link", name="Go to the help centre").click()
        them.wait_for_url(f"{live_server.url}/help/")
        them.goto("/")
        them.wait_for_url(f"{live_server.url}/help/")

        # The link worked once.
        them.goto(f"{link.path}")
        expect(them.locator("#invalid-link")).to_be_visible()
        them.screenshot(path="test-artifacts/invitation_customer.png", full_page=True)
    finally:
        customer.close()

    # The agent sees them signed up.
    page.goto(f"/customers/{account.pk}/?tab=contacts")
    row = page.locator(f"#contact-{contact.pk}")
    expect(row.locator(".contact-access")).to_contain_text("Has access")
    assert Contact.objects.get(pk=contact.pk).user.has_usable_password()


def test_the_help_centre_sign_in_and_sign_out(page):
    contact = f.ContactFactory(email="bo@amber.example")
    f.customer_of(contact)
    page.goto("/help/")
    page.wait_for_url(re.compile(r"/help/sign-in/\?next=/help/$"))
    expect(page.get_by_role("heading", name="Sign in to the help centre")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email").fill("Bo@Amber.example")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/help/$"))
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/help/sign-in/$"))
