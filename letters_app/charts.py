"""A letter's signatures as charts for its coordinators, drawn here as SVG: no script, nothing
from a CDN. Each chart also carries its numbers, shown as a table under it for screen readers and
for anyone who would rather read them.

The functions are pure: counts in (from `selectors.signature_stats_for_letter`), a `Chart` out.
Every piece of text goes into the SVG through `escape`, labels included."""

import datetime
import math
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from letters_app.models import Signature

TOP_COUNTRIES = 15
LABEL_CHARS = 24  # a longer country name is cut, and given whole in its tooltip and the table
S = Signature.Status
# The statuses in the order their bar segments are drawn, those that count first.
STATUS_ORDER = (S.APPROVED, S.CONFIRMED, S.PENDING, S.WITHDRAWN, S.REJECTED)
KIND_ORDER = tuple(Signature.Kind.values)


@dataclass(frozen=True)
class Chart:
    key: str  # unique on the page: the ids of the SVG's title and description
    title: str
    summary: str  # one sentence saying what the chart shows; the SVG's description
    svg: SafeString  # empty when there is nothing to draw
    columns: tuple[str, ...]  # the table of the numbers
    rows: list[tuple] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (label, colour class)
    headline: str = ""  # a figure shown large above the chart

    def __html__(self) -> str:
        return render_to_string("author/fragment_chart_figure.html", {"chart": self})

    __str__ = __html__


def letter_charts(stats: dict, *, today: datetime.date | None = None) -> dict[str, Chart]:
    """The coordinator's statistics page, from `selectors.signature_stats_for_letter`, by key."""
    charts = [
        cumulative_chart(stats["days"], today=today),
        daily_chart(stats["days"], today=today),
        confirmation_chart(stats["totals"]),
        kind_chart(stats["kinds"]),
        country_chart(stats["countries"]),
    ]
    return {chart.key: chart for chart in charts}


# --- over time ------------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 250
TIME_CSS = "chart-svg chart-svg-time"  # its text is set larger on a phone, where it shrinks most
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 14, 30


def _every_day(days, today=None) -> list[tuple[datetime.date, int, int]]:
    """(day, submitted, confirmed) for every day from the first signature to the last, or to
    `today` while it is near (an open letter's quiet days are part of its story)."""
    if not days:
        return []
    by_day = {day: (submitted, confirmed) for day, submitted, confirmed in days}
    first, last = days[0][0], days[-1][0]
    if today and last < today <= last + datetime.timedelta(days=31):
        last = today
    span = (last - first).days + 1
    dates = [first + datetime.timedelta(days=i) for i in range(span)]
    return [(d, *by_day.get(d, (0, 0))) for d in dates]


def cumulative_chart(days, *, today=None) -> Chart:
    """Signatures so far, day by day: the confirmed ones as an area, all submitted as a line."""
    every = _every_day(days, today)
    title = _("Signatures so far")
    columns = (_("Day"), _("Submitted so far"), _("Confirmed so far"))
    if not every:
        return _empty("cumulative", title, columns)
    totals, submitted, confirmed = [], 0, 0
    for day, s, c in every:
        submitted, confirmed = submitted + s, confirmed + c
        totals.append((day, submitted, confirmed))
    # The count before the first day is nought: a line starts from there, even for one day.
    points = [(every[0][0] - datetime.timedelta(days=1), 0, 0), *totals]
    ticks = _ticks(submitted)
    x = _x_scale(len(points))
    y = _y_scale(ticks[-1])
    line = " ".join(f"{_n(x(i))},{_n(y(p[1]))}" for i, p in enumerate(points))
    area = " ".join(f"{_n(x(i))},{_n(y(p[2]))}" for i, p in enumerate(points))
    base = _n(y(0))
    parts = [
        *_y_axis(ticks, y),
        *_x_labels([p[0] for p in points], x),
        f'<polygon class="chart-s-confirmed chart-area" '
        f'points="{_n(x(0))},{base} {area} {_n(x(len(points) - 1))},{base}"/>',
        f'<polyline class="chart-line chart-s-submitted" points="{line}"/>',
    ]
    summary = _("%(submitted)s signatures submitted and %(confirmed)s confirmed by %(day)s.") % {
        "submitted": _count(submitted),
        "confirmed": _count(confirmed),
        "day": _day(totals[-1][0]),
    }
    return Chart(
        key="cumulative",
        title=title,
        summary=summary,
        svg=_svg("cumulative", title, summary, WIDTH, HEIGHT, parts, css=TIME_CSS),
        columns=columns,
        rows=_changed_rows(totals),
        legend=[
            (_("Confirmed"), "chart-s-confirmed"),
            (_("Submitted, confirmed or not"), "chart-s-submitted chart-swatch-line"),
        ],
    )


