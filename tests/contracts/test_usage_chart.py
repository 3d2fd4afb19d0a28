"""Issue 16: the plan overview's usage chart (``contracts.charts``) and what the page shows.

Unit tests of the pure functions (usage figures in, words and coordinates out): the value axis,
the limit line only where it compares with the bars, period labels by their own dates, labels
thinned so that none overlaps or leaves the chart, the wording of unlimited plans and the text
alternative; then the plan overview in English and in Chinese."""

import datetime
import html
import re

import pytest
from django.utils import timezone, translation

from contracts import charts
from contracts.models import CreditEntry
from contracts.selectors import PERIOD_STEP, Grouping, Usage, UsagePeriod, period_start
from plans.models import SupportPlan
from tests import factories as f

d = datetime.date
WEEK, MONTH, QUARTER, YEAR = Grouping.WEEK, Grouping.MONTH, Grouping.QUARTER, Grouping.YEAR


@pytest.fixture(autouse=True)
def _english():
    """The words of the unit tests are English unless a test overrides it; requests leave their
    language active in this thread, so it is reset afterwards."""
    with translation.override("en"):
        yield


def usage(start, end, grouping, used=(0,)):
    """A ``Usage`` as the selector lays it out, the figures repeating ``used``."""
    periods, current, i = [], period_start(start, grouping), 0
    while current <= end:
        periods.append(UsagePeriod(start=current, used=used[i % len(used)]))
        current += PERIOD_STEP[grouping]
        i += 1
    return Usage(start=start, end=end, grouping=grouping, periods=periods)


def ticket_based(cycle="monthly", limit=20):
    return SupportPlan(plan_type="ticket_based", credit_cycle=cycle, credit_limit=limit)


def unlimited():
    return SupportPlan(plan_type="unlimited")


YEAR_BY_MONTH = usage(d(2025, 12, 1), d(2026, 11, 30), MONTH, (0, 3, 5, 14, 2, 0, 1, 4, 0, 6, 1, 1))


# --- the value axis ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "top, ticks",
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (14, [0, 5, 10, 15]),
        (20, [0, 5, 10, 15, 20]),
        (101, [0, 50, 100, 150]),
        (4321, [0, 1000, 2000, 3000, 4000, 5000]),
    ],
)
def test_ticks_are_round_steps_from_zero_to_at_least_the_top(top, ticks):
    assert charts.nice_ticks(top) == ticks


@pytest.mark.parametrize("top", range(0, 250))
def test_ticks_are_few_even_and_reach_the_top(top):
    ticks = charts.nice_ticks(top)
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert ticks[0] == 0 and ticks[-1] >= top and 2 <= len(ticks) <= 6
    assert len(steps) == 1 and str(steps.pop()).rstrip("0") in {"1", "2", "5"}


def test_the_axis_reaches_the_peak_and_the_drawn_limit():
    chart = charts.usage_chart(YEAR_BY_MONTH, ticket_based(limit=20))
    assert chart.ticks == [0, 5, 10, 15, 20] and chart.limit == 20
    small = charts.usage_chart(YEAR_BY_MONTH, ticket_based(limit=50))
    assert small.ticks[-1] >= 50
    for drawing in chart.drawings:
        limit = drawing.limit
        assert limit is not None and limit.value == 20
        assert drawing.plot_top <= limit.y < drawing.baseline
        assert drawing.gridlines[-1].y == limit.y  # 20 is the top tick
        tallest = max(drawing.bars, key=lambda bar: bar.height)
        assert tallest.y > limit.y  # 14 is under the line
        # grid lines: light, one per tick, labelled, within the plot
        assert [g.value for g in drawing.gridlines] == chart.ticks
        assert all(drawing.plot_top <= g.y <= drawing.baseline for g in drawing.gridlines)
        # the tick labels end left of the plot and inside the chart: a margin is kept for them
        assert all(
            g.label.left >= 0 and g.label.right < drawing.plot_left for g in drawing.gridlines
        )


# --- the limit line ----------------------------------------------------------------------------

CYCLES = {"weekly": WEEK, "monthly": MONTH, "quarterly": QUARTER, "yearly": YEAR}


