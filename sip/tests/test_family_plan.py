"""The plan for the family: plain Swedish, what the family needs to know, no internal codes and
no notes of the units; the PDF is made in the background and its download is logged."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from access.models import AccessAction, AccessLog
from organisations.models import Role, UnitKind
from sip import family, services
from sip.models import FamilyPrint, ParticipantKind, Plan, PrintState
from sip.policies import SipAction, plan_policy
from sip.tests.conftest import record_consent
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")


@pytest.fixture
def full_plan(world: World, plan: Plan) -> Plan:
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)
    permit = plan_policy.find(nurse, SipAction.MANAGE, pk=plan.pk)
    assert permit is not None
    guardian = services.participant_add(
        permit=permit,
        actor=nurse,
        data=services.ParticipantData(
            kind=ParticipantKind.GUARDIAN, name="Karin Testsson", title="Mamma"
        ),
    )
    assert guardian
    edit = plan_policy.find(nurse, SipAction.EDIT, pk=plan.pk)
    assert edit is not None
    services.action_add(
        permit=edit,
        actor=nurse,
        data=services.ActionData(
            what="Samtalsstöd på mottagningen varannan vecka",
            party=world.unit(UnitKind.HEALTH_REGION_CLINIC),
            by_whom="Kurator på BUP",
            due_on=datetime.date(2027, 1, 31),
        ),
    )
    responsible = plan.participants.filter(user=nurse).get()
    Plan.objects.filter(pk=plan.pk).update(
        needs="Alva behöver stöd för att orka gå till skolan.",
        goals="Alva går i skolan varje dag.",
        follow_up_on=datetime.date(2027, 2, 15),
        responsible=responsible,
        proposal_reason="INTERN ANTECKNING",
        close_note="SOCIALTJÄNSTENS ANTECKNING",
    )
    record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    plan.refresh_from_db()
    return plan


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_says_what_the_family_needs_in_plain_swedish(world: World, full_plan) -> None:
    text = " ".join(_text(family.family_plan_pdf(full_plan)).replace("\xa0", " ").split())
    for expected in (
        "Det här är ert barns samordnade plan",
        "Alva Testsson",
        "Vilka som är med",
        "Karin Testsson",
        "Samtalsstöd på mottagningen varannan vecka",
        "Kurator på BUP",
        "31 jan. 2027",
        "Vem som har det övergripande ansvaret",
        "15 feb. 2027",
        "Ert samtycke",
        world.unit(UnitKind.HEALTH_REGION_CLINIC).name,
        "Ni kan när som helst ta tillbaka ert samtycke",
    ):
        assert expected in text, expected
    # No internal codes, no notes of the units.
    assert full_plan.reference not in text
    assert full_plan.consents.get().reference not in text
    assert "INTERN" not in text
    assert "SOCIALTJÄNSTENS ANTECKNING" not in text
    assert "planned" not in text


def test_the_pdf_is_made_in_the_background_and_the_download_logged(
    client, world: World, full_plan, django_capture_on_commit_callbacks
) -> None:
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)
    client.force_login(nurse)
    page = reverse("sip:family_plan", args=[full_plan.public_id])
    assert "Alva behöver stöd" in client.get(page).content.decode()
    assert AccessLog.objects.filter(user=nurse, action=AccessAction.PRINT).exists()
    download = reverse("sip:family_pdf", args=[full_plan.public_id])
    assert client.get(download).status_code == 404  # nothing asked for yet
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sip:family_pdf_request", args=[full_plan.public_id]))
    assert response.status_code == 302
    assert FamilyPrint.objects.get().state == PrintState.READY
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert "Alva går i skolan varje dag" in " ".join(_text(content).split())
    assert AccessLog.objects.filter(user=nurse, action=AccessAction.DOWNLOAD).exists()
    # Another participant with access has no copy of the nurse's PDF.
    client.force_login(world.user(Role.SIP_PARTICIPANT))
    assert client.get(download).status_code == 404


def test_outsiders_get_404(client, world: World, full_plan) -> None:
    nurse, clinic = world.user(Role.MEDICAL_STUDENT_HEALTH), world.user(Role.SIP_PARTICIPANT)
    url = reverse("sip:family_plan", args=[full_plan.public_id])
    allowed = [nurse, clinic]
    assert_matrix(
        client,
        url,
        [
            (None, LOGIN),
            (nurse, 200),
            (clinic, 200),
            *[(u, 404) for u in everyone_else(world, allowed)],
        ],
    )
    request_url = reverse("sip:family_pdf_request", args=[full_plan.public_id])
    assert_matrix(
        client,
        request_url,
        [(None, LOGIN), *[(u, 404) for u in everyone_else(world, allowed)]],
        method="post",
    )
    download = reverse("sip:family_pdf", args=[full_plan.public_id])
    assert_matrix(
        client,
        download,
        [(None, LOGIN), *[(u, 404) for u in everyone_else(world, [])]],
    )
    assert not FamilyPrint.objects.exists()
    assert timezone.localdate()
