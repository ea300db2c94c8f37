"""Answering through a single-use link: every kind of question, bad input of every kind
(kept as typed, with a clear message), pause and resume, once only, the headers, and the token
never written to a log."""

import logging

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from surveys.models import Answer, Invitation, QuestionKind, Response
from surveys.tests.conftest import ADDRESSES, SentRound, captured_logs, send_round
from tests.world import World

pytestmark = pytest.mark.django_db


def url(token: str) -> str:
    return reverse("survey_answer:answer", args=[token])


def full_answers(sent: SentRound) -> dict[str, object]:
    """A valid answer to every question of the round."""
    data: dict[str, object] = {"action": "submit"}
    for question in sent.questions:
        name = f"q-{question.pk}"
        match question.kind:
            case QuestionKind.LIKERT:
                data[name] = "4"
            case QuestionKind.SINGLE:
                data[name] = question.options[0]["key"]
            case QuestionKind.MULTIPLE:
                data[name] = [question.options[0]["key"], question.options[1]["key"]]
            case QuestionKind.NUMBER:
                data[name] = "12"
            case _:
                data[name] = "Mer vuxna ute på kvällarna."
    return data


def test_the_form_shows_every_question_accessibly(client: Client, sent: SentRound) -> None:
    response = client.get(url(sent.token()))
    assert response.status_code == 200
    html = response.content.decode()
    assert sent.round.title in html
    assert html.count("<fieldset") >= 8  # every choice question is a fieldset with a legend
    assert "<legend" in html
    assert 'aria-describedby="id_q-' in html  # help texts are tied to their fields
    assert 'type="number"' in html
    assert "<textarea" in html
    assert 'type="checkbox"' in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_a_full_answer_is_stored_once_and_anonymously(client: Client, sent: SentRound) -> None:
    response = client.post(url(sent.token()), full_answers(sent))
    assert response.status_code == 302
    assert response["Location"] == reverse("survey_answer:thanks")
    stored = Response.objects.get()
    assert stored.round == sent.round
    assert stored.sector == "school"
    multiple = sent.question("ages_met")
    assert Answer.objects.filter(response=stored, question=multiple).count() == 2
    likert = Answer.objects.get(response=stored, question=sent.question("alcohol"))
    assert (likert.option, likert.number) == ("4", 4)
    invitation = Invitation.objects.get(email=sorted(sent.tokens)[0])
    assert invitation.answered
    assert invitation.draft == {}
    # The same link again, by GET or POST: the "already answered" page, still one response.
    again = client.post(url(sent.token()), full_answers(sent))
    assert again.status_code == 200
    assert "You have already answered" in again.content.decode()
    assert Response.objects.count() == 1
    assert "already answered" in client.get(url(sent.token())).content.decode()
    assert client.get(reverse("survey_answer:thanks")).status_code == 200


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("talks_about_wellbeing", "501", "Write a whole number from 0 to 500."),
        ("talks_about_wellbeing", "-1", "Write a whole number from 0 to 500."),
        ("talks_about_wellbeing", "tolv", "Write a whole number from 0 to 500."),
        ("alcohol", "6", "Choose one of the options."),
        ("drugs_offered", "maybe", "Choose one of the options."),
        ("ages_met", ["grade_7_9", "kindergarten"], "Choose among the options."),
        ("anything_else", "x" * 1501, "at most 1500 characters long (it is 1501)"),
    ],
)
def test_bad_answers_are_refused_and_kept(
    client: Client, sent: SentRound, key: str, value: object, message: str
) -> None:
    data = full_answers(sent)
    data[f"q-{sent.question(key).pk}"] = value
    data[f"q-{sent.question('changes_seen').pk}"] = "Det här skrev jag"
    response = client.post(url(sent.token()), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="error-summary"' in html
    assert f'href="#id_q-{sent.question(key).pk}' in html
    assert "Det här skrev jag" in html  # what was typed is kept
    assert not Response.objects.exists()


def test_a_missing_required_answer_is_refused(client: Client, sent: SentRound) -> None:
    data = full_answers(sent)
    del data[f"q-{sent.question('alcohol').pk}"]
    response = client.post(url(sent.token()), data)
    assert "Answer the question." in response.content.decode()
    assert not Response.objects.exists()
    # An optional question may be left out.
    data = full_answers(sent)
    del data[f"q-{sent.question('anything_else').pk}"]
    assert client.post(url(sent.token()), data).status_code == 302


def test_tampered_field_names_and_questions_of_another_version_are_refused(
    client: Client, world: World, sent: SentRound, mapping
) -> None:
    data = full_answers(sent)
    data["q-999999"] = "5"
    response = client.post(url(sent.token()), data)
    html = response.content.decode()
    assert "questions that are not in this survey" in html
    other = send_round(world, mapping, ["other@leksand.example"], title="Kartläggning")
    data = full_answers(sent)
    data[f"q-{other.questions[0].pk}"] = other.questions[0].options[0]["key"]
    html = client.post(url(sent.token()), data).content.decode()
    assert "questions that are not in this survey" in html
    assert "Mer vuxna ute på kvällarna." in html
    assert not Response.objects.exists()


def test_pause_keeps_a_draft_and_the_same_link_resumes_it(client: Client, sent: SentRound) -> None:
    alcohol = sent.question("alcohol")
    text = sent.question("changes_seen")
    data = {"action": "pause", f"q-{alcohol.pk}": "2", f"q-{text.pk}": "Halvfärdig tanke"}
    response = client.post(url(sent.token()), data)
    assert response.status_code == 200
    assert "Your answers are saved" in response.content.decode()
    invitation = Invitation.objects.get(email=sorted(sent.tokens)[0])
    assert invitation.draft == {str(alcohol.pk): "2", str(text.pk): "Halvfärdig tanke"}
    assert not invitation.answered
    resumed = client.get(url(sent.token())).content.decode()
    assert "Welcome back" in resumed
    assert "Halvfärdig tanke" in resumed
    assert f'name="q-{alcohol.pk}" value="2"' in resumed
    assert "checked" in resumed
    # A pause checks types, not requiredness: a number out of range is refused.
    bad = {"action": "pause", f"q-{sent.question('talks_about_wellbeing').pk}": "9999"}
    assert "Write a whole number" in client.post(url(sent.token()), bad).content.decode()
    # Sending clears the draft.
    client.post(url(sent.token()), full_answers(sent))
    invitation.refresh_from_db()
    assert invitation.answered
    assert invitation.draft == {}


def test_unknown_closed_and_not_yet_open_links_get_a_friendly_page(
    client: Client, sent: SentRound
) -> None:
    with translation.override("sv"):
        sv = Client(headers={"Accept-Language": "sv"})
        unknown = sv.get(url("inte-en-riktig-lank"))
        assert unknown.status_code == 200
        assert "Länken fungerar inte" in unknown.content.decode()
        assert unknown["Referrer-Policy"] == "no-referrer"
    sent.round.closes_on = sent.round.opens_on
    sent.round.save()
    closed = client.post(url(sent.token()), full_answers(sent))
    assert "The survey is closed" in closed.content.decode()
    assert not Response.objects.exists()


def test_the_token_is_never_logged(client: Client, sent: SentRound) -> None:
    token = sent.token()
    with captured_logs() as lines:
        client.get(url(token))
        client.post(url(token), {"action": "pause", "q-999999": "x"})
        client.post(url(token), {"action": "submit"})
        client.post(url(token), full_answers(sent))
        client.post(url(token), full_answers(sent))
        client.put(url(token))
        client.get(url(token + "x"))
        client.post(url(token + "x"), {})
    assert not [line for line in lines if token in line]
    # The capture works: a 404 elsewhere is logged with its path.
    with captured_logs() as lines:
        client.get("/enkater/finns-inte/")
    assert any("/enkater/finns-inte/" in line for line in lines)
    assert Response.objects.count() == 1


def test_the_answer_page_costs_a_fixed_number_of_queries(
    client: Client, sent: SentRound, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(4):
        client.get(url(sent.token()))
    with django_assert_max_num_queries(16):
        client.post(url(sent.token(1)), full_answers(sent))


def test_every_address_gets_its_own_link(sent: SentRound) -> None:
    assert sorted(sent.tokens) == ADDRESSES
    assert len(set(sent.tokens.values())) == len(ADDRESSES)


def test_the_configured_loggers_redact_links_a_server_would_log(sent: SentRound) -> None:
    """Django's development server (and any logger configured in settings) writes paths: the
    filter in ``settings.LOGGING`` takes the token out before the line is written."""
    token = sent.token()
    with captured_logs() as lines:
        logging.getLogger("django.server").info('"GET %s HTTP/1.1" 200 1234', url(token))
        logging.getLogger("django.request").warning("Not Found: %s", url(token))
    assert lines
    assert not [line for line in lines if token in line]
    assert any("/svar/…" in line for line in lines)