@pytest.mark.parametrize("cycle", CYCLES)
@pytest.mark.parametrize("grouping", [WEEK, MONTH, QUARTER, YEAR])
def test_the_limit_is_drawn_only_when_grouped_by_the_plans_cycle(cycle, grouping):
    chart = charts.usage_chart(
        usage(d(2025, 1, 1), d(2026, 12, 31), grouping, (2,)), ticket_based(cycle, 7)
    )
    drawn = CYCLES[cycle] == grouping
    assert (chart.limit == 7) is drawn and (chart.limit is None) is not drawn
    assert all((drawing.limit is not None) is drawn for drawing in chart.drawings)
    if drawn:
        assert "limit per contract" in chart.summary.lower()
        assert "each contract on its own" in chart.note
        assert all(
            "Limit per contract: 7 tickets / " in drawing.limit.legend.lines[0]
            for drawing in chart.drawings
        )
    else:
        cycle_label = dict(Grouping.CHOICES)[CYCLES[cycle]]
        assert f"drawn only when “Group by” is “{cycle_label}”" in chart.note
        assert "7 tickets / " in chart.note and "imit" not in chart.summary


@pytest.mark.parametrize("grouping", [WEEK, MONTH, QUARTER, YEAR])
def test_an_unlimited_plan_has_no_limit_and_no_note(grouping):
    chart = charts.usage_chart(usage(d(2025, 1, 1), d(2025, 12, 31), grouping, (2,)), unlimited())
    assert chart.limit is None and chart.note == ""
    assert all(drawing.limit is None for drawing in chart.drawings)


# --- wording and the text alternative ---------------------------------------------------------


def test_credits_used_for_ticket_based_plans_tickets_resolved_for_unlimited_ones():
    credits = charts.usage_chart(YEAR_BY_MONTH, ticket_based())
    assert credits.value_label == "Credits used" and credits.title == "Credits used per month"
    assert credits.summary.startswith("Credits used per month")
    assert credits.total_text == "Credits used (spent less refunded): 37"
    tickets = charts.usage_chart(YEAR_BY_MONTH, unlimited())
    assert (
        tickets.value_label == "Tickets resolved" and tickets.title == "Tickets resolved per month"
    )
    assert tickets.summary.startswith("Tickets resolved per month")
    assert tickets.total_text == "Tickets resolved (less those reopened): 37"
    assert (
        "Credit" not in tickets.summary + tickets.title + tickets.value_label + tickets.total_text
    )
    by_week = usage(d(2025, 12, 1), d(2025, 12, 31), WEEK)
    assert charts.usage_chart(by_week, unlimited()).title == "Tickets resolved per week"


def test_the_text_alternative_says_what_when_how_many_the_peak_and_the_limit():
    chart = charts.usage_chart(YEAR_BY_MONTH, ticket_based())
    assert chart.summary == (
        "Credits used per month, Dec 1, 2025 to Nov 30, 2026: 37 in total, peak 14 in Mar 2026. "
        "Limit per contract: 20 tickets / month"
    )
    quiet = charts.usage_chart(usage(d(2025, 12, 1), d(2026, 11, 30), MONTH), unlimited())
    assert quiet.summary == "Tickets resolved per month, Dec 1, 2025 to Nov 30, 2026: none."
    weekly = charts.usage_chart(usage(d(2025, 12, 3), d(2025, 12, 31), WEEK, (1, 4)), unlimited())
    assert weekly.summary.endswith("peak 4 in Dec 8 – Dec 14, 2025.")


# --- period labels -----------------------------------------------------------------------------


def test_a_quarter_cut_by_the_range_is_named_by_its_own_dates():
    periods = charts.chart_periods(usage(d(2025, 11, 15), d(2026, 5, 20), QUARTER, (1,)))
    assert [p.name for p in periods] == ["Nov 15 – Dec 31, 2025", "2026 Q1", "Apr 1 – May 20, 2026"]
    first = periods[0]
    assert (first.start, first.end, first.cut) == (d(2025, 11, 15), d(2025, 12, 31), True)
    assert first.axis == ("Nov 15 –", "Dec 31, 2025")  # two lines under its bar
    assert periods[1].axis == ("2026 Q1",) and not periods[1].cut
    assert not any("Oct" in p.name or "Q4" in p.name or "starting" in p.name for p in periods)


