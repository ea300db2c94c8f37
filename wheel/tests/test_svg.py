"""The wheel's SVG: deterministic, twelve months, one mark per occurrence, escaped text,
accessible, and drawn with presentation attributes only (the CSP blocks ``style=``)."""

import datetime
import re
import xml.etree.ElementTree as ET

from wheel import svg
from wheel.models import ActivityType, OccurrenceStatus

NS = {"svg": "http://www.w3.org/2000/svg"}
MONTHS = ["Aug", "Sep", "Okt", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul"]


def _parse(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - our own output, not untrusted input


def _marks(count: int) -> list[svg.Mark]:
    types = list(ActivityType.values)
    statuses = list(OccurrenceStatus.values)
    first = datetime.date(2026, 8, 1)
    return [
        svg.Mark(
            day=first + datetime.timedelta(days=(index * 7) % 365),
            activity_type=types[index % len(types)],
            status=statuses[index % len(statuses)],
            label=f"Möte {index}",
            key=index,
        )
        for index in range(count)
    ]


def _draw(marks: list[svg.Mark], **overrides: object) -> str:
    first, end = svg.year_span(2026, school_year=True)
    arguments: dict[str, object] = {
        "marks": marks,
        "first_day": first,
        "end_day": end,
        "month_names": MONTHS,
        "title": "Årshjul 2026/27",
        "description": "Tolv månader",
        "centre_label": "2026/27",
        "today": datetime.date(2026, 11, 27),
        "today_label": "I dag",
    }
    arguments.update(overrides)
    return str(svg.wheel_svg(**arguments))  # type: ignore[arg-type]


def test_the_same_marks_in_any_order_give_the_same_picture() -> None:
    marks = _marks(40)
    assert _draw(marks) == _draw(list(reversed(marks)))
    assert _draw(marks) == _draw(marks)


def test_twelve_month_labels_in_wheel_order() -> None:
    root = _parse(_draw(_marks(3)))
    texts = [element.text for element in root.findall("svg:text", NS)]
    assert texts[:12] == MONTHS
    # A month is a sector of the ring: twelve paths.
    assert len(root.findall("svg:path", NS)) == 12


def test_one_mark_per_occurrence_with_its_text() -> None:
    marks = _marks(57)
    root = _parse(_draw(marks))
    groups = [g for g in root.findall("svg:g", NS) if g.get("class") == "wheel-mark"]
    assert len(groups) == 57
    titles = sorted(g.find("svg:title", NS).text or "" for g in groups)  # type: ignore[union-attr]
    assert titles == sorted(mark.label for mark in marks)


def test_marks_outside_the_year_are_left_out() -> None:
    inside = svg.Mark(datetime.date(2027, 7, 31), ActivityType.TRAINING, "held", "in", 1)
    before = svg.Mark(datetime.date(2026, 7, 31), ActivityType.TRAINING, "held", "before", 2)
    after = svg.Mark(datetime.date(2027, 8, 1), ActivityType.TRAINING, "held", "after", 3)
    picture = _draw([inside, before, after])
    assert picture.count('class="wheel-mark"') == 1
    assert "<title>in</title>" in picture


def test_accessible_picture() -> None:
    root = _parse(_draw(_marks(2)))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "wheel-title wheel-desc"
    assert root.find("svg:title", NS).get("id") == "wheel-title"  # type: ignore[union-attr]
    assert root.find("svg:title", NS).text == "Årshjul 2026/27"  # type: ignore[union-attr]
    assert root.find("svg:desc", NS).text == "Tolv månader"  # type: ignore[union-attr]


def test_titles_and_labels_are_escaped() -> None:
    hostile = '<script>alert("x")</script> & "quotes"'
    picture = _draw(
        [svg.Mark(datetime.date(2026, 9, 1), ActivityType.TRAINING, "held", hostile, 1)],
        title=hostile,
        month_names=[hostile, *MONTHS[1:]],
    )
    assert "<script>" not in picture
    assert "&lt;script&gt;" in picture
    _parse(picture)  # still well-formed XML


def test_no_style_attributes_or_scripts() -> None:
    picture = _draw(_marks(60))
    assert "style=" not in picture
    assert "<script" not in picture
    assert not re.search(r"\son\w+=", picture)


def test_each_type_has_its_own_shape_and_colour() -> None:
    styles = [svg.TYPE_STYLES[value] for value in ActivityType.values]
    assert len({style.shape for style in styles}) == len(styles)
    assert len({style.colour for style in styles}) == len(styles)


def test_status_is_drawn_differently() -> None:
    held = svg.shape_markup(ActivityType.TRAINING, OccurrenceStatus.HELD, 10, 10)
    planned = svg.shape_markup(ActivityType.TRAINING, OccurrenceStatus.PLANNED, 10, 10)
    cancelled = svg.shape_markup(ActivityType.TRAINING, OccurrenceStatus.CANCELLED, 10, 10)
    assert len({held, planned, cancelled}) == 3
    assert "<line" in cancelled  # struck through, not only a different colour


def test_same_day_same_type_marks_do_not_cover_each_other() -> None:
    day = datetime.date(2026, 10, 5)
    marks = [
        svg.Mark(day, ActivityType.STUDENT_HEALTH_TEAM, "planned", f"EHT {n}", n) for n in range(3)
    ]
    root = _parse(_draw(marks))
    positions = {
        (rect.get("x"), rect.get("y"))
        for group in root.findall("svg:g", NS)
        for rect in group.findall("svg:rect", NS)
    }
    assert len(positions) == 3


def test_calendar_year_starts_in_january() -> None:
    assert svg.year_span(2027, school_year=False) == (
        datetime.date(2027, 1, 1),
        datetime.date(2028, 1, 1),
    )
    assert svg.month_starts(datetime.date(2026, 8, 1))[5] == datetime.date(2027, 1, 1)


def test_today_line_only_inside_the_year() -> None:
    assert "I dag" in _draw([])
    assert "I dag" not in _draw([], today=datetime.date(2030, 1, 1))


def test_legend_symbol_is_decorative() -> None:
    symbol = str(svg.legend_symbol(ActivityType.RESOURCE_COUNCIL))
    assert 'aria-hidden="true"' in symbol
    _parse(symbol)
