"""The top bar's search box (issue 16), typed into as a person would, in headless Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.conftest import assert_accessible, browser_db, log_in

pytestmark = [pytest.mark.browser, browser_db]


def search(page, text: str) -> None:
    """Type ``text`` into the top bar's search box and press Enter."""
    page.fill("nav input[name=q]", text)
    page.press("nav input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))


def test_an_agent_finds_tickets_accounts_and_contracts_from_the_top_bar(page):
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    f.AgentFactory(username="alex", departments=[support])
    account = f.AccountFactory(name="Amber Motors")
    contract = f.ContractFactory(
        name="Amber Motors service and support",
        contract_number="AM-2026-01",
        account=account,
        support_plan=f.SupportPlanFactory(department=support),
    )
    printer = f.TicketFactory(
        subject="打印机无法连接",
        description="Amber's office printer",
        account=account,
        department=support,
    )
    hidden = f.TicketFactory(
        subject="打印机又离线了", department=f.DepartmentFactory(name="Hardware")
    )
    log_in(page, "alex")

    search(page, "打印")  # part of a Chinese word
    tickets = page.locator("#search-tickets")
    expect(tickets.get_by_role("link", name="打印机无法连接")).to_be_visible()
    expect(tickets.get_by_role("link", name=hidden.subject)).to_have_count(0)  # another department
    expect(page.locator("nav input[name=q]")).to_have_value("打印")
    assert_accessible(page)

    search(page, "amber")
    expect(
        page.locator("#search-accounts").get_by_role("link", name="Amber Motors")
    ).to_be_visible()
    contracts = page.locator("#search-contracts")
    expect(contracts.get_by_role("link", name=contract.name)).to_be_visible()

    search(page, f"#{printer.pk}")
    page.locator("#search-tickets").get_by_role("link", name="打印机无法连接").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{printer.pk}/$"))