def test_a_week_cut_by_the_range_is_labelled_by_its_own_first_day():
    periods = charts.chart_periods(usage(d(2025, 12, 3), d(2026, 1, 7), WEEK, (1,)))
    assert periods[0].axis == ("Dec 3",) and periods[0].name == "Dec 3 – Dec 7, 2025"
    assert periods[1].axis == ("Dec 8",) and periods[1].name == "Dec 8 – Dec 14, 2025"
    assert periods[4].name == "Dec 29, 2025 – Jan 4, 2026"  # across the new year
    assert periods[-1].name == "Jan 5 – Jan 7, 2026" and periods[-1].cut


def test_months_quarters_and_years_by_name():
    by_month = charts.chart_periods(usage(d(2025, 12, 1), d(2026, 1, 31), MONTH))
    assert [p.name for p in by_month] == ["Dec 2025", "Jan 2026"]
    by_year = charts.chart_periods(usage(d(2025, 1, 1), d(2026, 12, 31), YEAR))
    assert [p.axis for p in by_year] == [("2025",), ("2026",)]
    cut_year = charts.chart_periods(usage(d(2025, 1, 1), d(2025, 6, 30), YEAR))
    assert cut_year[0].name == "Jan 1 – Jun 30, 2025"
    one_day = charts.chart_periods(usage(d(2025, 6, 30), d(2025, 6, 30), MONTH))
    assert one_day[0].name == "Jun 30, 2025"


def test_labels_follow_the_language():
    with translation.override("zh-hans"):
        weeks = charts.chart_periods(usage(d(2025, 12, 1), d(2025, 12, 31), WEEK))
        months = charts.chart_periods(usage(d(2025, 12, 1), d(2026, 1, 31), MONTH))
        quarters = charts.chart_periods(usage(d(2025, 11, 15), d(2026, 3, 31), QUARTER))
    assert weeks[0].axis == ("12月1日",)
    assert [p.name for p in months] == ["2025年12月", "2026年1月"]
    assert quarters[0].name == "2025年11月15日 – 12月31日"  # the year first, said once


# --- labels on the chart: never overlapping, never cut off ------------------------------------

