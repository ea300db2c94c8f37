"""Who may open each board-report page: drafts for the municipality's coordinators only;
published reports for its board members, auditors and managers too; everyone else — the other
municipality above all — gets the same 404 as for a report that does not exist. Anonymous
visitors go to the login. A published report's page has no forms and refuses every change.

The PDF is replaced by a small stand-in here (``render_pdf`` is tested in
``test_board_report``), so these tests stay fast."""

import datetime
from collections.abc import Iterator
from unittest import mock

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from followup import board_services
from followup.board_attention import coordinator_report_attention, published_report_attention
from followup.models import BoardReport, BoardReportComment, BoardReportState
from followup.periods import year_period
from followup.tests import board_builders
from followup.tests.board_builders import keep_language  # noqa: F401 - a fixture
from organisations.models import Role, User
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

PDF = b"%PDF-1.7\n%%EOF\n"
READERS = (Role.BOARD_MEMBER, Role.AUDITOR, Role.MANAGER)

pytestmark = pytest.mark.usefixtures("two_factor_set_up", "keep_language")


@pytest.fixture(autouse=True)
def _small_pdf() -> Iterator[None]:
    with mock.patch("followup.board_services.render_pdf", return_value=PDF):
        yield


@pytest.fixture
def draft(world: World, django_capture_on_commit_callbacks) -> BoardReport:
    return board_builders.draft(world, django_capture_on_commit_callbacks)


@pytest.fixture
def published(world: World, django_capture_on_commit_callbacks) -> BoardReport:
    return board_builders.published(world, django_capture_on_commit_callbacks)


Expectations = list[tuple[User | None, int | str]]


def _coordinator(world: World) -> list[User]:
    return [world.user(Role.COORDINATOR)]


def _readers(world: World) -> list[User]:
    return [world.user(role) for role in (Role.COORDINATOR, *READERS)]


def _only(world: World, allowed: list[User], status: int = 200) -> Expectations:
    """Anonymous to the login, ``allowed`` get ``status``, everyone else 404."""
    expectations: Expectations = [(None, LOGIN)]
    expectations += [(user, status) for user in allowed]
    expectations += [(user, 404) for user in everyone_else(world, allowed)]
    return expectations


def test_the_list_is_for_coordinators_and_the_boards_readers(client: Client, world: World):
    allowed = [
        *_readers(world),
        *[world.user(role, "eksjo") for role in (Role.COORDINATOR, *READERS)],
    ]
    assert_matrix(
        client,
        reverse("followup_board:list"),
        _only(world, allowed),
    )


def test_a_draft_is_for_its_coordinators_only(client: Client, world: World, draft: BoardReport):
    allowed = _coordinator(world)
    for name in ("followup_board:detail", "followup_board:progress", "followup_board:pdf"):
        assert_matrix(
            client,
            reverse(name, args=[draft.pk]),
            _only(world, allowed),
        )


def test_a_published_report_is_for_the_boards_readers(
    client: Client, world: World, published: BoardReport
):
    allowed = _readers(world)
    for name in ("followup_board:detail", "followup_board:pdf", "followup_board:progress"):
        assert_matrix(
            client,
            reverse(name, args=[published.pk]),
            _only(world, allowed),
        )


def test_the_drafts_changes_are_for_its_coordinators(
    client: Client, world: World, draft: BoardReport, django_capture_on_commit_callbacks
):
    allowed = _coordinator(world)
    outsiders = [(user, 404) for user in everyone_else(world, allowed)]
    with django_capture_on_commit_callbacks(execute=True):
        assert_matrix(
            client,
            reverse("followup_board:comment", args=[draft.pk]),
            [(None, LOGIN), *outsiders, *[(user, 302) for user in allowed]],
            method="post",
            data={"section": "1", "text": "En kommentar."},
        )
        assert_matrix(
            client,
            reverse("followup_board:regenerate", args=[draft.pk]),
            [(None, LOGIN), *outsiders, *[(user, 302) for user in allowed]],
            method="post",
        )
    # The changes are made again in the background (when their transaction commits): then
    # the report is ready to publish.
    with django_capture_on_commit_callbacks(execute=True):
        assert_matrix(
            client,
            reverse("followup_board:publish", args=[draft.pk]),
            [(None, LOGIN), *outsiders, *[(user, 200) for user in allowed]],
        )
        assert_matrix(
            client,
            reverse("followup_board:publish", args=[draft.pk]),
            [(None, LOGIN), *outsiders, *[(user, 302) for user in allowed]],
            method="post",
        )
    assert BoardReportComment.objects.filter(report=draft).count() == 1
    draft.refresh_from_db()
    assert draft.state == BoardReportState.PUBLISHED


def test_a_published_report_refuses_every_change(
    client: Client, world: World, published: BoardReport
):
    everyone = _only(world, [])
    for name in (
        "followup_board:comment",
        "followup_board:regenerate",
        "followup_board:publish",
    ):
        assert_matrix(
            client,
            reverse(name, args=[published.pk]),
            everyone,
            method="post",
            data={"section": "1", "text": "Ändrat i efterhand."},
        )
    assert not BoardReportComment.objects.filter(report=published).exists()


