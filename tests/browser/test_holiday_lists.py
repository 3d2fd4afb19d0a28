"""Several rows in one save, in Chromium (issue 16): a holiday list's days and an SLA's escalation
levels, each with its "Add another" button (static/js/formset_rows.js, no inline script)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from desk.choices import Priority
from sla.models import SLA, HolidayList
from tests import factories as f
from tests.browser.conftest import assert_accessible, browser_db, log_in

pytestmark = [pytest.mark.browser, browser_db]


@pytest.fixture
def desk(db):
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    f.AdministratorFactory(username="ada", departments=[support])
    return {"support": support}


def test_add_a_holiday_list_with_two_days_and_an_sla_with_two_levels(page, desk):
    log_in(page, "ada")

    # A holiday list: one day in the first blank row, one in a row the button adds.
    page.goto("/settings/automation/slas/")
    page.get_by_role("link", name="Holiday lists").first.click()
    page.get_by_role("link", name="New holiday list").click()
    assert_accessible(page)
    rows = page.locator("#holidays-rows > .row")
    expect(rows).to_have_count(3)  # the blank rows a page without script would use
    add_day = page.get_by_role("button", name="Add another day")
    add_day.click()
    expect(rows).to_have_count(4)
    expect(page.locator("#id_holidays-TOTAL_FORMS")).to_have_value("4")
    expect(page.locator("#id_holidays-3-date")).to_be_focused()
    page.get_by_label("Name").first.fill("China 2026")
    page.locator("#id_holidays-0-date").fill("2026-05-01")
    page.locator("#id_holidays-0-name").fill("Labour Day")
    page.locator("#id_holidays-3-date").fill("2026-10-01")
    page.locator("#id_holidays-3-name").fill("National Day")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="China 2026")).to_be_visible()
    holiday_list = HolidayList.objects.get(name="China 2026")
    days = list(holiday_list.holidays.order_by("date").values_list("date", "name"))
    assert days == [
        (datetime.date(2026, 5, 1), "Labour Day"),
        (datetime.date(2026, 10, 1), "National Day"),
    ]
    assert_accessible(page)

    # An SLA with two escalation levels, both in rows the button adds past the two blank ones.
    page.goto("/settings/automation/slas/new/")
    levels = page.locator("#levels-rows > fieldset")
    expect(levels).to_have_count(2)
    add_level = page.get_by_role("button", name="Add another level")
    add_level.click()
    add_level.click()
    expect(levels).to_have_count(4)
    expect(levels.nth(3).locator("legend")).to_have_text("Level 4")
    page.locator("#id_name").fill("Office hours")
    page.locator("#id_department").select_option(label="Support")
    page.locator("#id_holiday_list").select_option(label="China 2026")
    for priority in Priority.values:
        page.locator(f"#id_{priority}_response_hours").fill("1")
        page.locator(f"#id_{priority}_resolution_hours").fill("8")
    for index, target, minutes, when in (
        (2, "response", "15", "before"),
        (3, "resolution", "30", "after"),
    ):
        page.locator(f"#id_levels-{index}-target").select_option(target)
        page.locator(f"#id_levels-{index}-minutes").fill(minutes)
        page.locator(f"#id_levels-{index}-when").select_option(when)
        page.locator(f"#id_levels-{index}-action").select_option("raise_priority")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Office hours")).to_be_visible()
    sla = SLA.objects.get(name="Office hours")
    assert sla.holiday_list == holiday_list
    assert list(
        sla.escalation_levels.order_by("level").values_list("level", "target", "offset_minutes")
    ) == [(1, "response", -15), (2, "resolution", 30)]
    expect(page.locator("#sla-escalations tbody tr")).to_have_count(2)

    # Back from the SLA to its holiday list, and Cancel on its form goes back to it.
    page.locator("#sla-holiday-list").click()
    expect(page.get_by_role("heading", name="China 2026")).to_be_visible()
    expect(page.get_by_text("Office hours")).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(
        re.compile(rf"/settings/automation/slas/holiday-lists/{holiday_list.pk}/$")
    )