RANGES = [
    usage(d(2025, 12, 1), d(2026, 11, 30), WEEK, (0, 3, 12, 1)),
    usage(d(2025, 12, 3), d(2026, 11, 26), WEEK, (1,)),
    usage(d(2016, 1, 1), d(2025, 12, 31), WEEK, (3, 0)),  # ten years of weeks
    usage(d(2025, 12, 1), d(2026, 11, 30), MONTH, (7, 120, 3)),
    usage(d(2025, 11, 15), d(2026, 11, 26), MONTH, (1, 2)),  # both ends cut
    usage(d(2016, 1, 1), d(2025, 12, 31), MONTH, (5,)),
    usage(d(2025, 11, 15), d(2026, 11, 26), QUARTER, (0, 14)),
    usage(d(2016, 2, 29), d(2025, 12, 31), QUARTER, (1999,)),
    usage(d(2025, 11, 15), d(2026, 11, 26), YEAR, (3,)),
    usage(d(2016, 5, 1), d(2025, 12, 31), YEAR, (40,)),
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("plan", [ticket_based("monthly", 20), unlimited()], ids=["limit", "none"])
@pytest.mark.parametrize("figures", RANGES, ids=lambda u: f"{u.grouping}-{u.start}-{u.end}")
def test_no_two_labels_overlap_and_none_leaves_the_chart(figures, plan, language):
    with translation.override(language):
        chart = charts.usage_chart(figures, plan)
    for drawing in chart.drawings:
        labels = drawing.labels
        assert drawing.period_labels, "at least the first period is labelled"
        assert drawing.period_labels[0].lines[0] == chart.periods[0].axis[0]
        for label in labels:
            assert label.left >= 0 and label.right <= drawing.width, (drawing.layout, label)
            assert label.top >= 0 and label.bottom <= drawing.height, (drawing.layout, label)
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                assert not a.overlaps(b), (drawing.layout, a, b)


def test_labels_are_thinned_evenly_and_as_little_as_needed():
    figures = usage(d(2025, 12, 1), d(2026, 11, 30), WEEK)
    chart = charts.usage_chart(figures, unlimited())
    wide, narrow = chart.wide, chart.narrow
    shown = [
        chart.periods.index(next(p for p in chart.periods if p.axis[0] == label.lines[0]))
        for label in wide.period_labels
    ]
    steps = {b - a for a, b in zip(shown, shown[1:], strict=False)}
    assert len(steps) == 1  # every n-th week
    assert 5 <= len(wide.period_labels) <= 26 and len(narrow.period_labels) < len(
        wide.period_labels
    )
    assert steps.pop() > 1
    # the first label is set against the left edge of the plot rather than cut off
    first = wide.period_labels[0]
    assert first.anchor == "start" and first.x == wide.plot_left
    # the year is said under the first week, and again under the first week of the next year
    years = [label.lines[1] for label in wide.period_labels if len(label.lines) == 2]
    assert years == ["2025", "2026"]


def test_place_in_row_with_a_fixed_width_per_character():
    """At the chart's width and 7 px a character, every n-th of 53 weekly labels shows, the
    first against the left edge, the last inside the right one, none closer than the gap."""
    texts = [f"Dec {n}" for n in range(1, 54)]
    width, left = 720, 30
    slot = (width - 2 - left) / len(texts)
    centres = [left + (i + 0.5) * slot for i in range(len(texts))]
    widths = [7 * len(text) for text in texts]
    placed = charts.place_in_row(centres, widths, left, width - 1)
    boxes = []
    for index, x, anchor in placed:
        w = widths[index]
        box_left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
        boxes.append((box_left, box_left + w))
    assert placed[0][:1] == (0,) and placed[0][2] == "start"
    assert all(left <= a and b <= width - 1 for a, b in boxes)
    assert all(b[0] - a[1] >= charts.LABEL_GAP for a, b in zip(boxes, boxes[1:], strict=False))
    assert 6 <= len(placed) <= 14


@pytest.mark.parametrize(
    "slot, width, step",
    [(50, 40, 1), (48, 40, 1), (47, 40, 2), (12, 10, 2), (12, 30, 4), (5, 40, 10)],
)
def test_the_step_is_the_smallest_that_keeps_labels_apart(slot, width, step):
    """Labels ``width`` wide every ``slot`` pixels need ``width + LABEL_GAP`` between centres."""
    centres = [100 + i * slot for i in range(40)]
    placed = charts.place_in_row(centres, [width] * 40, 0, 10_000)
    assert [index for index, _, _ in placed] == list(range(0, 40, step))
    assert {anchor for _, _, anchor in placed} == {"middle"}


def test_figures_over_bars_only_when_they_fit():
    by_month = charts.usage_chart(YEAR_BY_MONTH, ticket_based())
    assert [bar.value.lines[0] for bar in by_month.wide.bars if bar.value] == [
        str(p.used) for p in by_month.periods if p.used
    ]
    by_week = charts.usage_chart(usage(d(2025, 12, 1), d(2026, 11, 30), WEEK, (1000,)), unlimited())
    assert all(bar.value is None for bar in by_week.narrow.bars)


def test_bars_stand_on_the_baseline_in_proportion():
    chart = charts.usage_chart(YEAR_BY_MONTH, unlimited())  # peak 14: ticks up to 15
    for drawing in chart.drawings:
        plot = drawing.baseline - drawing.plot_top
        for bar, period in zip(drawing.bars, chart.periods, strict=True):
            assert bar.y + bar.height == pytest.approx(drawing.baseline, abs=0.1)
            assert bar.height == pytest.approx(plot * period.used / 15, abs=0.1)
            assert drawing.plot_left <= bar.x and bar.x + bar.width <= drawing.plot_right


# --- the plan overview ---------------------------------------------------------------------------


def _spend(contract, day, count=1):
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    for _ in range(count):
        ticket = f.TicketFactory(
            account=contract.account, department=contract.support_plan.department
        )
        CreditEntry.objects.create(
            contract=contract, ticket=ticket, ticket_seq=0, kind="spend", delta=-1, created_at=when
        )


@pytest.fixture
def monthly_plan(department):
    plan = f.SupportPlanFactory(
        department=department, name="Twenty", ticket_based=True, credit_limit=20
    )
    contract = f.ContractFactory(support_plan=plan, start_date=d(2025, 1, 10))
    _spend(contract, d(2025, 11, 20), 2)
    _spend(contract, d(2026, 3, 2), 14)
    return plan


def visible_text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_overview_in_english(admin_client, monthly_plan):
    url = monthly_plan.get_absolute_url()
    page = admin_client.get(
        url, {"start": "2025-11-15", "end": "2026-11-30", "group": "quarter"}
    ).content.decode()
    text = visible_text(page)
    assert 'href="/settings/automation/support-plans/"' in page  # the way back to the plans
    assert 'type="date"' in page and 'name="start"' in page and 'name="end"' in page
    assert "Nov 15 – Dec 31, 2025 2" in text  # the table: the cut quarter by its own dates
    assert "2026 Q1 14" in text and "Credits used per quarter" in text
    assert "Q4" not in text and "starting" not in text.lower() and "Oct 1, 2025" not in text
    assert 'role="img"' in page
    summary = html.unescape(
        re.search(r'aria-label="(Credits used per quarter[^"]*)"', page).group(1)
    )
    assert "Nov 15, 2025 to Nov 30, 2026: 16 in total, peak 14 in 2026 Q1." in summary
    assert "usage-chart-limit" not in page
    assert (
        "The limit (20 tickets / month per contract) is drawn only when “Group by” is “Month”"
        in text
    )

    by_month = admin_client.get(url, {"start": "2025-12-01", "end": "2026-11-30", "group": "month"})
    page = by_month.content.decode()
    assert page.count('class="usage-chart-limit"') == 2  # the wide and the narrow layout
    assert "Limit per contract: 20 tickets / month" in page
    assert "Dec 2025" in page and "Mar 2026" in page
    assert "peak 14 in Mar 2026. Limit per contract: 20 tickets / month" in html.unescape(page)


def test_an_unlimited_plan_counts_tickets_resolved(admin_client, department):
    plan = f.SupportPlanFactory(department=department, name="Free for all")
    contract = f.ContractFactory(support_plan=plan)
    _spend(contract, timezone.localdate(), 3)
    page = admin_client.get(plan.get_absolute_url()).content.decode()
    text = visible_text(page)
    assert (
        "Tickets resolved per month" in text and "Tickets resolved (less those reopened): 3" in text
    )
    assert re.search(r'<th scope="col" class="text-end">Tickets resolved</th>', page)
    assert "Credits used" not in text and "Credit usage" not in text and "Limit" not in text
    assert 'aria-label="Tickets resolved per month' in page


def test_the_overview_in_chinese(admin_client, monthly_plan):
    response = admin_client.get(
        monthly_plan.get_absolute_url(),
        {"start": "2025-11-15", "end": "2026-11-30", "group": "quarter"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = response.content.decode()
    text = visible_text(page)
    assert 'lang="zh-hans"' in page
    assert "已用信用点数" in text  # the table's column, "Credits used"
    assert "2025年11月15日 – 12月31日" in text  # the cut quarter by its own dates, in Chinese
    assert "Nov" not in text and "Dec" not in text
    by_week = admin_client.get(
        monthly_plan.get_absolute_url(),
        {"start": "2025-12-01", "end": "2026-02-28", "group": "week"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert ">12月1日<" in by_week  # weeks on the axis by their first day
    by_month = admin_client.get(
        monthly_plan.get_absolute_url(),
        {"start": "2025-12-01", "end": "2026-11-30", "group": "month"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert ">2025年12月<" in by_month and "2026年3月" in by_month
    assert "20 个工单/月" in html.unescape(by_month)  # the limit, in the plan's translated terms
