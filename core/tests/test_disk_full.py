"""A full disk while an upload is written: the form comes back with a clear message and what
was typed, nothing of the submission is saved (no row without its file, no file without its
row, no half-written file), and the error is logged once without personal data. For every
place that takes files: report drafts and supplements, governance versions, meeting minutes,
audit evidence."""

import errno
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audits.models import Evidence, EvidenceKind
from audits.tests import builders as audit_builders
from core.storage import AtomicFileSystemStorage
from core.tests.logs import Collected, collected
from core.uploads import FILE_NOT_STORED
from governance.models import DocumentVersion
from governance.tests import builders as governance_builders
from organisations.models import Role
from reports.models import Attachment, ConcernReport, Supplement
from reports.tests import builders as report_builders
from reports.tests.test_school_drafts import edit_url, empty_draft, form_data
from tests.world import World
from wheel.models import Occurrence
from wheel.tests.series_builders import around_today, past_occurrence
from wheel.tests.test_occurrence_views import record_data

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

PDF = b"%PDF-1.4\n" + b"0" * 200_000 + b"\n%%EOF\n"


class FullDiskStorage(AtomicFileSystemStorage):
    """The real storage on a disk that fills up: the first ``room`` saves succeed, the next
    one writes part of the file and then fails as a full disk does (ENOSPC)."""

    room: ClassVar[int] = 0
    saves: ClassVar[int] = 0

    @staticmethod
    def _write(handle: int, content: Any) -> None:
        FullDiskStorage.saves += 1
        if FullDiskStorage.saves <= FullDiskStorage.room:
            AtomicFileSystemStorage._write(handle, content)
            return
        with open(handle, "wb") as out:
            out.write(b"%PDF-1.4\n half a file")
            out.flush()
            raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def full_disk(settings) -> type[FullDiskStorage]:
    FullDiskStorage.room = 0
    FullDiskStorage.saves = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FullDiskStorage"},
    }
    return FullDiskStorage


def files_in(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()]


@pytest.fixture
def upload_log() -> Iterator[Collected]:
    with collected("core.uploads") as log:
        yield log


def refused(client: Client, url: str, data: dict[str, Any], *typed: str) -> None:
    """Post ``data`` asking for Swedish: the form comes back with the message and ``typed``."""
    response = client.post(url, data, headers={"Accept-Language": "sv"})
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert swedish_message() in page
    for text in typed:
        assert text in page


def assert_logged_once(log: Collected, place: str, *secrets: str) -> None:
    assert log.messages == [
        f"An uploaded file could not be stored (ENOSPC) for a {place}; nothing was saved."
    ]
    for secret in secrets:
        assert secret not in log.messages[0]


def swedish_message() -> str:
    with translation.override("sv"):
        return str(FILE_NOT_STORED)


def test_the_message_is_swedish() -> None:
    message = swedish_message()
    assert message.startswith("Filen kunde inte sparas")
    assert "Inget har sparats" in message
    assert "välj filen igen" in message


