"""Starting points for the phone sweep (tests/browser/test_every_page_on_a_phone.py): pages
the Leksand coordinator reaches after doing something, done here as they would."""

from django.urls import reverse
from django.utils import timezone

from organisations.models import Municipality, User
from surveys import services, services_rounds
from surveys.models import Invitation, Round, token_digest
from surveys.policies import MANAGE, round_policy, template_policy
from surveys.services import QuestionData, SectionData

SWEEP_TOKEN = "telefon-svep-lank-0001"


def survey_sweep_seeds() -> list[str]:
    """A draft template with a section and a question (the builder's pages), a draft round
    with one recipient (its preparation pages), the open round's closing page, and a link to
    answer this year's situational picture (the public pages)."""
    coordinator = User.objects.get(username="coordinator.leksand")
    leksand = Municipality.objects.get(name="Leksand")
    template = services.template_create(
        actor=coordinator, municipality=leksand, kind="other", title="Telefonenkät"
    )
    permit = template_policy.require(coordinator, MANAGE, template)
    version = services.latest_version(template)
    section = services.section_save(
        permit=permit,
        actor=coordinator,
        version=version,
        expected_lock=version.lock_version,
        data=SectionData(title="Om dig"),
    )
    version.refresh_from_db()
    services.question_save(
        permit=permit,
        actor=coordinator,
        section=section,
        expected_lock=version.lock_version,
        data=QuestionData(kind="single", text="Trivs du?", labels=("Ja", "Nej")),
    )
    today = timezone.localdate()
    draft = services_rounds.round_create(
        actor=coordinator,
        version=version,
        data=services_rounds.RoundData(title="Telefonomgång", opens_on=today, closes_on=today),
    )
    services_rounds.invitations_add_addresses(
        permit=round_policy.require(coordinator, MANAGE, draft),
        actor=coordinator,
        addresses=["telefon@leksand.example"],
    )
    open_round = (
        Round.objects.filter(municipality=leksand, sent_at__isnull=False, closes_on__gte=today)
        .order_by("-opens_on")
        .first()
    )
    assert open_round is not None, "the demo has an open round in Leksand"
    Invitation.objects.create(
        round=open_round,
        email="telefon-svar@leksand.example",
        token_digest=token_digest(SWEEP_TOKEN),
        sent_at=timezone.now(),
    )
    return [
        reverse("surveys:version", args=[template.pk, version.pk]),
        reverse("surveys:round", args=[draft.pk]),
        # Asks before closing; the walk opens only a few rounds, maybe not the open one.
        reverse("surveys:round_close", args=[open_round.pk]),
        reverse("survey_answer:answer", args=[SWEEP_TOKEN]),
        reverse("survey_answer:thanks"),
    ]
