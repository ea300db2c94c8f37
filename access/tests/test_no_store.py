"""Responses that show a child's data carry ``Cache-Control: no-store, private``, by
construction: writing the access log marks the request, the middleware sets the header. Pages
without a child's data keep the default caching headers."""

import uuid

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client, RequestFactory
from django.urls import reverse

from access.context import current_response_flags
from access.middleware import ChildDataNoStoreMiddleware
from access.services import access_log_record_many
from organisations.models import Role
from reports import services_school
from reports.models import ConcernReport
from reports.tests import builders
from tests.world import World

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _two_factor_set_up(world: World) -> None:
    Authenticator.objects.bulk_create(
        Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": "test"})
        for place in world.places.values()
        for user in place.users.values()
    )


def _report(world: World) -> ConcernReport:
    report = builders.draft(world)
    services_school.attachment_add(
        report=report,
        actor=report.author,
        upload=SimpleUploadedFile("foto.pdf", PDF, content_type="application/pdf"),
    )
    return services_school.report_submit(
        report=report, actor=report.author, submission_key=uuid.uuid4(), now=builders.ARRIVAL
    )


def _not_stored(response: HttpResponseBase) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives and response.get("Pragma") == "no-cache"


def test_report_pages_are_not_stored(client: Client, world: World) -> None:
    report = _report(world)
    client.force_login(report.author)
    response = client.get(reverse("reports:status", args=[report.public_id]))
    assert response.status_code == 200
    assert _not_stored(response)

    client.force_login(world.user(Role.INTAKE))
    response = client.get(reverse("reports:intake_detail", args=[report.public_id]))
    assert response.status_code == 200
    assert _not_stored(response)


def test_an_attachment_download_is_not_stored(client: Client, world: World) -> None:
    report = _report(world)
    attachment = report.attachments.get()
    client.force_login(report.author)
    response = client.get(reverse("reports:attachment", args=[report.public_id, attachment.pk]))
    assert response.status_code == 200
    assert _not_stored(response)


@pytest.mark.parametrize(
    ("name", "role"),
    [("reports:my_reports", Role.REPORTER), ("reports:inbox", Role.INTAKE)],
)
def test_lists_of_children_are_not_stored(
    client: Client, world: World, name: str, role: str
) -> None:
    _report(world)
    client.force_login(world.user(role))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert _not_stored(response)


def test_a_page_without_child_data_keeps_the_default_caching(client: Client, world: World) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    response = client.get(reverse("governance:document_list"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert not response.has_header("Pragma")


def test_a_refused_read_writes_no_log_and_so_no_header(client: Client, world: World) -> None:
    # The 404 is the same page as for a report that does not exist: nothing to keep private.
    report = _report(world)
    client.force_login(world.user(Role.INTAKE, "eksjo"))
    response = client.get(reverse("reports:intake_detail", args=[report.public_id]))
    assert response.status_code == 404
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_middleware_marks_any_view_that_writes_the_access_log(world: World) -> None:
    # Any view, not only today's: the mark comes from the access log itself.
    def view(_request: HttpRequest) -> HttpResponse:
        access_log_record_many(user=world.user(Role.INTAKE), action="view", entries=[])
        response = HttpResponse("child data")
        response["Cache-Control"] = "public, max-age=600"
        return response

    response = ChildDataNoStoreMiddleware(view)(RequestFactory().get("/"))
    assert _not_stored(response)
    assert "public" not in response["Cache-Control"]
    assert current_response_flags.get() is None
