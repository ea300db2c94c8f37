"""Rounds: create once, invite by pasted addresses and by units and roles, send once (one
e-mail per invitation, nothing but the link), reminders once, close early."""

import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organisations.models import Role, UnitKind
from surveys import services_rounds
from surveys.models import Invitation, Round, Template, token_digest
from surveys.services_rounds import parse_addresses
from surveys.tests.conftest import SentRound, make_round, permit
from tests.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_set_up", "english")]


def test_pasted_addresses_are_cleaned() -> None:
    parsed = parse_addresses(
        "Anna Ek <Anna.Ek@Leksand.se>, bo@leksand.se; bo@leksand.se\n"
        "anna.leksand.se\n kalle@ \n\t siv@skola.leksand.se"
    )
    assert parsed.valid == ["anna.ek@leksand.se", "bo@leksand.se", "siv@skola.leksand.se"]
    assert parsed.invalid == ["anna.leksand.se", "kalle@"]
    assert parsed.duplicates == 1


def test_a_round_is_created_once_for_a_form_sent_twice(
    client: Client, world: World, situation: Template
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    today = timezone.localdate()
    data = {
        "template": situation.pk,
        "title": "Lägesbild 2026",
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=14)).isoformat(),
        "submission_key": "0b7f0c1e-3f57-4c8e-9f59-3a0c3f0f3d11",
    }
    first = client.post(reverse("surveys:round_create"), data)
    second = client.post(reverse("surveys:round_create"), data)
    assert first["Location"] == second["Location"]
    assert Round.objects.count() == 1
    bad = client.post(
        reverse("surveys:round_create"),
        data
        | {"closes_on": (today - datetime.timedelta(days=1)).isoformat(), "submission_key": ""},
    )
    assert "can not close before it opens" in bad.content.decode()


def test_recipients_by_address_and_by_units_and_roles(
    client: Client, world: World, situation: Template
) -> None:
    round_ = make_round(world, situation)
    client.force_login(world.user(Role.COORDINATOR))
    page = reverse("surveys:recipients", args=[round_.pk])
    client.post(
        page,
        {
            "form": "addresses",
            "addresses-addresses": "a@x.se, b@x.se\nb@x.se\nfel",
            "addresses-sector": "police",
        },
        follow=True,
    )
    assert set(Invitation.objects.values_list("email", "sector")) == {
        ("a@x.se", "police"),
        ("b@x.se", "police"),
    }
    response = client.post(
        page,
        {
            "form": "members",
            "members-units": [world.unit(UnitKind.SCHOOL).pk],
            "members-roles": [Role.PRINCIPAL, Role.REPORTER],
        },
        follow=True,
    )
    assert "2 recipients added" in response.content.decode()
    principal = Invitation.objects.get(role=Role.PRINCIPAL)
    assert principal.email == world.user(Role.PRINCIPAL).email.lower()
    assert principal.sector == world.unit(UnitKind.SCHOOL).sector
    # Units of another municipality are not offered (and refused).
    refused = client.post(
        page,
        {
            "form": "members",
            "members-units": [world.unit(UnitKind.SCHOOL, "eksjo").pk],
            "members-roles": [Role.PRINCIPAL],
        },
    )
    assert refused.status_code == 200
    assert Invitation.objects.count() == 4


