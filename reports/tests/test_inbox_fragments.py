"""The inbox's rows and its "today" list are written in Python (reports/fragments_intake.py)
for speed; they must give the markup the template loops they replaced gave, in both
languages, with every value escaped. The loops are kept in ``reference/``, word for word, as
the reference."""

import datetime
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from organisations.models import Role
from reports import services_intake
from reports.fragments_intake import inbox_rows_html, today_groups_html
from reports.models import ReportStatus
from reports.selectors_intake import CLOSED, InboxFilters, inbox_page
from reports.selectors_worklist import today_list
from reports.tests import builders
from reports.views_intake import _today_groups
from tests.markup import normalised
from tests.world import World

REFERENCE = Path(__file__).parent / "reference"
ROWS_TEMPLATE = (REFERENCE / "inbox_rows.html").read_text()
TODAY_TEMPLATE = (REFERENCE / "inbox_today.html").read_text()

# A week after the arrival: the first steps' deadlines have passed.
NOW = builders.ARRIVAL + datetime.timedelta(days=7)


@pytest.fixture
def reports(world: World) -> None:
    intake = world.user(Role.INTAKE)
    builders.submitted(world, acute_danger=True, child_name='Ada <b>"Ekdahl"</b> & Co')
    builders.submitted(
        world, home_municipality=None, forward_to_name="Rättvik", child_name="Bo Forsberg"
    )
    owned = builders.submitted(world, child_name="Cleo Berg", now=NOW - datetime.timedelta(hours=2))
    services_intake.report_assign(
        report=owned, actor=intake, assignee=intake, expected_owner_id=None
    )
    builders.advance(builders.submitted(world), ReportStatus.CLOSED, intake=intake)


@pytest.mark.usefixtures("reports")
@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("status", ["", CLOSED])
def test_the_inbox_rows_are_the_template_rows(world: World, language: str, status: str) -> None:
    page = inbox_page(world.user(Role.INTAKE), InboxFilters(status=status), now=NOW)
    assert page.rows
    with translation.override(language):
        expected = Template(ROWS_TEMPLATE).render(
            Context({"page": page, "closed": status == CLOSED})
        )
        written = inbox_rows_html(page.rows, closed=status == CLOSED)
    assert normalised(written) == normalised(expected)
    if not status:
        assert "&lt;b&gt;&quot;Ekdahl&quot;&lt;/b&gt; &amp; Co" in written
        assert "<b>" not in written


@pytest.mark.usefixtures("reports")
@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_today_list_is_the_template_list(world: World, language: str) -> None:
    today = today_list(world.user(Role.INTAKE), now=NOW)
    groups = _today_groups(today)
    assert sum(len(rows) for _key, _title, rows in groups) >= 2
    with translation.override(language):
        expected = Template(TODAY_TEMPLATE).render(Context({"today_groups": groups}))
        written = today_groups_html(groups)
    assert normalised(written) == normalised(expected)
