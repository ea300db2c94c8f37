"""The rows of the school's two report lists are written in Python (reports/fragments_school.py)
for speed; they must give the markup of the template loops they replaced, in both languages,
with every value escaped. The loops are kept in ``reference/``, word for word."""

from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from organisations.models import Role
from reports.fragments_school import school_rows_html
from reports.models import ReportStatus
from reports.selectors_school import my_reports_page, school_reports_page
from reports.tests import builders
from tests.markup import normalised
from tests.world import World

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture
def reports(world: World) -> None:
    intake = world.user(Role.INTAKE)
    builders.submitted(world, child_name='Ada <b>"Ekdahl"</b> & Co', child_class="7<a>")
    builders.submitted(world, child_name="", wants_feedback=False)
    decided = builders.submitted(world, child_name="Bo")
    builders.advance(decided, ReportStatus.DECIDED, intake=intake)
    builders.advance(builders.submitted(world), ReportStatus.CLOSED, intake=intake)


@pytest.mark.usefixtures("reports")
@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("principal", [False, True])
def test_the_rows_are_the_template_rows(world: World, language: str, principal: bool) -> None:
    if principal:
        page = school_reports_page(world.user(Role.PRINCIPAL))
        reference, name = "school_reports_rows.html", "page"
    else:
        page = my_reports_page(world.user(Role.REPORTER))
        reference, name = "my_reports_rows.html", "reports"
    assert len(page.rows) == 4
    context = {name: page}
    with translation.override(language):
        expected = Template((REFERENCE / reference).read_text()).render(Context(context))
        written = school_rows_html(page.rows, with_class=principal)
    assert normalised(written) == normalised(expected)
    assert "&lt;b&gt;&quot;Ekdahl&quot;&lt;/b&gt; &amp; Co" in written
    assert "<b>" not in written
    assert written.count("badge--ok") == 2
    if principal:
        assert "<td>7&lt;a&gt;</td>" in written


@pytest.mark.django_db
def test_no_rows_no_markup() -> None:
    assert school_rows_html([], with_class=True) == ""
