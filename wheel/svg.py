"""The annual wheel drawn as a circle of twelve months, as municipalities draw it on paper.

Server-side SVG, no JavaScript. The drawing is a pure function of its input: the same marks give
byte-for-byte the same picture (marks are sorted, numbers rounded), so it can be tested and
cached. Colours are SVG presentation attributes (``fill=``, ``stroke=``), which the Content
Security Policy's ``style-src`` does not block, unlike ``style=`` attributes.

Each activity type has a colour, a shape and its own ring (track), so the type never depends on
colour alone; the status shows as filled (held), outlined (planned or moved) or grey and struck
through (cancelled). The picture is ``role="img"`` with a title and a description; the
page shows the same content as a list.
"""

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from wheel.models import ActivityType, OccurrenceStatus

SIZE = 720
CENTRE = SIZE / 2
OUTER = 292.0  # the month ring's outer edge
INNER = 112.0  # its inner edge
LABEL_RADIUS = 318.0  # month names
MARK = 6.5  # half the size of a mark
FIRST_TRACK = 128.0
LAST_TRACK = 278.0

INK = "#1b1f24"
LINE = "#b9c0c8"
TRACK_LINE = "#dde2e7"
SOFT = "#f3f5f7"
WHITE = "#ffffff"
TODAY = "#a4161a"
CANCELLED_FILL = "#e3e6ea"


@dataclass(frozen=True)
class TypeStyle:
    """How an activity type is drawn: a colour (at least 3:1 against white) and a shape."""

    colour: str
    shape: str


TYPE_STYLES: dict[str, TypeStyle] = {
    ActivityType.COLLABORATION_MEETING: TypeStyle("#0b4f8a", "circle"),
    ActivityType.STUDENT_HEALTH_TEAM: TypeStyle("#1d6b2f", "square"),
    ActivityType.REGION_CONSULTATION: TypeStyle("#a4161a", "triangle_up"),
    ActivityType.YOUTH_HEALTH_NETWORK: TypeStyle("#6a1b9a", "diamond"),
    ActivityType.SITUATION_ANALYSIS: TypeStyle("#7a4d00", "triangle_down"),
    ActivityType.RESOURCE_COUNCIL: TypeStyle("#00695c", "hexagon"),
    ActivityType.INTAKE_PRINCIPAL: TypeStyle("#ad1457", "star"),
    ActivityType.PARENT_MEETING_VISIT: TypeStyle("#283593", "plus"),
    ActivityType.TRAINING: TypeStyle("#b23c00", "pentagon"),
    ActivityType.ROUTINE_REVISION: TypeStyle("#37474f", "cross"),
    ActivityType.BOARD_REPORT: TypeStyle("#4e6b16", "bowtie"),
}
_FALLBACK = TypeStyle(INK, "circle")
TYPE_ORDER: list[str] = [str(value) for value in ActivityType.values]


@dataclass(frozen=True)
class Mark:
    """One occurrence on the wheel: its local date, type, status and the tooltip text."""

    day: datetime.date
    activity_type: str
    status: str
    label: str
    key: int = 0  # a stable tie-breaker (the occurrence id)


def year_span(year: int, *, school_year: bool) -> tuple[datetime.date, datetime.date]:
    """The first day of the wheel and the day after its last: August to July of the school
    year that starts in ``year``, or the calendar year."""
    if school_year:
        return datetime.date(year, 8, 1), datetime.date(year + 1, 8, 1)
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def month_starts(first_day: datetime.date) -> list[datetime.date]:
    """The first days of the twelve months from ``first_day`` (itself a first of a month)."""
    starts = []
    year, month = first_day.year, first_day.month
    for _index in range(12):
        starts.append(datetime.date(year, month, 1))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return starts


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _angle(first_day: datetime.date, total_days: int, day: datetime.date, offset: float) -> float:
    """Radians, clockwise from the top, of the middle of ``day``."""
    fraction = ((day - first_day).days + offset) / total_days
    return 2 * math.pi * fraction - math.pi / 2


def _point(radius: float, angle: float) -> tuple[float, float]:
    return CENTRE + radius * math.cos(angle), CENTRE + radius * math.sin(angle)


def _sector(start: float, end: float, fill: str) -> str:
    """An annular sector of the month ring between two angles."""
    ox0, oy0 = _point(OUTER, start)
    ox1, oy1 = _point(OUTER, end)
    ix1, iy1 = _point(INNER, end)
    ix0, iy0 = _point(INNER, start)
    large = 1 if end - start > math.pi else 0
    path = (
        f"M{_num(ox0)} {_num(oy0)}A{_num(OUTER)} {_num(OUTER)} 0 {large} 1 {_num(ox1)} {_num(oy1)}"
        f"L{_num(ix1)} {_num(iy1)}A{_num(INNER)} {_num(INNER)} 0 {large} 0 {_num(ix0)} {_num(iy0)}Z"
    )
    return f'<path d="{path}" fill="{fill}" stroke="{LINE}" stroke-width="1"/>'


