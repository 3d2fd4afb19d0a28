"""The plan pages in Chromium: the credit fields follow the plan type, the pages pass axe-core."""

import pytest
from playwright.sync_api import expect

from plans.models import SupportPlan
from tests import factories as f
from tests.browser.conftest import assert_accessible, browser_db, log_in

pytestmark = [pytest.mark.browser, browser_db]


@pytest.fixture
def desk(db):
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    f.AdministratorFactory(username="ada", departments=[support])
    sla = f.SLAFactory(department=support, name="Gold SLA")
    f.SLAFactory(department=support, name="Old SLA", is_active=False)
    plan = f.SupportPlanFactory(department=support, name="Used", sla=sla, ticket_based=True)
    f.ContractFactory(support_plan=plan)
    return {"plan": plan}


def test_create_a_ticket_based_plan_in_the_browser(page, desk):
    log_in(page, "ada")
    page.goto("/settings/automation/support-plans/new/")
    assert_accessible(page)
    cycle, limit = page.locator("#id_credit_cycle"), page.locator("#id_credit_limit")
    expect(cycle).to_be_hidden()
    expect(limit).to_be_hidden()
    expect(page.locator("#id_sla option")).to_have_text(["---------", "Gold SLA"])
    page.get_by_label("Plan name").fill("Silver")
    page.get_by_label("Ticket-based").check()
    expect(cycle).to_be_visible()
    page.get_by_label("Credit cycle").select_option("weekly")
    page.get_by_label("Credit limit").fill("0")
    page.get_by_label("SLA").select_option(label="Gold SLA")
    page.get_by_role("button", name="Create plan").click()
    # the browser's own check (min=1) or the server's message: nothing is saved
    assert not SupportPlan.objects.filter(name="Silver").exists()
    page.get_by_label("Credit limit").fill("5")
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", name="Silver")).to_be_visible()
    assert SupportPlan.objects.get(name="Silver").terms == "5 tickets / week"
    expect(page.get_by_role("img")).to_have_count(1)
    assert_accessible(page)


def test_switching_to_unlimited_sends_no_credit_terms(page, desk):
    log_in(page, "ada")
    page.goto("/settings/automation/support-plans/new/")
    page.get_by_label("Plan name").fill("Free")
    page.get_by_label("Ticket-based").check()
    page.get_by_label("Credit limit").fill("5")
    page.get_by_label("Unlimited").check()
    page.get_by_label("SLA").select_option(label="Gold SLA")
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", name="Free")).to_be_visible()
    assert SupportPlan.objects.get(name="Free").terms == "Unlimited"


def test_locked_plan_edit_and_list_pages(page, desk):
    log_in(page, "ada")
    page.goto(f"/settings/automation/support-plans/{desk['plan'].pk}/edit/")
    expect(page.locator("#id_credit_cycle")).to_be_disabled()
    expect(page.locator("#id_credit_limit")).to_be_enabled()
    assert_accessible(page)
    page.goto("/settings/automation/support-plans/")
    assert_accessible(page)
    page.goto(f"/settings/automation/support-plans/{desk['plan'].pk}/delete/")
    expect(page.get_by_text("cannot be deleted")).to_be_visible()
    assert_accessible(page)


def test_the_sla_choices_follow_the_department(page, db):
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    hardware = f.DepartmentFactory(name="Hardware", contracts_enabled=True)
    f.AdministratorFactory(username="root", departments=[support, hardware])
    f.SLAFactory(department=support, name="Support SLA")
    f.SLAFactory(department=hardware, name="Hardware SLA")
    log_in(page, "root")
    page.goto("/settings/automation/support-plans/new/")
    sla = page.locator("#id_sla")
    page.get_by_label("Department").select_option(label="Hardware")
    expect(sla.locator("optgroup[label=Support]")).to_be_hidden()
    sla.select_option(label="Hardware SLA")
    page.get_by_label("Department").select_option(label="Support")
    expect(sla).to_have_value("")  # the other department's SLA is no longer chosen
    sla.select_option(label="Support SLA")
    expect(sla.locator("optgroup[label=Hardware]")).to_be_hidden()
