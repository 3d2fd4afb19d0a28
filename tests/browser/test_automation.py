"""Workflow rules in Chromium (SPEC section 10), as a new administrator meets them: an email
template with a preview, then "when a ticket under a ticket-based plan is created with priority
Urgent, set the assignee and email the contract owner" through the pages; a ticket raised so
fires it once, the rule's page logs it, and *Test against…* explains a ticket that does not
match, condition by condition. The pages' script is static/js/rule_form.js (no inline script)."""

import pytest
from playwright.sync_api import expect

from automation.models import EmailTemplate, Firing, Rule
from desk.choices import Priority
from desk.models import OutgoingEmail
from tests import factories as f
from tests.browser.conftest import assert_accessible, browser_db, log_in
from tests.conftest import run_queued_tasks
from tickets.services import ticket_create

pytestmark = [pytest.mark.browser, browser_db]


@pytest.fixture
def desk(db):
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    ada = f.AdministratorFactory(username="ada", departments=[support])
    sam = f.AgentFactory(username="sam", first_name="Sam", last_name="Agent", departments=[support])
    olive = f.AgentFactory(
        username="olive", first_name="Olive", last_name="Owner", departments=[support]
    )
    plan = f.SupportPlanFactory(
        department=support,
        name="Ten a month",
        plan_type="ticket_based",
        credit_cycle="monthly",
        credit_limit=3,
    )
    contract = f.ContractFactory(support_plan=plan, owner=olive, name="Acme support")
    return {"support": support, "ada": ada, "sam": sam, "olive": olive, "contract": contract}


def test_an_administrator_makes_a_rule_that_fires_and_tests_it(page, desk):
    log_in(page, "ada")
    page.goto("/settings/")
    page.get_by_role("link", name="Workflow rules").click()
    expect(page.locator("#no-rules")).to_be_visible()

    # An email template, previewed (with sample values: no ticket yet), then saved.
    page.get_by_role("link", name="Email templates").first.click()
    page.get_by_role("link", name="New email template").click()
    page.get_by_label("Department").select_option(label="Support")
    page.get_by_label("Module").select_option("tickets")
    page.get_by_label("Name").fill("Urgent ticket")
    page.get_by_label("Subject").fill("Urgent: {ticket.subject}")
    page.get_by_label("Text").fill("{ticket.number} under {plan.name}: {credits.left} left.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-subject")).to_have_text("Urgent: The printer does not print")
    assert not EmailTemplate.objects.exists()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Urgent ticket", exact=True)).to_be_visible()
    template = EmailTemplate.objects.get()

    # The rule, through its form: the rows offer the operators and values that suit a field.
    page.goto("/settings/automation/workflow-rules/")
    page.get_by_role("link", name="New rule for tickets").click()
    form = page.locator("#rule-form")
    expect(form.locator("[data-show-for-trigger=fields_updated]")).to_be_hidden()
    page.get_by_label("Name").fill("Urgent under a ticket-based plan")
    page.get_by_label("Department").select_option(label="Support")
    page.get_by_label("Trigger").select_option("created")
    page.locator("#id_criteria-0-field").select_option("plan_type")
    expect(page.locator("#id_criteria-0-value_text")).to_be_hidden()
    expect(page.locator("#id_criteria-0-operator option:not([disabled])")).to_have_count(5)
    page.locator("#id_criteria-0-operator").select_option("is")
    page.locator("#id_criteria-0-value_choice").select_option("plan_type:ticket_based")
    page.locator("#id_criteria-1-field").select_option("priority")
    page.locator("#id_criteria-1-operator").select_option("is")
    page.locator("#id_criteria-1-value_choice").select_option("priority:urgent")
    page.get_by_label("Set the assignee").select_option(label="Sam Agent")
    page.get_by_label("Email template").select_option(str(template.pk))
    page.get_by_label("The contract owner").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Urgent under a ticket-based plan")).to_be_visible()
    rule = Rule.objects.get()
    assert rule.criteria == [
        {"field": "plan_type", "operator": "is", "value": "ticket_based"},
        {"field": "priority", "operator": "is", "value": "urgent"},
    ]
    expect(page.locator("#rule-recent-firings")).to_have_text("Fired 0 times in the last 7 days")
    assert_accessible(page)

    # A ticket raised so fires it once: assigned, and the contract owner emailed.
    account = desk["contract"].account
    urgent = ticket_create(
        by=desk["ada"],
        subject="Server down",
        account=account,
        department=desk["support"],
        priority=Priority.URGENT,
    )
    run_queued_tasks()
    urgent.refresh_from_db()
    assert urgent.assignee == desk["sam"]
    assert OutgoingEmail.objects.filter(to__contains="olive@example.com").exists()
    firing = Firing.objects.get(rule=rule)
    page.reload()
    expect(page.locator("#rule-recent-firings")).to_have_text("Fired 1 time in the last 7 days")
    row = page.locator(f"#firing-{firing.pk}")
    expect(row).to_contain_text("Server down")
    expect(row).to_contain_text("Alert emailed to olive@example.com")

    # Test against a ticket that does not match: the failing condition says why.
    medium = ticket_create(
        by=desk["ada"],
        subject="Slow page",
        account=account,
        department=desk["support"],
        priority=Priority.MEDIUM,
    )
    run_queued_tasks()
    page.get_by_label("Ticket number").fill(str(medium.pk))
    page.get_by_role("button", name="Test").click()
    failing = page.locator("#test-criteria tr.test-fails")
    expect(failing).to_have_count(1)
    expect(failing).to_contain_text("Priority")
    expect(failing).to_contain_text("Medium")
    expect(failing).to_contain_text("does not hold")
    expect(page.locator("#test-outcome")).to_contain_text("do not hold")
    assert Firing.objects.filter(rule=rule).count() == 1
    assert_accessible(page)