def test_a_draft_with_two_files_keeps_neither_when_the_second_does_not_fit(
    client: Client, world: World, full_disk: type[FullDiskStorage], settings, upload_log
) -> None:
    full_disk.room = 1
    teacher = world.user(Role.REPORTER)
    client.force_login(teacher)
    report = empty_draft(world, teacher)
    refused(
        client,
        edit_url(report),
        {
            **form_data(report, save="", child_name="Lisa Fil", what_happened="Hände i dag."),
            "attachments": [
                SimpleUploadedFile("Lisa första.pdf", PDF),
                SimpleUploadedFile("Lisa andra.pdf", PDF),
            ],
        },
        'value="Lisa Fil"',
        "Hände i dag.</textarea>",
    )
    report.refresh_from_db()
    assert report.child_name == ""  # the whole save was rolled back, not only the files
    assert report.version == 1
    assert not Attachment.objects.exists()
    assert files_in(Path(settings.MEDIA_ROOT)) == []
    assert_logged_once(upload_log, "report attachment", "Lisa")
    # The next press with room on the disk saves it all.
    full_disk.room = 10
    response = client.post(
        edit_url(report),
        {**form_data(report, save=""), "attachments": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    assert response.status_code == 302
    assert Attachment.objects.count() == 1


def test_a_supplement_is_not_added_without_its_file_and_can_be_sent_again(
    client: Client, world: World, full_disk: type[FullDiskStorage], settings, upload_log
) -> None:
    report = report_builders.submitted(world)
    client.force_login(report.author)
    url = reverse("reports:supplement", args=[report.public_id])
    key = str(uuid.uuid4())
    data = {
        "text": "Mer om dagen.",
        "submission_key": key,
        "attachments": [SimpleUploadedFile("intyg.pdf", PDF)],
    }
    refused(client, url, data, "Mer om dagen.</textarea>")
    assert not Supplement.objects.exists()
    assert not Attachment.objects.exists()
    assert files_in(Path(settings.MEDIA_ROOT)) == []
    assert_logged_once(upload_log, "report supplement", "intyg")
    # The same form again (its key was not used up) once there is room.
    full_disk.room = 10
    data["attachments"] = [SimpleUploadedFile("intyg.pdf", PDF)]
    assert client.post(url, data).status_code == 302
    assert Supplement.objects.count() == 1
    assert Attachment.objects.count() == 1


@pytest.mark.usefixtures("full_disk")
def test_a_governance_version_is_not_added_without_its_file(
    client: Client, world: World, settings, upload_log
) -> None:
    document = governance_builders.document(world)
    client.force_login(world.user(Role.COORDINATOR))
    refused(
        client,
        reverse("governance:version_add", args=[document.pk]),
        {
            "text": "Rutinens nya text.",
            "approving_body": "Kommunstyrelsen",
            "approval_reference": "KS 2026-03-10 § 45",
            "approved_on": "2026-03-10",
            "valid_from": "",
            "valid_to": "",
            "revision_interval_months": "12",
            "file": SimpleUploadedFile("rutin.pdf", PDF),
        },
        "Rutinens nya text.",
        'value="KS 2026-03-10 § 45"',
    )
    assert not DocumentVersion.objects.exists()
    assert files_in(Path(settings.MEDIA_ROOT)) == []
    assert_logged_once(upload_log, "governance document version")


def test_meeting_minutes_keep_the_old_file_when_the_new_one_does_not_fit(
    client: Client, world: World, full_disk: type[FullDiskStorage], settings, upload_log
) -> None:
    occurrence: Occurrence = past_occurrence(around_today(world))
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("wheel:occurrence_record", args=[occurrence.pk])
    full_disk.room = 1
    first = client.post(
        url, {**record_data(occurrence), "minutes_file": SimpleUploadedFile("p1.pdf", PDF)}
    )
    assert first.status_code == 302
    occurrence.refresh_from_db()
    old_name = occurrence.minutes_file.name
    assert files_in(Path(settings.MEDIA_ROOT)) == [Path(occurrence.minutes_file.path)]
    refused(
        client,
        url,
        {
            **record_data(occurrence, place="Aulan", minutes="Vi beslutade."),
            "minutes_file": SimpleUploadedFile("p2.pdf", PDF),
        },
        "Vi beslutade.</textarea>",
        'value="Aulan"',
    )
    occurrence.refresh_from_db()
    assert occurrence.version == 2
    assert occurrence.minutes_file.name == old_name
    assert occurrence.minutes_file_name == "p1.pdf"
    # The old file is still there (removed only when a new one is committed), nothing else.
    assert files_in(Path(settings.MEDIA_ROOT)) == [Path(occurrence.minutes_file.path)]
    assert_logged_once(upload_log, "meeting minutes file")


def test_audit_evidence_is_not_added_without_its_file(
    client: Client, world: World, full_disk: type[FullDiskStorage], settings, upload_log
) -> None:
    audit = audit_builders.audit(world)
    recommendation = audit_builders.recommendation(world, audit)
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("audits:recommendation_evidence_add", args=[audit.pk, recommendation.pk])
    data = {
        "submission_key": str(uuid.uuid4()),
        "kind": EvidenceKind.FILE,
        "description": "Protokoll från samrådet",
        "file": SimpleUploadedFile("protokoll.pdf", PDF),
    }
    refused(client, url, data, 'value="Protokoll från samrådet"')
    assert not Evidence.objects.exists()
    assert files_in(Path(settings.MEDIA_ROOT)) == []
    assert_logged_once(upload_log, "audit evidence file", "protokoll")
    # The same form again once there is room: added once.
    full_disk.room = 10
    data["file"] = SimpleUploadedFile("protokoll.pdf", PDF)
    assert client.post(url, data).status_code == 302
    assert Evidence.objects.count() == 1


def test_the_storage_leaves_no_partial_file_on_any_storage_error(
    settings, full_disk: type[FullDiskStorage]
) -> None:
    storage = full_disk(location=settings.MEDIA_ROOT)
    with pytest.raises(OSError, match="No space left"):
        storage.save("reports/x/a.pdf", SimpleUploadedFile("a.pdf", PDF))
    assert files_in(Path(settings.MEDIA_ROOT)) == []
    full_disk.room = 10
    name = storage.save("reports/x/a.pdf", SimpleUploadedFile("a.pdf", PDF))
    again = storage.save("reports/x/a.pdf", SimpleUploadedFile("a.pdf", b"%PDF-2"))
    assert name == "reports/x/a.pdf"
    assert again != name  # an existing name is never overwritten
    assert storage.open(name).read() == PDF
    assert oct(Path(storage.path(name)).stat().st_mode)[-3:] == "644"


def test_other_errors_are_not_taken_for_a_full_disk(
    client: Client, world: World, monkeypatch
) -> None:
    """A bug (here: a permission error) is not dressed up as a full disk: it is raised."""

    def refuse(*_args: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(AtomicFileSystemStorage, "_write", staticmethod(refuse))
    document = governance_builders.document(world)
    client.force_login(world.user(Role.COORDINATOR))
    client.raise_request_exception = True
    with pytest.raises(PermissionError):
        client.post(
            reverse("governance:version_add", args=[document.pk]),
            {
                "text": "T",
                "revision_interval_months": "12",
                "file": SimpleUploadedFile("r.pdf", PDF),
            },
        )
    assert not DocumentVersion.objects.exists()
    assert not ConcernReport.objects.exists()
