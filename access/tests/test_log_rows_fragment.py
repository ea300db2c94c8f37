"""The log review's rows are written in Python (access/fragments.py) for speed; they must give
the markup the template loop they replaced gave (kept in ``reference/log_rows.html``), in both
languages, with and without the municipality and child columns, every value escaped."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from access.fragments import log_rows_html
from access.models import AccessAction
from access.selectors import AccessLogFilters, access_log_page
from access.services import access_log_record
from organisations.models import Role, UnitKind
from organisations.selectors import memberships_of
from tests.markup import normalised
from tests.world import World

REFERENCE = (Path(__file__).parent / "reference" / "log_rows.html").read_text()
AT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def logged(world: World) -> None:
    intake = world.user(Role.INTAKE)
    intake.first_name = 'Ida <script>"x"</script>'
    intake.save()
    membership = memberships_of(intake)[0]
    unit = world.unit(UnitKind.INTAKE)
    # Two reads in the same minute (one time shown), then a print five minutes later.
    reads = ((0, AccessAction.VIEW), (0, AccessAction.VIEW), (5, AccessAction.PRINT))
    for minutes, action in reads:
        with time_machine.travel(AT + datetime.timedelta(minutes=minutes), tick=False):
            access_log_record(
                user=intake,
                municipality=world.municipality(),
                obj=unit,
                child_ref="child-1",
                action=action,
                rule="intake_of_municipality",
                membership=membership,
            )
    # Two downloads 27 minutes apart: one group showing a span of times.
    for minutes in (20, 47):
        with time_machine.travel(AT + datetime.timedelta(minutes=minutes), tick=False):
            access_log_record(
                user=intake,
                municipality=world.municipality(),
                obj=unit,
                child_ref="child-2",
                action=AccessAction.DOWNLOAD,
                rule="a_retired_rule",
            )


@pytest.mark.usefixtures("logged")
@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(("show_municipality", "child"), [(False, None), (True, "a child")])
def test_the_rows_are_the_template_rows(
    world: World, language: str, show_municipality: bool, child: str | None
) -> None:
    page = access_log_page(world.user(Role.MUNICIPAL_ADMIN), AccessLogFilters())
    assert len(page.groups) >= 3
    with translation.override(language):
        expected = Template(REFERENCE).render(
            Context({"groups": page.groups, "show_municipality": show_municipality, "child": child})
        )
        written = log_rows_html(
            page.groups, show_municipality=show_municipality, following_child=child is not None
        )
    assert normalised(written) == normalised(expected)
    assert "<script>" not in written
    assert "&lt;script&gt;" in written
