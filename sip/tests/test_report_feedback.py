"""Feedback in own words on a report: only with a consent in force (recorded by the intake),
shown to the reporter and the principal only while it holds, never in a notification or an
e-mail."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access.models import AuditEvent, AuditEventType
from core.models import Notification
from organisations.models import Role
from reports.models import ConcernReport, ReportStatus
from reports.policies import HANDLE, report_policy
from reports.tests import builders
from sip import services_feedback as services
from sip.models import ConsentMethod, ConsentPurpose, FeedbackMessage
from sip.services import ConsentData
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

MESSAGE = "Familjen har fått stöd och skolan kan höra av sig till mig vid ny oro."


@pytest.fixture
def report(world: World) -> ConcernReport:
    report = builders.submitted(world)
    return builders.advance(report, ReportStatus.FEEDBACK_GIVEN, intake=world.user(Role.INTAKE))


def _permit(world: World, report: ConcernReport):
    permit = report_policy.find(world.user(Role.INTAKE), HANDLE, pk=report.pk)
    assert permit is not None
    return permit


def _consent(world: World, report: ConcernReport):
    return services.consent_record_for_report(
        permit=_permit(world, report),
        actor=world.user(Role.INTAKE),
        data=ConsentData(
            guardians=["Karin Testsson", ""],
            method=ConsentMethod.WRITTEN,
            parties=[],
            valid_from=timezone.localdate(),
        ),
    )


def _give(world: World, report: ConcernReport, text: str = MESSAGE):
    return services.feedback_message_give(
        permit=_permit(world, report), actor=world.user(Role.INTAKE), text=text
    )


def test_without_consent_the_free_text_is_refused(world: World, report) -> None:
    with pytest.raises(ValidationError):
        _give(world, report)
    assert not FeedbackMessage.objects.exists()


def test_the_consent_covers_the_reporters_school(world: World, report) -> None:
    consent = _consent(world, report)
    assert consent.purpose == ConsentPurpose.REPORT_FEEDBACK
    assert list(consent.parties.all()) == [report.school_unit]
    assert AuditEvent.objects.filter(event_type=AuditEventType.CONSENT_RECORDED).exists()


def test_with_consent_the_message_is_given_once(world: World, report) -> None:
    _consent(world, report)
    first = _give(world, report)
    assert _give(world, report) == first  # a double submit
    with pytest.raises(ValidationError):
        _give(world, report, "Något annat")
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.REPORT_FEEDBACK_MESSAGE_GIVEN
    ).exists()


def test_the_message_waits_for_the_fixed_feedback(world: World) -> None:
    report = builders.submitted(world)
    report = builders.advance(report, ReportStatus.DECIDED, intake=world.user(Role.INTAKE))
    _consent(world, report)
    with pytest.raises(ValidationError):
        _give(world, report)


def test_the_reporter_and_principal_see_it_only_while_the_consent_holds(
    client, world: World, report
) -> None:
    consent = _consent(world, report)
    _give(world, report)
    url = reverse("reports:status", args=[report.public_id])
    for role in (Role.REPORTER, Role.PRINCIPAL):
        client.force_login(world.user(role))
        assert MESSAGE in client.get(url).content.decode(), role
    services.consent_withdraw_for_report(
        permit=_permit(world, report),
        actor=world.user(Role.INTAKE),
        consent_id=consent.pk,
        withdrawn_by="Karin Testsson",
    )
    for role in (Role.REPORTER, Role.PRINCIPAL):
        client.force_login(world.user(role))
        page = client.get(url).content.decode()
        assert MESSAGE not in page, role
        assert "no longer shown" in page
        assert 'id="report-feedback"' in page
    # The intake still sees what it wrote, and that it is no longer shown.
    client.force_login(world.user(Role.INTAKE))
    page = client.get(reverse("reports:intake_detail", args=[report.public_id])).content
    assert MESSAGE in page.decode()


def test_the_message_is_never_in_a_notification_or_an_email(
    world: World, report, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _consent(world, report)
        _give(world, report)
    assert not any(MESSAGE in n.text for n in Notification.objects.all())
    assert not any(MESSAGE in mail.body or MESSAGE in mail.subject for mail in mailoutbox)


def test_the_intake_pages(client, world: World, report) -> None:
    intake = world.user(Role.INTAKE)
    client.force_login(intake)
    detail = client.get(reverse("reports:intake_detail", args=[report.public_id]))
    assert reverse("sip:report_consent_create", args=[report.public_id]) in detail.content.decode()
    message_url = reverse("sip:report_feedback_message", args=[report.public_id])
    # No consent: the free-text field is not offered.
    assert message_url not in detail.content.decode()
    assert client.get(message_url).status_code == 404
    response = client.post(
        reverse("sip:report_consent_create", args=[report.public_id]),
        {"guardian_1": "", "method": ConsentMethod.ORAL, "valid_from": "2026-13-01"},
    )
    assert response.status_code == 200  # errors shown, nothing saved
    response = client.post(
        reverse("sip:report_consent_create", args=[report.public_id]),
        {
            "guardian_1": "Karin Testsson",
            "method": ConsentMethod.ORAL,
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    detail = client.get(reverse("reports:intake_detail", args=[report.public_id]))
    assert message_url in detail.content.decode()
    assert client.post(message_url, {"text": MESSAGE}).status_code == 302
    consent = report.consents.get()
    withdraw_url = reverse("sip:report_consent_withdraw", args=[report.public_id, consent.pk])
    assert client.get(withdraw_url).status_code == 200  # the confirmation
    assert client.post(withdraw_url, {"withdrawn_by": "Karin Testsson"}).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_outsiders_get_404(client, world: World, report) -> None:
    consent = _consent(world, report)
    intake = world.user(Role.INTAKE)
    for url in (
        reverse("sip:report_consent_create", args=[report.public_id]),
        reverse("sip:report_feedback_message", args=[report.public_id]),
        reverse("sip:report_consent_withdraw", args=[report.public_id, consent.pk]),
    ):
        assert_matrix(
            client,
            url,
            [(None, LOGIN), (intake, 200), *[(u, 404) for u in everyone_else(world, [intake])]],
        )