def daily_chart(days, *, today=None) -> Chart:
    """Signatures submitted each day, the confirmed part of each bar darker."""
    every = _every_day(days, today)
    title = _("Signatures per day")
    columns = (_("Day"), _("Submitted"), _("Confirmed"))
    if not every:
        return _empty("daily", title, columns)
    busiest = max(every, key=lambda d: d[1])
    ticks = _ticks(busiest[1])
    y = _y_scale(ticks[-1])
    slot = (WIDTH - LEFT - RIGHT) / len(every)
    width = max(1.0, slot * 0.72)
    parts = [*_y_axis(ticks, y), *_x_labels([d for d, _s, _c in every], _slot_scale(len(every)))]
    for i, (day, submitted, confirmed) in enumerate(every):
        if not submitted:
            continue
        left = LEFT + i * slot + (slot - width) / 2
        tip = escape(_("%(day)s: %(submitted)s submitted, %(confirmed)s confirmed") % {
            "day": _day(day), "submitted": _count(submitted), "confirmed": _count(confirmed),
        })  # fmt: skip
        parts.append(f"<g><title>{tip}</title>")
        for value, bottom, css in ((submitted - confirmed, confirmed, "submitted"),
                                   (confirmed, 0, "confirmed")):  # fmt: skip
            if value:
                top = y(bottom + value)
                parts.append(
                    f'<rect class="chart-s-{css}" x="{_n(left)}" y="{_n(top)}" '
                    f'width="{_n(width)}" height="{_n(y(bottom) - top)}"/>'
                )
        parts.append("</g>")
    summary = _("The busiest day was %(day)s, with %(n)s signatures submitted.") % {
        "day": _day(busiest[0]),
        "n": _count(busiest[1]),
    }
    return Chart(
        key="daily",
        title=title,
        summary=summary,
        svg=_svg("daily", title, summary, WIDTH, HEIGHT, parts, css=TIME_CSS),
        columns=columns,
        rows=[(_day(d), _count(s), _count(c)) for d, s, c in every if s],
        legend=[(_("Confirmed"), "chart-s-confirmed"), (_("Not confirmed"), "chart-s-submitted")],
    )


def _changed_rows(totals):
    """The running totals on the days they moved: a quiet month is not thirty rows."""
    rows, before = [], (0, 0)
    for day, submitted, confirmed in totals:
        if (submitted, confirmed) != before:
            rows.append((_day(day), _count(submitted), _count(confirmed)))
            before = (submitted, confirmed)
    return rows


def _ticks(top: int) -> list[int]:
    """0 and a few round steps (1, 2 or 5 times a power of ten) reaching at least `top`."""
    raw = max(top, 1) / 4
    power = 10 ** math.floor(math.log10(raw))
    step = max(1, next(m * power for m in (1, 2, 5, 10) if m * power >= raw))
    step = int(math.ceil(step))
    return [i * step for i in range(math.ceil(max(top, 1) / step) + 1)]


def _x_scale(count: int):
    span = (WIDTH - LEFT - RIGHT) / max(count - 1, 1)
    return lambda i: LEFT + i * span


def _slot_scale(count: int):
    slot = (WIDTH - LEFT - RIGHT) / count
    return lambda i: LEFT + (i + 0.5) * slot


def _y_scale(top: int):
    height = HEIGHT - TOP - BOTTOM
    return lambda value: HEIGHT - BOTTOM - value / top * height


