"""The credit usage chart (the plan overview; later the help centre's view of one account).

Pure functions: the usage figures (``selectors.Usage``) and the plan's terms go in; the words,
coordinates and labels of a server-drawn SVG come out, and
``templates/contracts/includes/usage_chart.html`` only places them. No query, no request.

The chart is laid out twice, at its own size each time: wide for desktops and narrow for phones
(the template shows one by screen width). Text in an SVG scales with it, so one drawing shrunk
to a phone's width would have labels too small to read; each layout keeps 12px text and thins
its period labels, by an estimate of their width, until no two overlap.

The limit line: a ticket-based plan's limit counts per contract and per credit cycle, and cycles
start on each contract's start date. The bars add up all the plan's contracts over calendar
periods. The limit is drawn only when the chart is grouped by the plan's cycle (a week of a
monthly plan may use all 20 credits, so 20 ÷ 4 would be a false line; a year holds 12 cycles of
each contract only when the contract ran all year), labelled "per contract", with a note that
says what it is compared with; grouped otherwise, a note says why it is not drawn.
"""

import datetime
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext, gettext_lazy, ngettext

from plans.models import SupportPlan

from .selectors import PERIOD_STEP, Grouping, Usage

# --- words ------------------------------------------------------------------------------------

CREDITS_USED = gettext_lazy("Credits used")
TICKETS_RESOLVED = gettext_lazy("Tickets resolved")

TITLES = {
    (Grouping.WEEK, True): gettext_lazy("Credits used per week"),
    (Grouping.MONTH, True): gettext_lazy("Credits used per month"),
    (Grouping.QUARTER, True): gettext_lazy("Credits used per quarter"),
    (Grouping.YEAR, True): gettext_lazy("Credits used per year"),
    (Grouping.WEEK, False): gettext_lazy("Tickets resolved per week"),
    (Grouping.MONTH, False): gettext_lazy("Tickets resolved per month"),
    (Grouping.QUARTER, False): gettext_lazy("Tickets resolved per quarter"),
    (Grouping.YEAR, False): gettext_lazy("Tickets resolved per year"),
}
SUMMARY_NONE = gettext_lazy("%(title)s, %(start)s to %(end)s: none.")
LIMIT_LEGEND = gettext_lazy("Limit per contract: %(terms)s")
NOTE_LIMIT_DRAWN = gettext_lazy(
    "The limit applies to each contract on its own, per credit cycle counted from the "
    "contract's start date. The bars add up all contracts by calendar period, so a bar can "
    "pass the line while no contract goes over its limit."
)
CREDITS_TOTAL = gettext_lazy("Credits used (spent less refunded): %(total)s")
TICKETS_TOTAL = gettext_lazy("Tickets resolved (less those reopened): %(total)s")
NOTE_LIMIT_NOT_DRAWN = gettext_lazy(
    "The limit (%(terms)s per contract) is drawn only when “Group by” is “%(cycle)s”, the "
    "plan's credit cycle: usage over a shorter or longer period cannot be compared with it."
)

# The grouping that matches each credit cycle.
CYCLE_GROUPING: dict[str, str] = {
    SupportPlan.CreditCycle.WEEKLY: Grouping.WEEK,
    SupportPlan.CreditCycle.MONTHLY: Grouping.MONTH,
    SupportPlan.CreditCycle.QUARTERLY: Grouping.QUARTER,
    SupportPlan.CreditCycle.YEARLY: Grouping.YEAR,
}

# --- geometry ---------------------------------------------------------------------------------

FONT_SIZE = 12  # period, tick and legend labels (px, one SVG unit each: layouts are not scaled)
VALUE_FONT_SIZE = 11  # the figure above a bar
LINE_HEIGHT = 14
LABEL_GAP = 8  # the least room between two labels side by side
TICK_GAP = 6  # between a tick label and the plot
LEGEND_BAND = 22  # above the plot, for the limit's legend
VALUE_BAND = 18  # above the plot, for the figure over the tallest bar
MAX_INTERVALS = 5  # value-axis steps


@dataclass(frozen=True)
class Layout:
    name: str
    width: int
    height: int