def _polygon(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


def _regular(
    x: float, y: float, size: float, corners: int, turn: float
) -> list[tuple[float, float]]:
    return [
        (
            x + size * math.cos(turn + 2 * math.pi * k / corners),
            y + size * math.sin(turn + 2 * math.pi * k / corners),
        )
        for k in range(corners)
    ]


def _shape_points(shape: str, x: float, y: float, s: float) -> list[tuple[float, float]]:
    up = -math.pi / 2
    if shape == "triangle_up":
        return _regular(x, y + s * 0.15, s * 1.2, 3, up)
    if shape == "triangle_down":
        return _regular(x, y - s * 0.15, s * 1.2, 3, math.pi / 2)
    if shape == "diamond":
        return [(x, y - s * 1.2), (x + s, y), (x, y + s * 1.2), (x - s, y)]
    if shape == "hexagon":
        return _regular(x, y, s * 1.05, 6, 0.0)
    if shape == "pentagon":
        return _regular(x, y, s * 1.1, 5, up)
    if shape == "star":
        points = []
        for k in range(10):
            radius = s * 1.3 if k % 2 == 0 else s * 0.55
            angle = up + math.pi * k / 5
            points.append((x + radius * math.cos(angle), y + radius * math.sin(angle)))
        return points
    if shape == "plus":
        t = s * 0.38
        return [
            (x - t, y - s),
            (x + t, y - s),
            (x + t, y - t),
            (x + s, y - t),
            (x + s, y + t),
            (x + t, y + t),
            (x + t, y + s),
            (x - t, y + s),
            (x - t, y + t),
            (x - s, y + t),
            (x - s, y - t),
            (x - t, y - t),
        ]
    if shape == "cross":
        t = s * 0.4
        return [
            (x - s, y - s + t),
            (x - s + t, y - s),
            (x, y - t),
            (x + s - t, y - s),
            (x + s, y - s + t),
            (x + t, y),
            (x + s, y + s - t),
            (x + s - t, y + s),
            (x, y + t),
            (x - s + t, y + s),
            (x - s, y + s - t),
            (x - t, y),
        ]
    return []


def _status_paint(status: str, colour: str) -> str:
    if status == OccurrenceStatus.HELD:
        return f'fill="{colour}" stroke="{colour}" stroke-width="1.5"'
    if status == OccurrenceStatus.CANCELLED:
        return f'fill="{CANCELLED_FILL}" stroke="{colour}" stroke-width="1.5"'
    return f'fill="{WHITE}" stroke="{colour}" stroke-width="2"'


def shape_markup(activity_type: str, status: str, x: float, y: float, size: float = MARK) -> str:
    """The mark of one activity type in one status, centred on (x, y)."""
    style = TYPE_STYLES.get(activity_type, _FALLBACK)
    paint = _status_paint(status, style.colour)
    if style.shape == "circle":
        body = f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(size)}" {paint}/>'
    elif style.shape == "square":
        side = size * 1.75
        body = (
            f'<rect x="{_num(x - side / 2)}" y="{_num(y - side / 2)}" width="{_num(side)}" '
            f'height="{_num(side)}" {paint}/>'
        )
    elif style.shape == "bowtie":
        # Two triangles meeting in the middle.
        left = [(x - size, y - size), (x, y), (x - size, y + size)]
        right = [(x + size, y - size), (x, y), (x + size, y + size)]
        body = (
            f'<polygon points="{_polygon(left)}" {paint}/>'
            f'<polygon points="{_polygon(right)}" {paint}/>'
        )
    else:
        body = f'<polygon points="{_polygon(_shape_points(style.shape, x, y, size))}" {paint}/>'
    if status == OccurrenceStatus.CANCELLED:
        d = size * 1.25
        body += (
            f'<line x1="{_num(x - d)}" y1="{_num(y + d)}" x2="{_num(x + d)}" y2="{_num(y - d)}" '
            f'stroke="{INK}" stroke-width="1.5"/>'
        )
    return body


def legend_symbol(activity_type: str, status: str = OccurrenceStatus.HELD) -> SafeString:
    """A small picture of a mark for the legend (decorative: the legend names it in text)."""
    return mark_safe(  # noqa: S308 - built from fixed shapes and colours only
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20" width="20" height="20" '
        'aria-hidden="true" focusable="false">'
        f"{shape_markup(activity_type, status, 10, 10, 7)}</svg>"
    )