def _y_axis(ticks, y) -> list[str]:
    parts = []
    for tick in ticks:
        at = _n(y(tick))
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                     f'y1="{at}" y2="{at}"/>')  # fmt: skip
        parts.append(f'<text class="chart-text" x="{LEFT - 6}" y="{at}" dy="0.35em" '
                     f'text-anchor="end">{escape(_count(tick))}</text>')  # fmt: skip
    return parts


def _x_labels(dates, x) -> list[str]:
    """At most six dates under the axis, evenly spread, the last one always."""
    count = len(dates)
    step = max(1, math.ceil(count / 6))
    chosen = list(range(count - 1, -1, -step))[::-1]
    return [
        f'<text class="chart-text" x="{_n(x(i))}" y="{HEIGHT - BOTTOM + 18}" '
        f'text-anchor="middle">{escape(date_format(dates[i], "j M"))}</text>'
        for i in chosen
    ]


# --- by country, by kind, by status ----------------------------------------------------------


def country_chart(rows, *, top: int = TOP_COUNTRIES) -> Chart:
    """Confirmed signatures by country, most first: the first `top` and the others together."""
    named = [(_country_name(code), n) for code, n in rows]
    if len(named) > top + 1:
        rest = named[top:]
        other = ngettext("%(n)s other country", "%(n)s other countries", len(rest)) % {
            "n": len(rest)
        }
        named = [*named[:top], (other, sum(n for _label, n in rest))]
    return bar_chart(
        named,
        key="countries",
        title=_("Confirmed signatures by country"),
        columns=(_("Country"), _("Signatures")),
    )


def _country_name(code: str) -> str:
    if not code:
        return _("Country not given")
    return str(countries.name(code)) or code


BAR_WIDTH, BAR_ROW, BAR_LABEL = 480, 26, 190


def bar_chart(items: list[tuple[str, int]], *, key: str, title: str, columns) -> Chart:
    """Horizontal bars, one per (label, count), in the order given."""
    if not items:
        return _empty(key, title, columns)
    most = max(n for _label, n in items) or 1
    room = BAR_WIDTH - BAR_LABEL - 56  # the count is written after its bar
    height = len(items) * BAR_ROW + 8
    parts = []
    for i, (label, n) in enumerate(items):
        top = 4 + i * BAR_ROW
        middle = _n(top + BAR_ROW / 2)
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"
        length = max(n / most * room, 2 if n else 0)
        parts.append(
            f"<g><title>{escape(label)}: {escape(_count(n))}</title>"
            f'<text class="chart-text" x="{BAR_LABEL - 8}" y="{middle}" dy="0.35em" '
            f'text-anchor="end">{escape(short)}</text>'
            f'<rect class="chart-s-bar" x="{BAR_LABEL}" y="{_n(top + 4)}" '
            f'width="{_n(length)}" height="{BAR_ROW - 8}" rx="2"/>'
            f'<text class="chart-text chart-value" x="{_n(BAR_LABEL + length + 6)}" '
            f'y="{middle}" dy="0.35em">{escape(_count(n))}</text></g>'
        )
    first, n = items[0]
    summary = _("%(label)s comes first, with %(n)s.") % {"label": first, "n": _count(n)}
    return Chart(
        key=key,
        title=title,
        summary=summary,
        svg=_svg(key, title, summary, BAR_WIDTH, height, parts, css="chart-svg chart-svg-bars"),
        columns=columns,
        rows=[(label, _count(n)) for label, n in items],
    )