def test_creating_a_draft_is_for_coordinators_and_a_double_submit_makes_one(
    client: Client, world: World, django_capture_on_commit_callbacks
):
    allowed = _coordinator(world)
    eksjo = world.user(Role.COORDINATOR, "eksjo")
    data = {"municipality": world.municipality().pk, "year": "2025"}
    with django_capture_on_commit_callbacks(execute=True):
        assert_matrix(
            client,
            reverse("followup_board:create"),
            [
                (None, LOGIN),
                *[(user, 404) for user in everyone_else(world, [*allowed, eksjo])],
                *[(user, 302) for user in allowed],
                *[(user, 302) for user in allowed],  # the second submit
            ],
            method="post",
            data=data,
        )
    assert BoardReport.objects.filter(municipality=world.municipality()).count() == 1
    # Eksjö's coordinator can not make a draft for Leksand: the form offers only Eksjö.
    client.force_login(eksjo)
    response = client.post(reverse("followup_board:create"), data)
    assert response.status_code == 200
    assert not BoardReport.objects.filter(municipality=world.municipality("eksjo")).exists()


def test_the_draft_page_has_the_forms_and_the_published_page_none(
    client: Client, world: World, draft: BoardReport, django_capture_on_commit_callbacks
):
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(reverse("followup_board:detail", args=[draft.pk])).content.decode()
    assert page.count('name="text"') == 3
    assert reverse("followup_board:publish", args=[draft.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("followup_board:publish", args=[draft.pk]))
    page = client.get(reverse("followup_board:detail", args=[draft.pk])).content.decode()
    assert 'name="text"' not in page
    assert reverse("followup_board:regenerate", args=[draft.pk]) not in page
    assert reverse("followup_board:publish", args=[draft.pk]) not in page
    assert "can not be changed" in page


def test_the_progress_fragment_polls_until_ready(client: Client, world: World):
    report = board_services.board_report_create_draft(
        actor=world.user(Role.COORDINATOR),
        municipality=world.municipality(),
        period=year_period(2025),
    )
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("followup_board:progress", args=[report.pk])
    waiting = client.get(url)
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert "HX-Refresh" not in waiting
    board_services.board_report_generate(report_id=report.pk)
    ready = client.get(url)
    assert 'hx-trigger="every 2s"' not in ready.content.decode()
    assert ready["HX-Refresh"] == "true"


def test_a_comment_without_text_is_shown_again_with_its_message(
    client: Client, world: World, draft: BoardReport
):
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        reverse("followup_board:comment", args=[draft.pk]), {"section": "2", "text": ""}
    )
    assert response.status_code == 400
    assert 'id="error_text_2"' in response.content.decode()


def test_the_report_page_costs_a_fixed_number_of_queries(
    client: Client, world: World, published: BoardReport, django_assert_num_queries
):
    client.force_login(world.user(Role.BOARD_MEMBER))
    client.get(reverse("followup_board:detail", args=[published.pk]))  # warm the caches
    # the user, the report through the policy, the page's flags and the comments (the session,
    # the memberships and the unread count are in the shared cache).
    with django_assert_num_queries(4):
        response = client.get(reverse("followup_board:detail", args=[published.pk]))
    assert response.status_code == 200


# --- the start page -------------------------------------------------------------------------


def test_the_board_is_told_of_a_published_report(world: World, published: BoardReport):
    board_member = world.user(Role.BOARD_MEMBER)
    (item,) = published_report_attention(board_member, list(board_member.memberships.all()))
    assert published.title in str(item.text)
    assert item.url == reverse("followup_board:detail", args=[published.pk])
    eksjo = world.user(Role.BOARD_MEMBER, "eksjo")
    assert published_report_attention(eksjo, list(eksjo.memberships.all())) == []


def test_the_board_is_not_told_of_a_draft(world: World, draft: BoardReport):
    auditor = world.user(Role.AUDITOR)
    assert published_report_attention(auditor, list(auditor.memberships.all())) == []
    coordinator = world.user(Role.COORDINATOR)
    (item,) = coordinator_report_attention(coordinator, [])
    assert draft.title in str(item.text)


def test_the_coordinator_is_told_when_last_years_report_is_missing(world: World):
    coordinator = world.user(Role.COORDINATOR)
    (item,) = coordinator_report_attention(coordinator, [])
    assert item.url == reverse("followup_board:list")


def test_the_latest_published_report_stays_on_the_boards_start_page(
    client: Client, world: World, published: BoardReport
):
    assert published.published_at is not None
    later = published.published_at + datetime.timedelta(days=200)  # long after the news
    board_member = world.user(Role.BOARD_MEMBER)
    assert published_report_attention(board_member, [], now=later) == []
    with time_machine.travel(later, tick=False):
        client.force_login(board_member)
        page = client.get(reverse("core:start")).content.decode()
    assert published.title in page
    assert reverse("followup_board:detail", args=[published.pk]) in page
    assert reverse("followup_board:pdf", args=[published.pk]) in page
    for outsider in (world.user(Role.BOARD_MEMBER, "eksjo"), world.user(Role.REPORTER)):
        client.force_login(outsider)
        assert published.title not in client.get(reverse("core:start")).content.decode()