def track_radius(activity_type: str) -> float:
    """Each type has its own ring, so that its marks line up."""
    index = TYPE_ORDER.index(activity_type) if activity_type in TYPE_ORDER else 0
    step = (LAST_TRACK - FIRST_TRACK) / max(len(TYPE_ORDER) - 1, 1)
    return FIRST_TRACK + index * step


def wheel_svg(
    *,
    marks: Sequence[Mark],
    first_day: datetime.date,
    end_day: datetime.date,
    month_names: Sequence[str],
    title: str,
    description: str,
    centre_label: str,
    today: datetime.date | None = None,
    today_label: str = "",
    id_prefix: str = "wheel",
) -> SafeString:
    """The wheel from ``first_day`` (the first of a month) to ``end_day`` (twelve months later,
    exclusive). Marks outside the span are left out; ``month_names`` are the twelve names in the
    order of the wheel. Every text is escaped."""
    total = (end_day - first_day).days
    starts = [*month_starts(first_day), end_day]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'class="wheel-svg" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
        f'<circle cx="{_num(CENTRE)}" cy="{_num(CENTRE)}" r="{_num(OUTER)}" fill="{WHITE}"/>',
    ]
    for index in range(12):
        start = _angle(first_day, total, starts[index], 0)
        end = _angle(first_day, total, starts[index + 1], 0)
        parts.append(_sector(start, end, SOFT if index % 2 == 0 else WHITE))
    for activity_type in TYPE_ORDER:
        parts.append(
            f'<circle cx="{_num(CENTRE)}" cy="{_num(CENTRE)}" '
            f'r="{_num(track_radius(activity_type))}" fill="none" stroke="{TRACK_LINE}" '
            f'stroke-width="1"/>'
        )
    for index, name in enumerate(month_names[:12]):
        middle = (
            _angle(first_day, total, starts[index], 0)
            + _angle(first_day, total, starts[index + 1], 0)
        ) / 2
        x, y = _point(LABEL_RADIUS, middle)
        parts.append(
            f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="middle" dominant-baseline="middle" '
            f'font-size="17" fill="{INK}">{escape(name)}</text>'
        )
    parts.append(
        f'<text x="{_num(CENTRE)}" y="{_num(CENTRE)}" text-anchor="middle" '
        f'dominant-baseline="middle" font-size="30" font-weight="700" fill="{INK}">'
        f"{escape(centre_label)}</text>"
    )
    if today is not None and first_day <= today < end_day:
        angle = _angle(first_day, total, today, 0.5)
        x0, y0 = _point(INNER - 4, angle)
        x1, y1 = _point(OUTER + 4, angle)
        parts.append(
            f'<line x1="{_num(x0)}" y1="{_num(y0)}" x2="{_num(x1)}" y2="{_num(y1)}" '
            f'stroke="{TODAY}" stroke-width="2.5"/>'
        )
        if today_label:
            tx, ty = _point(INNER - 16, angle)
            parts.append(
                f'<text x="{_num(tx)}" y="{_num(ty)}" text-anchor="middle" '
                f'dominant-baseline="middle" font-size="13" fill="{TODAY}">'
                f"{escape(today_label)}</text>"
            )
    parts.extend(_marks(marks, first_day, end_day, total))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _marks(
    marks: Sequence[Mark], first_day: datetime.date, end_day: datetime.date, total: int
) -> list[str]:
    """The marks in a fixed order; marks of one type on the same day are set side by side."""
    shown = sorted(
        (mark for mark in marks if first_day <= mark.day < end_day),
        key=lambda mark: (
            mark.day,
            TYPE_ORDER.index(mark.activity_type) if mark.activity_type in TYPE_ORDER else 99,
            mark.key,
            mark.label,
        ),
    )
    parts = []
    same_spot: dict[tuple[datetime.date, str], int] = {}
    for mark in shown:
        spot = (mark.day, mark.activity_type)
        rank = same_spot.get(spot, 0)
        same_spot[spot] = rank + 1
        radius = track_radius(mark.activity_type)
        # Side by side along the ring: 0, +1, -1, +2, -2 … mark widths from the day's middle.
        step = (rank + 1) // 2 * (1 if rank % 2 else -1)
        angle = _angle(first_day, total, mark.day, 0.5) + step * (MARK * 2.1) / radius
        x, y = _point(radius, angle)
        parts.append(
            f'<g class="wheel-mark"><title>{escape(mark.label)}</title>'
            f"{shape_markup(mark.activity_type, mark.status, x, y)}</g>"
        )
    return parts