WIDE = Layout("wide", 720, 260)
NARROW = Layout("narrow", 360, 240)
LAYOUTS = (WIDE, NARROW)


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """A generous estimate of the width of ``text`` in the page's sans-serif font: a Chinese
    character is one em, a capital 0.72, a digit or small letter 0.6, spaces and marks less.
    Generous, so that labels the estimate keeps apart stay apart on screen."""
    ems = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            ems += 1.0
        elif char.isspace() or char in ".,:;'’()|!":
            ems += 0.34
        elif char.isupper():
            ems += 0.72
        else:
            ems += 0.6
    return ems * size


# --- periods and their names ------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPeriod:
    start: datetime.date  # its first day inside the range
    end: datetime.date  # its last day inside the range
    used: int
    name: str  # in the table, the tooltip and the text alternative
    axis: tuple[str, ...]  # the label under its bar: one line, or two for a range of dates
    cut: bool  # the chosen range cuts it: its own dates name it
    year: str = ""  # a week's year, said under the first label of each year on the axis


def date_span(start: datetime.date, end: datetime.date) -> str:
    """``start`` to ``end`` in the current language, the year said once when it is the same:
    "Nov 15 – Dec 31, 2025", "2025年11月15日 – 12月31日"."""
    return " ".join(_span_lines(start, end))


def _span_lines(start: datetime.date, end: datetime.date) -> tuple[str, ...]:
    def full(day):
        return formats.date_format(day, "DATE_FORMAT")

    def short(day):
        return formats.date_format(day, "MONTH_DAY_FORMAT")

    if start == end:
        return (full(start),)
    if start.year != end.year:
        return (f"{full(start)} –", full(end))
    if str(formats.get_format("DATE_FORMAT")).lstrip().startswith(("Y", "y", "o")):
        return (f"{full(start)} –", short(end))  # the year first: Chinese, Japanese, …
    return (f"{short(start)} –", full(end))


def quarter_name(day: datetime.date) -> str:
    return gettext("%(year)s Q%(quarter)s") % {
        "year": day.year,
        "quarter": (day.month - 1) // 3 + 1,
    }


def _whole_name(start: datetime.date, grouping: str) -> str:
    if grouping == Grouping.MONTH:
        return formats.date_format(start, "YEAR_MONTH_FORMAT")
    if grouping == Grouping.QUARTER:
        return quarter_name(start)
    return str(start.year)


def chart_periods(usage: Usage) -> list[ChartPeriod]:
    """The usage's periods with their own dates inside the range and their names.

    A week is named by its dates and labelled on the axis by its first day ("Dec 1", with its
    year under the first label of each year); a whole month, quarter or year by its name ("Dec
    2025", "2025 Q4", "2025"); a period the range cuts by its own dates ("Nov 15 – Dec 31,
    2025"), not by the dates it would have had whole."""
    periods = []
    for period in usage.periods:
        natural_end = period.start + PERIOD_STEP[usage.grouping] - datetime.timedelta(days=1)
        start, end = max(period.start, usage.start), min(natural_end, usage.end)
        cut = (start, end) != (period.start, natural_end)
        if usage.grouping == Grouping.WEEK:
            name, year = date_span(start, end), str(start.year)
            axis: tuple[str, ...] = (formats.date_format(start, "MONTH_DAY_FORMAT"),)
        elif cut:
            axis, year = _span_lines(start, end), ""
            name = " ".join(axis)
        else:
            name, year = _whole_name(start, usage.grouping), ""
            axis = (name,)
        periods.append(ChartPeriod(start, end, period.used, name, axis, cut, year))
    return periods


# --- the value axis ---------------------------------------------------------------------------


