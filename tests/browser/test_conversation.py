"""The conversation on the agent's ticket page (issue 17), clicked through in headless Chromium:
a private note, then a public reply, each shown in the conversation as it should look."""

import re

import pytest
from playwright.sync_api import expect

from desk.models import OutgoingEmail
from tests import factories as f
from tests.browser.conftest import assert_accessible, browser_db, log_in
from tickets import services as ticket_services
from tickets.models import Reply

pytestmark = [pytest.mark.browser, browser_db]


def test_an_agent_adds_a_private_note_then_replies_to_the_customer(page):
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    alex = f.AgentFactory(username="alex", first_name="Alex", last_name="Wu", departments=[support])
    account = f.AccountFactory(name="Amber Motors")
    contact = f.ContactFactory(
        account=account, first_name="Mei", last_name="Lin", email="mei@amber.example"
    )
    ticket = ticket_services.ticket_create(
        by=alex, subject="Printer offline", account=account, department=support, contact=contact
    )
    log_in(page, "alex")
    page.goto(f"/tickets/{ticket.pk}/")
    conversation = page.locator("#conversation")
    expect(conversation.get_by_role("heading", name="Conversation")).to_be_visible()
    expect(page.locator("#conversation-empty")).to_be_visible()

    # An empty text is refused, on the page, with the message.
    page.get_by_role("button", name="Add a private note").click()
    expect(page.locator("#id_reply-body_error")).to_contain_text("Write something first")

    text = page.get_by_label("Reply or private note")
    text.fill("Their printer runs the old firmware.")
    page.get_by_role("button", name="Add a private note").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/#conversation$"))
    note = conversation.locator("li.private-note")
    expect(note).to_contain_text("Their printer runs the old firmware.")
    expect(note.locator(".reply-private")).to_have_text("Private note")
    expect(note.locator(".reply-author")).to_have_text("Alex Wu")
    expect(page.locator("#ticket-status")).to_have_text("Open")

    text.fill("Please update the printer's firmware, then try again.")
    page.get_by_label("And set the status to").select_option(label="Waiting on customer")
    page.get_by_role("button", name="Reply to the customer").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/#conversation$"))
    expect(
        page.get_by_role("alert").filter(has_text="Reply added and emailed to mei@amber.example.")
    ).to_be_visible()
    entries = conversation.locator("#conversation-entries > li")
    expect(entries).to_have_count(2)
    reply = entries.nth(1)  # newest last
    expect(reply).to_contain_text("Please update the printer's firmware")
    expect(reply.locator(".reply-private")).to_have_count(0)
    expect(reply.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    expect(page.locator("#ticket-status")).to_have_text("Waiting on customer")
    history = page.locator("table.history")
    expect(history).to_contain_text("Replied to the customer")
    expect(history).to_contain_text("Added a private note")
    expect(history).not_to_contain_text("old firmware")
    assert_accessible(page)

    assert [(r.is_public, r.author_id) for r in Reply.objects.order_by("pk")] == [
        (False, alex.pk),
        (True, alex.pk),
    ]
    (email,) = OutgoingEmail.objects.all()
    assert email.to == "mei@amber.example" and "old firmware" not in email.body