def kind_chart(rows) -> Chart:
    """Confirmed signatures by kind of signatory, as a ring."""
    labels = dict(Signature.Kind.choices)
    counts = dict(rows)
    items = [(kind, counts[kind]) for kind in KIND_ORDER if counts.get(kind)]
    title = _("Confirmed signatures by kind")
    columns = (_("Signing as"), _("Signatures"), _("Share"))
    total = sum(n for _kind, n in items)
    if not total:
        return _empty("kinds", title, columns)
    radius, stroke, size = 70, 30, 200
    circumference = 2 * math.pi * radius
    parts, done = [], 0
    for kind, n in items:
        length = n / total * circumference
        # Each segment is the ring's stroke dashed to its share, turned to start after the last.
        parts.append(
            f'<circle class="chart-ring chart-k-{kind}" cx="{size / 2:g}" cy="{size / 2:g}" '
            f'r="{radius}" stroke-width="{stroke}" '
            f'stroke-dasharray="{_n(length)} {_n(circumference - length)}" '
            f'stroke-dashoffset="{_n(-done)}" transform="rotate(-90 100 100)">'
            f"<title>{escape(labels[kind])}: {escape(_count(n))}</title></circle>"
        )
        done += length
    parts.append(f'<text class="chart-total" x="100" y="100" dy="0.35em" '
                 f'text-anchor="middle">{escape(_count(total))}</text>')  # fmt: skip
    summary = "; ".join(f"{labels[kind]}: {_count(n)} ({_share(n, total)})" for kind, n in items)
    return Chart(
        key="kinds",
        title=title,
        summary=summary,
        svg=_svg("kinds", title, summary, size, size, parts, css="chart-svg chart-ring-svg"),
        columns=columns,
        rows=[(labels[kind], _count(n), _share(n, total)) for kind, n in items],
        legend=[(f"{labels[kind]} · {_count(n)}", f"chart-k-{kind}") for kind, n in items],
    )


def confirmation_chart(totals: dict) -> Chart:
    """How many of the submitted signatures were confirmed by e-mail, and where each one is
    now, as one bar split by status."""
    title = _("Confirmation")
    columns = (_("Status"), _("Signatures"), _("Share"))
    submitted = totals.get("submitted") or 0
    if not submitted:
        return _empty("confirmation", title, columns)
    labels = dict(S.choices)
    items = [(status, totals.get(status) or 0) for status in STATUS_ORDER]
    width, height, done = 480, 36, 0.0
    parts = []
    for status, n in items:
        if not n:
            continue
        length = n / submitted * width
        parts.append(
            f'<rect class="chart-s-{status}" x="{_n(done)}" y="0" width="{_n(length)}" '
            f'height="{height}"><title>{escape(labels[status])}: {escape(_count(n))}</title></rect>'
        )
        done += length
    rate = _share(totals.get("ever_confirmed") or 0, submitted)
    summary = _("%(rate)s of the %(n)s signatures submitted were confirmed by e-mail.") % {
        "rate": rate,
        "n": _count(submitted),
    }
    return Chart(
        key="confirmation",
        title=title,
        summary=summary,
        svg=_svg("confirmation", title, summary, width, height, parts),
        columns=columns,
        rows=[(labels[s], _count(n), _share(n, submitted)) for s, n in items],
        legend=[(f"{labels[s]} · {_count(n)}", f"chart-s-{s}") for s, n in items if n],
        headline=rate,
    )


# --- the parts ------------------------------------------------------------------------------


def _svg(key, title, summary, width, height, parts, *, css="chart-svg") -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" role="img" '
        f'viewBox="0 0 {width} {_n(height)}" width="{width}" height="{_n(height)}" '
        f'preserveAspectRatio="xMidYMid meet" aria-labelledby="chart-{key}-title chart-{key}-desc">'
        f'<title id="chart-{key}-title">{escape(title)}</title>'
        f'<desc id="chart-{key}-desc">{escape(summary)}</desc>'
    )
    return mark_safe(head + "".join(parts) + "</svg>")  # noqa: S308 - every text escaped above


def _empty(key, title, columns) -> Chart:
    summary = _("No signatures yet: the chart fills in as people sign.")
    return Chart(key=key, title=title, summary=summary, svg=mark_safe(""), columns=columns)


def _n(value: float) -> str:
    """A coordinate, short: 12, 12.5."""
    return f"{value:.1f}".removesuffix(".0")


def _count(n: int) -> str:
    return number_format(n, force_grouping=True)


def _share(n: int, total: int) -> str:
    return f"{round(100 * n / total)}%" if total else "–"


def _day(day: datetime.date) -> str:
    return date_format(day, "j M Y")
