"""Every upload in the app goes through ``core.uploads`` with the limit of its own use: a
governance document's file and a meeting's minutes do not follow the report attachments'
setting, and a ZIP renamed ``.docx`` is refused everywhere."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from governance import services as governance_services
from governance.tests import builders
from organisations.models import Role
from tests.world import World
from wheel import services as wheel_services
from wheel.models import Occurrence, OccurrenceStatus
from wheel.tests.series_builders import make_series
from wheel.tests.test_occurrence_services import NOW

PDF = b"%PDF-1.4\n%%EOF\n" + b"x" * 500


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("notes.txt", "text")
    return buffer.getvalue()


def _version_errors(world: World, upload: SimpleUploadedFile) -> dict[str, list[str]]:
    document = builders.document(world)
    try:
        governance_services.version_add(
            actor=world.user(Role.COORDINATOR), document=document, upload=upload
        )
    except ValidationError as error:
        return error.message_dict
    return {}


def _minutes_errors(world: World, upload: SimpleUploadedFile) -> dict[str, list[str]]:
    occurrence: Occurrence = make_series(world).occurrences.order_by("starts_at")[1]
    try:
        wheel_services.occurrence_record(
            occurrence=occurrence,
            actor=world.user(Role.COORDINATOR),
            expected_version=occurrence.version,
            record=wheel_services.OccurrenceRecord(
                status=OccurrenceStatus.HELD, starts_at=occurrence.starts_at, minutes_file=upload
            ),
            now=NOW,
        )
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.mark.parametrize(
    ("setting", "errors_of", "field"),
    [
        ("GOVERNANCE_FILE_MAX_BYTES", _version_errors, "file"),
        ("WHEEL_MINUTES_FILE_MAX_BYTES", _minutes_errors, "minutes_file"),
    ],
)
def test_each_use_has_its_own_limit(world, settings, setting, errors_of, field) -> None:
    settings.REPORT_ATTACHMENT_MAX_BYTES = 100  # not the limit of these uses
    setattr(settings, setting, 10_000)
    assert errors_of(world, SimpleUploadedFile("plan.pdf", PDF)) == {}
    setattr(settings, setting, 100)
    errors = errors_of(world, SimpleUploadedFile("plan.pdf", PDF))
    assert errors[field][0].startswith("plan.pdf är för stor")


@pytest.mark.parametrize(
    ("errors_of", "field"), [(_version_errors, "file"), (_minutes_errors, "minutes_file")]
)
def test_a_zip_renamed_docx_is_refused(world, errors_of, field) -> None:
    errors = errors_of(world, SimpleUploadedFile("Protokoll.docx", _zip()))
    assert errors[field][0].startswith("Protokoll.docx är inte ett DOCX-dokument")