def nice_ticks(top: int, max_intervals: int = MAX_INTERVALS) -> list[int]:
    """0 and round steps (1, 2 or 5 times a power of ten) up to at least ``top``."""
    top = max(top, 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(top / step) <= max_intervals:
                return list(range(0, step * math.ceil(top / step) + 1, step))
        magnitude *= 10


# --- labels and their placing -----------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """A text of the drawing: ``y`` is its first line's baseline, ``anchor`` the SVG
    text-anchor at ``x``. ``left``/``right``/``top``/``bottom`` are the estimated box."""

    kind: str  # "period", "tick", "value" or "legend"
    lines: tuple[str, ...]
    x: float
    y: float
    anchor: str
    size: int = FONT_SIZE
    line_height: int = LINE_HEIGHT

    @property
    def width(self) -> float:
        return max(text_width(line, self.size) for line in self.lines)

    @property
    def left(self) -> float:
        shift = {"start": 0.0, "middle": 0.5, "end": 1.0}[self.anchor]
        return self.x - self.width * shift

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def top(self) -> float:
        return self.y - self.size

    @property
    def bottom(self) -> float:
        return self.y + self.size * 0.3 + self.line_height * (len(self.lines) - 1)

    def overlaps(self, other: "Label") -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )


def place_in_row(
    centres: Sequence[float], widths: Sequence[float], left: float, right: float
) -> list[tuple[int, float, str]]:
    """Which of a row of labels to show, and where: every ``step``-th from the first, the
    smallest step with which no two come closer than ``LABEL_GAP``. A label that would cross an
    edge is set against it (text-anchor start or end). Returns (index, x, text-anchor)."""
    count = len(centres)
    for step in range(1, count + 1):
        placed: list[tuple[int, float, str]] = []
        previous_right = -math.inf
        for index in range(0, count, step):
            centre, width = centres[index], widths[index]
            if centre - width / 2 < left:
                x, anchor, box_left = left, "start", left
            elif centre + width / 2 > right:
                x, anchor, box_left = right, "end", right - width
            else:
                x, anchor, box_left = centre, "middle", centre - width / 2
            if box_left < previous_right + LABEL_GAP:
                break
            placed.append((index, round(x, 1), anchor))
            previous_right = box_left + width
        else:
            return placed
    return []


# --- the drawing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    used: int
    name: str
    value: Label | None  # the figure above it, when every figure fits over its bar


@dataclass(frozen=True)
class Gridline:
    value: int
    y: float
    label: Label


@dataclass(frozen=True)
class LimitLine:
    value: int
    y: float
    x1: float
    x2: float
    legend: Label
    sample_x1: float  # the dashed sample beside the legend
    sample_x2: float
    sample_y: float


@dataclass(frozen=True)
class Drawing:
    layout: str  # "wide" or "narrow"
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    baseline: float
    bars: list[Bar]
    gridlines: list[Gridline]
    period_labels: list[Label]
    limit: LimitLine | None

    @property
    def labels(self) -> list[Label]:
        """Every text of the drawing."""
        texts = [line.label for line in self.gridlines] + self.period_labels
        texts += [bar.value for bar in self.bars if bar.value is not None]
        return texts + ([self.limit.legend] if self.limit else [])


def draw(
    layout: Layout,
    periods: Sequence[ChartPeriod],
    ticks: Sequence[int],
    limit: int | None,
    legend: str,
) -> Drawing:
    """The coordinates of one layout of the chart."""
    width, height = layout.width, layout.height
    plot_left = math.ceil(max(text_width(str(t)) for t in ticks) + TICK_GAP + 4)
    plot_right = width - 2
    plot_top = (LEGEND_BAND if limit is not None else 0) + VALUE_BAND
    rows = max((len(p.axis) + bool(p.year) for p in periods), default=1)
    baseline = height - (6 + FONT_SIZE + LINE_HEIGHT * (rows - 1) + 6)
    plot_height = baseline - plot_top
    top_value = ticks[-1]

    def y_of(value: int) -> float:
        return round(baseline - plot_height * max(value, 0) / top_value, 1)

    gridlines = [
        Gridline(
            t,
            y_of(t),
            Label(
                "tick", (str(t),), plot_left - TICK_GAP, round(y_of(t) + FONT_SIZE * 0.35, 1), "end"
            ),
        )
        for t in ticks
    ]
    count = max(len(periods), 1)
    slot = (plot_right - plot_left) / count
    bar_width = max(1.0, slot * 0.7)
    figures_fit = all(
        text_width(str(p.used), VALUE_FONT_SIZE) + 2 <= slot for p in periods if p.used
    )
    bars = []
    for i, period in enumerate(periods):
        centre = plot_left + (i + 0.5) * slot
        top = y_of(period.used)
        value = None
        if figures_fit and period.used:
            value = Label(
                "value", (str(period.used),), round(centre, 1), top - 4, "middle", VALUE_FONT_SIZE
            )
        bars.append(
            Bar(
                x=round(centre - bar_width / 2, 1),
                y=top,
                width=round(bar_width, 1),
                height=round(baseline - top, 1),
                used=period.used,
                name=period.name,
                value=value,
            )
        )
    centres = [plot_left + (i + 0.5) * slot for i in range(len(periods))]
    widths = [max(text_width(line) for line in (*p.axis, p.year)) for p in periods]
    label_y = baseline + 6 + FONT_SIZE
    period_labels, year_said = [], ""
    for i, x, anchor in place_in_row(centres, widths, plot_left, width - 1):
        lines = periods[i].axis
        if periods[i].year and periods[i].year != year_said:
            lines, year_said = (*lines, periods[i].year), periods[i].year
        period_labels.append(Label("period", lines, x, label_y, anchor))
    limit_line = None
    if limit is not None:
        sample = 24
        legend_width = text_width(legend)
        x = max(1.0, min(plot_left, width - 1 - sample - 6 - legend_width))
        limit_line = LimitLine(
            value=limit,
            y=y_of(limit),
            x1=plot_left,
            x2=plot_right,
            legend=Label("legend", (legend,), round(x + sample + 6, 1), 15, "start"),
            sample_x1=round(x, 1),
            sample_x2=round(x + sample, 1),
            sample_y=11,
        )
    return Drawing(
        layout=layout.name,
        width=width,
        height=height,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        baseline=baseline,
        bars=bars,
        gridlines=gridlines,
        period_labels=period_labels,
        limit=limit_line,
    )


# --- the chart --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageChart:
    title: str  # "Credits used per month"
    start: datetime.date  # the chosen range
    end: datetime.date
    total: int
    total_text: str  # "Credits used (spent less refunded): 37"
    value_label: str  # the table's column: "Credits used" or "Tickets resolved"
    summary: str  # the text alternative
    note: str  # about the limit line, under the chart ("" for none)
    periods: list[ChartPeriod]
    ticks: list[int]
    limit: int | None  # drawn at this value, or not drawn
    drawings: list[Drawing]  # wide, then narrow

    @property
    def wide(self) -> Drawing:
        return self.drawings[0]

    @property
    def narrow(self) -> Drawing:
        return self.drawings[1]


def text_alternative(
    title: str, usage: Usage, periods: Sequence[ChartPeriod], legend: str | None
) -> str:
    """What the chart shows, over which dates, the total, the peak and its period, and the
    limit when it is drawn. (The table under the chart holds every figure.)"""
    words = {
        "title": title,
        "start": formats.date_format(usage.start, "DATE_FORMAT"),
        "end": formats.date_format(usage.end, "DATE_FORMAT"),
    }
    if max((p.used for p in periods), default=0) <= 0:
        text = SUMMARY_NONE % words
    else:
        peak = max(periods, key=lambda p: p.used)
        total = usage.total
        text = ngettext(
            "%(title)s, %(start)s to %(end)s: %(total)s in total, peak %(peak)s in %(period)s.",
            "%(title)s, %(start)s to %(end)s: %(total)s in total, peak %(peak)s in %(period)s.",
            total,
        ) % {**words, "total": total, "peak": peak.used, "period": peak.name}
    return f"{text} {legend}" if legend else text


def usage_chart(usage: Usage, plan: SupportPlan) -> UsageChart:
    """The chart of ``usage`` (of ``plan``'s contracts): words, axis, limit and both layouts."""
    ticket_based = plan.is_ticket_based
    title = str(TITLES[(usage.grouping, ticket_based)])
    periods = chart_periods(usage)
    limit, legend, note = None, None, ""
    if ticket_based and plan.credit_limit:
        cycle_grouping = CYCLE_GROUPING[plan.credit_cycle]
        if cycle_grouping == usage.grouping:
            limit = plan.credit_limit
            legend = LIMIT_LEGEND % {"terms": plan.terms}
            note = str(NOTE_LIMIT_DRAWN)
        else:
            cycle = dict(Grouping.CHOICES)[cycle_grouping]
            note = NOTE_LIMIT_NOT_DRAWN % {"terms": plan.terms, "cycle": cycle}
    ticks = nice_ticks(max([usage.peak, limit or 0]))
    return UsageChart(
        title=title,
        start=usage.start,
        end=usage.end,
        total=usage.total,
        total_text=(CREDITS_TOTAL if ticket_based else TICKETS_TOTAL) % {"total": usage.total},
        value_label=str(CREDITS_USED if ticket_based else TICKETS_RESOLVED),
        summary=text_alternative(title, usage, periods, legend),
        note=note,
        periods=periods,
        ticks=ticks,
        limit=limit,
        drawings=[draw(layout, periods, ticks, limit, legend or "") for layout in LAYOUTS],
    )
