"""Issue 16: the plan overview's usage chart in Chromium, on a desktop (1400 px) and a phone
(390 px): its labels never overlap and stay inside the chart, at a readable size, for every
grouping; a ticket-based plan's limit line shows when the chart is grouped by the plan's cycle."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import CreditEntry
from tests import factories as f
from tests.browser.conftest import assert_accessible, browser_db, sign_in_with_session

pytestmark = [pytest.mark.browser, browser_db]

# The visible chart's box, and the box and text of every label in it.
CHART_JS = """() => {
    const shown = [...document.querySelectorAll('svg.usage-chart-svg')]
        .filter(svg => svg.getBoundingClientRect().width > 0);
    const svg = shown[0];
    const box = el => {
        const r = el.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    };
    const limit = svg.querySelector('.usage-chart-limit');
    return {
        shown: shown.length,
        layout: svg.dataset.layout,
        scale: svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
        svg: box(svg),
        labels: [...svg.querySelectorAll('text')].map(t => ({text: t.textContent, ...box(t)})),
        limit: limit ? {...box(limit), stroke: getComputedStyle(limit).stroke,
                        width: getComputedStyle(limit).strokeWidth} : null,
    };
}"""


def overlap(a, b) -> bool:
    slack = 0.5  # sub-pixel rounding of boxes that merely touch
    return (
        a["left"] < b["right"] - slack
        and b["left"] < a["right"] - slack
        and a["top"] < b["bottom"] - slack
        and b["top"] < a["bottom"] - slack
    )


@pytest.fixture
def desk(db):
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    admin = f.AdministratorFactory(username="ada", departments=[support])
    plan = f.SupportPlanFactory(
        department=support, name="Twenty a month", ticket_based=True, credit_limit=20
    )
    today = timezone.localdate()
    contract = f.ContractFactory(support_plan=plan, start_date=today - datetime.timedelta(days=400))
    # Credits spent through the year, a busy month among them (the peak, under the limit).
    for days_ago, count in [(3, 2), (40, 5), (75, 14), (130, 1), (200, 8), (300, 3), (330, 6)]:
        when = timezone.now() - datetime.timedelta(days=days_ago)
        for _ in range(count):
            ticket = f.TicketFactory(account=contract.account, department=support)
            CreditEntry.objects.create(
                contract=contract,
                ticket=ticket,
                ticket_seq=0,
                kind="spend",
                delta=-1,
                created_at=when,
            )
    return {"admin": admin, "plan": plan, "today": today}


def test_the_usage_chart_labels_fit_and_the_limit_line_shows(page, live_server, desk):
    sign_in_with_session(page.context, desk["admin"], live_server.url)
    today = desk["today"]
    cut = (today - datetime.timedelta(days=380)).replace(day=15)  # mid-quarter, mid-month
    url = desk["plan"].get_absolute_url()
    queries = {
        "month": "",  # the default: the last 12 months, the plan's cycle
        "week": f"?start={cut:%Y-%m-%d}&end={today:%Y-%m-%d}&group=week",
        "quarter": f"?start={cut:%Y-%m-%d}&end={today:%Y-%m-%d}&group=quarter",
        "year": f"?start={cut:%Y-%m-%d}&end={today:%Y-%m-%d}&group=year",
    }
    for width, layout in [(1400, "wide"), (390, "narrow")]:
        page.set_viewport_size({"width": width, "height": 900})
        for grouping, query in queries.items():
            page.goto(f"{url}{query}")
            chart = page.evaluate(CHART_JS)
            where = f"{width}px, by {grouping}"
            assert chart["shown"] == 1 and chart["layout"] == layout, where
            assert chart["scale"] > 0.9, f"{where}: the chart is shrunk to {chart['scale']:.2f}"
            svg, labels = chart["svg"], chart["labels"]
            periods = [t for t in labels if t["text"] and not t["text"].isdigit()]
            assert len(periods) >= 2, f"{where}: {labels}"
            for label in labels:
                assert svg["left"] <= label["left"] and label["right"] <= svg["right"], (
                    f"{where}: {label['text']!r} leaves the chart sideways"
                )
                assert svg["top"] <= label["top"] and label["bottom"] <= svg["bottom"], (
                    f"{where}: {label['text']!r} leaves the chart at the top or bottom"
                )
            for i, a in enumerate(labels):
                for b in labels[i + 1 :]:
                    assert not overlap(a, b), f"{where}: {a['text']!r} overlaps {b['text']!r}"
            if grouping == "month":
                assert chart["limit"] is not None, f"{where}: no limit line"
                limit = chart["limit"]
                assert limit["right"] - limit["left"] > 0.8 * (svg["right"] - svg["left"]) / 2
                assert svg["top"] < limit["top"] < svg["bottom"]
                assert limit["stroke"] not in ("none", "") and limit["width"] == "2px", limit
                assert "Limit per contract: 20 tickets / month" in [t["text"] for t in labels]
            else:
                assert chart["limit"] is None, f"{where}: a limit line on another grouping"
                expect(page.locator(".usage-chart-note")).to_contain_text("drawn only when")
            if grouping == "quarter":
                # The quarter the range cuts is named by its own dates, not "Q… starting …".
                expect(page.locator(".usage-table tbody th").first).to_contain_text(f"{cut.day}")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(url)
    expect(page.get_by_role("img", name="Credits used per month")).to_have_count(1)
    assert_accessible(page)
