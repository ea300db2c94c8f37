"""Who may open each page: anyone with a role in the document's municipality reads; its
coordinators and managers manage; everyone else — the other municipality above all — gets
the same 404 as for a document that does not exist. Anonymous visitors go to the login."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance import services
from governance.models import DocumentKind, Goal, Measure, Responsibility
from governance.tests import builders
from organisations.models import Role
from tests.factories import UserFactory
from tests.matrix import LOGIN, assert_matrix, everyone_else

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def doc(world):
    document = builders.document(world, kind=DocumentKind.ACTION_PLAN, title="Handlingsplan")
    builders.version(world, document, approved_on=datetime.date(2025, 1, 1))
    builders.version(
        world,
        document,
        text="<p>Ny text.</p>",
        approved_on=datetime.date(2026, 1, 1),
        upload=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
    )
    coordinator = world.user(Role.COORDINATOR)
    goal = services.goal_add(actor=coordinator, document=document, text="Mål")
    row = services.responsibility_add(
        actor=coordinator, document=document, role_name="Rektor", responsibility="Ansvar"
    )
    measure = services.measure_add(
        actor=coordinator, document=document, what="Åtgärd", owner="Rektor"
    )
    return document, goal, row, measure


def _leksand(world):
    return list(world.places["leksand"].users.values())


def _managers(world, place="leksand"):
    return [world.user(Role.COORDINATOR, place), world.user(Role.MANAGER, place)]


def _read_urls(document):
    pk = document.pk
    return [
        reverse("governance:document_detail", args=[pk]),
        reverse("governance:version_detail", args=[pk, 1]),
        reverse("governance:version_detail", args=[pk, 2]),
        reverse("governance:version_file", args=[pk, 2]),
        reverse("governance:version_diff", args=[pk]) + "?old=1&new=2",
    ]


def _manage_urls(document, goal, row, measure):
    pk = document.pk
    return [
        reverse("governance:document_edit", args=[pk]),
        reverse("governance:version_add", args=[pk]),
        reverse("governance:goal_add", args=[pk]),
        reverse("governance:goal_edit", args=[pk, goal.pk]),
        reverse("governance:goal_delete", args=[pk, goal.pk]),
        reverse("governance:responsibility_add", args=[pk]),
        reverse("governance:responsibility_edit", args=[pk, row.pk]),
        reverse("governance:responsibility_delete", args=[pk, row.pk]),
        reverse("governance:measure_add", args=[pk]),
        reverse("governance:measure_edit", args=[pk, measure.pk]),
    ]


def test_the_list_for_everyone_with_a_role(client, world):
    nobody = UserFactory.create(username="no.role")
    everyone = [user for place in world.places.values() for user in place.users.values()]
    assert_matrix(
        client,
        reverse("governance:document_list"),
        [(None, LOGIN), (nobody, 404), *[(user, 200) for user in everyone]],
    )


def test_reading_for_the_municipality_only(client, world, doc):
    document = doc[0]
    readers = _leksand(world)
    for url in _read_urls(document):
        assert_matrix(
            client,
            url,
            [
                (None, LOGIN),
                *[(user, 200) for user in readers],
                *[(user, 404) for user in everyone_else(world, readers)],
            ],
        )


def test_confirming_for_the_municipality_only(client, world, doc):
    document = doc[0]
    readers = _leksand(world)
    assert_matrix(
        client,
        reverse("governance:read_confirm", args=[document.pk]),
        [
            (None, LOGIN),
            *[(user, 302) for user in readers],
            *[(user, 404) for user in everyone_else(world, readers)],
        ],
        method="post",
        data={"version": 2},
    )
    assert document.versions.get(number=2).confirmations.count() == len(readers)


def test_managing_for_coordinators_and_managers_of_the_municipality(client, world, doc):
    allowed = _managers(world)
    for url in _manage_urls(*doc):
        assert_matrix(
            client,
            url,
            [
                (None, LOGIN),
                *[(user, 200) for user in allowed],
                *[(user, 404) for user in everyone_else(world, allowed)],
            ],
        )


def test_nobody_else_can_post_changes(client, world, doc):
    document, goal, row, measure = doc
    outsiders = [(user, 404) for user in everyone_else(world, _managers(world))]
    urls = [
        *_manage_urls(*doc),
        reverse("governance:measure_status", args=[document.pk, measure.pk]),
    ]
    data = {
        "text": "Ändrat",
        "role_name": "x",
        "responsibility": "x",
        "what": "x",
        "owner": "x",
        "status": "done",
        f"measure-{measure.pk}-status": "done",
        "kind": "routine",
        "title": "Ändrad",
        "owner_unit": document.owner_unit_id,
        "revision_interval_months": 12,
        "direction": "at_least",
    }
    for url in urls:
        assert_matrix(client, url, [(None, LOGIN), *outsiders], method="post", data=data)
    assert document.versions.count() == 2
    document.refresh_from_db()
    assert document.title == "Handlingsplan"
    assert Goal.objects.get(pk=goal.pk).text == "Mål"
    assert Responsibility.objects.filter(pk=row.pk).exists()
    assert Measure.objects.get(pk=measure.pk).status == "planned"


def test_measure_status_for_managers(client, world, doc):
    document, _goal, _row, measure = doc
    url = reverse("governance:measure_status", args=[document.pk, measure.pk])
    assert_matrix(
        client,
        url,
        [(user, 302) for user in _managers(world)],
        method="post",
        data={f"measure-{measure.pk}-status": "in_progress"},
    )
    assert Measure.objects.get(pk=measure.pk).status == "in_progress"


@pytest.mark.usefixtures("doc")
def test_new_documents_and_read_shares_for_coordinators_and_managers(client, world):
    allowed = [*_managers(world), *_managers(world, "eksjo")]
    for url in (reverse("governance:document_create"), reverse("governance:read_shares")):
        assert_matrix(
            client,
            url,
            [
                (None, LOGIN),
                *[(user, 200) for user in allowed],
                *[(user, 404) for user in everyone_else(world, allowed)],
            ],
        )


def test_read_shares_of_another_municipalitys_document_are_a_404(client, world, doc):
    url = reverse("governance:read_shares") + f"?document={doc[0].pk}"
    assert_matrix(
        client,
        url,
        [
            *[(user, 200) for user in _managers(world)],
            *[(user, 404) for user in _managers(world, "eksjo")],
        ],
    )


def test_missing_things_are_404_alike(client, world, doc):
    document, goal, _row, _measure = doc
    client.force_login(world.user(Role.COORDINATOR))
    for url in (
        reverse("governance:document_detail", args=[999999]),
        reverse("governance:version_detail", args=[document.pk, 9]),
        reverse("governance:version_file", args=[document.pk, 1]),  # version 1 has no file
        reverse("governance:goal_edit", args=[document.pk, 999999]),
        reverse("governance:read_shares") + "?document=999999",
    ):
        assert client.get(url).status_code == 404, url
    other = builders.document(world, title="Annat")
    # A goal of another document, through this document's URL.
    url = reverse("governance:goal_edit", args=[other.pk, goal.pk])
    assert client.get(url).status_code == 404
