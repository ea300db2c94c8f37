import datetime
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from followup.catalogue import CATALOGUE
from followup.charts import trend_svg, trend_table_rows
from followup.selectors import TrendPoint
from followup.values import Shown

INDICATOR = CATALOGUE["decided_within_deadline"]


def _point(month: int, value: str | None, *, protected: bool = False) -> TrendPoint:
    shown = Shown(INDICATOR, Decimal(value) if value else None, protected=protected)
    return TrendPoint(datetime.date(2026, month, 1), shown)


def test_a_chart_is_deterministic_and_titled() -> None:
    points = [_point(1, "80"), _point(2, None, protected=True), _point(3, "95")]
    first = trend_svg(
        points, chart_id="c1", title="Beslut i tid", description="Månad", target=Decimal(100)
    )
    again = trend_svg(
        points, chart_id="c1", title="Beslut i tid", description="Månad", target=Decimal(100)
    )
    assert first == again
    assert first.startswith("<svg")
    assert 'role="img"' in first
    assert '<title id="c1-title">Beslut i tid</title>' in first
    assert first.count("<rect") == 3  # two bars and the dashed protected one
    assert "&lt;5" in first
    assert 'stroke-dasharray="6 4"' in first  # the target line


def test_a_chart_escapes_its_texts() -> None:
    svg = trend_svg([_point(1, "1")], chart_id="c2", title="<script>", description="a & b")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_the_table_rows_are_what_the_template_loop_wrote() -> None:
    points = [_point(1, "80"), _point(2, None, protected=True)]
    template = Template(
        '{% for point in points %}<tr><th scope="row">{{ point.label }}</th>'
        "<td>{{ point.shown.text }}</td></tr>{% endfor %}"
    )
    with translation.override("sv"):
        rows = trend_table_rows(points)
        assert rows == template.render(Context({"points": points}))
        assert '<th scope="row">januari 2026</th>' in rows
        assert "&lt;5" in rows  # the protected month, escaped