def test_sending_mails_each_invitation_its_own_link_once(
    client: Client,
    world: World,
    situation: Template,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    round_ = make_round(world, situation)
    services_rounds.invitations_add_addresses(
        permit=permit(world, round_),
        actor=world.user(Role.COORDINATOR),
        addresses=["a@x.se", "b@x.se", "c@x.se"],
    )
    client.force_login(world.user(Role.COORDINATOR))
    confirm = client.get(reverse("surveys:round_send", args=[round_.pk]))
    assert "Send to 3 recipients?" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("surveys:round_send", args=[round_.pk]))
        client.post(reverse("surveys:round_send", args=[round_.pk]))
    assert len(mailoutbox) == 3
    assert sorted(mail.to[0] for mail in mailoutbox) == ["a@x.se", "b@x.se", "c@x.se"]
    for mail in mailoutbox:
        assert len(mail.to) == 1
        assert not mail.cc
        assert not mail.bcc
        token = mail.body.split("/svar/")[1].split("/")[0]
        invitation = Invitation.objects.get(token_digest=token_digest(token))
        assert invitation.email == mail.to[0]
        assert "x.se" not in mail.body
        assert world.user(Role.COORDINATOR).last_name not in mail.body
        assert token not in str(Invitation.objects.values_list())
    round_.refresh_from_db()
    assert round_.sent_at is not None
    assert round_.template_version.frozen_at is not None


def test_reminders_go_once_to_those_who_have_not_answered(
    world: World, sent: SentRound, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    from surveys.services_answers import response_submit

    round_ = sent.round
    response_submit(
        token=sent.token(0),
        values={q.pk: q.options[0]["key"] for q in sent.questions if q.required},
    )
    round_.closes_on = timezone.localdate() + datetime.timedelta(days=3)
    round_.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("survey_reminders")
        call_command("survey_reminders")
    assert len(mailoutbox) == len(sent.tokens) - 1
    reminded = {mail.to[0] for mail in mailoutbox}
    assert sorted(sent.tokens)[0] not in reminded
    # The old link is replaced by the reminder's.
    token = mailoutbox[0].body.split("/svar/")[1].split("/")[0]
    assert Invitation.objects.filter(
        token_digest=token_digest(token), email=mailoutbox[0].to[0]
    ).exists()
    # The coordinator's button the same day sends nothing more; the next day it does.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services_rounds.reminders_send_now(
                permit=permit(world, round_), actor=world.user(Role.COORDINATOR)
            )
            == 0
        )
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        later = services_rounds.reminders_send_now(
            permit=permit(world, round_), actor=world.user(Role.COORDINATOR), today=tomorrow
        )
    assert later == len(sent.tokens) - 1 == len(mailoutbox)


def test_a_round_far_from_closing_gets_no_automatic_reminder(
    sent: SentRound, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    sent.round.closes_on = timezone.localdate() + datetime.timedelta(days=30)
    sent.round.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services_rounds.reminders_send_due() == 0
    assert not mailoutbox


def test_closing_early_stops_the_links(client: Client, world: World, sent: SentRound) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(reverse("surveys:round", args=[sent.round.pk])).content.decode()
    assert "Close the round now" in page
    assert "Invited" in page
    assert (
        "Close the round now?"
        in client.get(reverse("surveys:round_close", args=[sent.round.pk])).content.decode()
    )
    client.post(reverse("surveys:round_close", args=[sent.round.pk]))
    sent.round.refresh_from_db()
    assert sent.round.closed_early_at is not None
    anonymous = Client(headers={"Accept-Language": "en"})
    response = anonymous.get(reverse("survey_answer:answer", args=[sent.token()]))
    assert "The survey is closed" in response.content.decode()


def test_the_analysis_group_is_chosen_among_the_municipality(
    client: Client, world: World, sent: SentRound
) -> None:
    from surveys.policies import in_analysis_group

    client.force_login(world.user(Role.COORDINATOR))
    intake = world.user(Role.INTAKE)
    client.post(
        reverse("surveys:analysis_group", args=[sent.round.pk]), {"members": [str(intake.pk)]}
    )
    assert in_analysis_group(intake, sent.round)
    assert not in_analysis_group(world.user(Role.PRINCIPAL), sent.round)
    outsider = world.user(Role.INTAKE, "eksjo")
    response = client.post(
        reverse("surveys:analysis_group", args=[sent.round.pk]), {"members": [str(outsider.pk)]}
    )
    assert response.status_code == 200
    assert not in_analysis_group(outsider, sent.round)
