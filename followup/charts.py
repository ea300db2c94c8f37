"""Trend charts as server-side SVG, the same in the page and in the PDF.

A chart is a pure function of its points: the same values give byte-for-byte the same SVG
(numbers rounded), so it can be tested. Colours are SVG presentation attributes, which the
Content Security Policy allows. The chart is ``role="img"`` with a title and a description
that say what it shows; every page and PDF puts the same numbers in a table beside it, so no
one depends on the picture. A value hidden to protect small numbers is drawn as an empty,
dashed bar marked "<5", never as zero.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from followup.selectors import TrendPoint

WIDTH = 640
HEIGHT = 240
LEFT = 48
RIGHT = 12
TOP = 16
BOTTOM = 40
BAR = "#1d5f8a"
TARGET = "#a4161a"
AXIS = "#4a525a"
GRID = "#dde2e7"
INK = "#1b1f24"


@dataclass(frozen=True)
class _Bar:
    x: float
    width: float
    label: str
    value: Decimal | None
    protected: bool


def _scale_top(values: list[Decimal], target: Decimal | None) -> Decimal:
    top = max([*values, target or Decimal(0), Decimal(1)])
    # A round top: 1, 2 or 5 times a power of ten.
    step = Decimal(1)
    while True:
        for factor in (1, 2, 5):
            if step * factor >= top:
                return step * factor
        step *= 10


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def trend_svg(
    points: Sequence[TrendPoint],
    *,
    chart_id: str,
    title: str,
    description: str,
    target: Decimal | None = None,
) -> SafeString:
    """A bar per month or year (the month's abbreviation or the year below it), with the
    target as a line.
    ``chart_id`` makes the title's and description's ids unique on the page."""
    values = [point.shown.value for point in points if point.shown.value is not None]
    top = _scale_top(values, target)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(points), 1)
    bars = [
        _Bar(
            x=LEFT + index * slot + slot * 0.15,
            width=slot * 0.7,
            label=point.axis_label,
            value=point.shown.value,
            protected=point.shown.protected,
        )
        for index, point in enumerate(points)
    ]

    def y_of(value: Decimal) -> float:
        return TOP + plot_height - float(value / top) * plot_height

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="trend-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for fraction in (Decimal(0), Decimal("0.5"), Decimal(1)):
        y = _number(y_of(top * fraction))
        parts.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="11" fill="{AXIS}">{_number(float(top * fraction))}</text>'
        )
    for bar in bars:
        parts.append(_bar(bar, y_of))
    if target is not None:
        y = _number(y_of(target))
        parts.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{TARGET}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def trend_table_rows(points: Sequence[TrendPoint]) -> SafeString:
    """The chart's numbers as the rows of its table, one per month: written here rather than
    by a template loop, which over ten years (120 months in each of thirteen tables) cost more
    than the rest of the dashboard."""
    return format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td></tr>',
        ((point.label, point.shown.text) for point in points),
    )


def _bar(bar: _Bar, y_of: Callable[[Decimal], float]) -> str:
    centre = _number(bar.x + bar.width / 2)
    base = y_of(Decimal(0))
    label = (
        f'<text x="{centre}" y="{_number(base + 16)}" text-anchor="middle" font-size="11" '
        f'fill="{AXIS}">{escape(bar.label)}</text>'
    )
    if bar.protected:
        height = (base - TOP) * 0.25
        return label + (
            f'<rect x="{_number(bar.x)}" y="{_number(base - height)}" width="{_number(bar.width)}" '
            f'height="{_number(height)}" fill="none" stroke="{AXIS}" stroke-dasharray="3 3"/>'
            f'<text x="{centre}" y="{_number(base - height - 4)}" text-anchor="middle" '
            f'font-size="10" fill="{INK}">&lt;5</text>'
        )
    if bar.value is None:
        return label
    top = y_of(bar.value)
    return label + (
        f'<rect x="{_number(bar.x)}" y="{_number(top)}" width="{_number(bar.width)}" '
        f'height="{_number(base - top)}" fill="{BAR}"/>'
    )


# --- shares as horizontal bars (survey results) ---------------------------------------------------

SHARE_WIDTH = 480
SHARE_ROW = 44
SHARE_TOP = 8
SHARE_LABEL_WIDTH = 52  # the share's text at the end of each bar


@dataclass(frozen=True)
class ShareBar:
    """One bar: its label (drawn above the bar), its share from 0 to 1 and the share as the
    page writes it ("42 %"); ``None`` draws no bar."""

    label: str
    share: float | None
    text: str


def shares_svg(
    bars: Sequence[ShareBar], *, chart_id: str, title: str, description: str
) -> SafeString:
    """Horizontal bars of shares (0–100 %), one row per answer option: the label above its
    bar, the share written after it. The same bars give byte-for-byte the same SVG."""
    height = SHARE_TOP * 2 + SHARE_ROW * max(len(bars), 1)
    plot = SHARE_WIDTH - SHARE_LABEL_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SHARE_WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="share-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, bar in enumerate(bars):
        top = SHARE_TOP + index * SHARE_ROW
        parts.append(
            f'<text x="0" y="{top + 13}" font-size="14" fill="{INK}">{escape(bar.label)}</text>'
            f'<rect x="0" y="{top + 19}" width="{plot}" height="16" fill="{GRID}"/>'
        )
        if bar.share is not None:
            width = _number(plot * max(0.0, min(1.0, bar.share)))
            parts.append(f'<rect x="0" y="{top + 19}" width="{width}" height="16" fill="{BAR}"/>')
        parts.append(
            f'<text x="{SHARE_WIDTH}" y="{top + 32}" text-anchor="end" font-size="14" '
            f'fill="{INK}">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
