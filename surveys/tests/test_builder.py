"""The template builder: the built-in templates (their indicators, every kind of question),
validation of questions, option keys, freezing and new versions, concurrent edits."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from organisations.models import Role
from surveys import services
from surveys.builtin import BUILTINS
from surveys.models import Question, QuestionKind, Template, TemplateVersion
from surveys.policies import MANAGE, template_policy
from surveys.services import QuestionData, SectionData
from surveys.tests.conftest import SentRound
from tests.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_set_up", "english")]


def test_the_builtins_follow_the_indicator_contract_and_use_every_kind(world: World) -> None:
    municipality = world.municipality()
    made = {
        key: services.builtin_copy(municipality=municipality, key=key, actor=None)
        for key in BUILTINS
    }
    assert (
        services.builtin_copy(municipality=municipality, key="mapping", actor=None)
        == made["mapping"]
    )
    assert Template.objects.filter(municipality=municipality).count() == 3
    questions = Question.objects.filter(section__version__template__municipality=municipality)
    assert {q.kind for q in questions} == set(QuestionKind.values)
    by_indicator = {
        q.indicator: q
        for q in questions.filter(section__version__template__builtin_key="mapping")
        if q.indicator
    }
    assert set(by_indicator) == {
        "mapping_knows_routine",
        "mapping_knows_whom_to_call",
        "mapping_got_feedback",
    }
    for question in by_indicator.values():
        keys = {row["key"] for row in question.options}
        assert question.positive_options
        assert set(question.positive_options) <= keys
    measures = questions.filter(indicator="situation_measure")
    assert measures.count() >= 6
    for question in measures:
        assert set(question.positive_options) <= {row["key"] for row in question.options}
    evaluation = questions.filter(section__version__template__builtin_key="training_evaluation")
    scored = evaluation.filter(indicator="evaluation_score")
    assert 3 <= scored.count() <= 4
    assert all(q.kind == QuestionKind.LIKERT for q in scored)
    assert made["training_evaluation"].kind == "training_evaluation"
    for question in questions.filter(kind=QuestionKind.LIKERT):
        assert [row["key"] for row in question.options] == ["1", "2", "3", "4", "5"]
    for question in questions.filter(kind=QuestionKind.TEXT):
        assert question.max_length


def _permit(world: World, template: Template):
    return template_policy.require(world.user(Role.COORDINATOR), MANAGE, template)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            QuestionData(kind="number", text="Hur många?", min_value=10, max_value=2),
            "max_value",
            "must not be lower",
        ),
        (
            QuestionData(kind="single", text="Val?", labels=("Ja",)),
            "labels",
            "at least two options",
        ),
        (
            QuestionData(kind="multiple", text="Val?", labels=("Ja", "ja", "Nej")),
            "labels",
            "is there twice",
        ),
        (
            QuestionData(kind="likert", text="Skala?", labels=("1", "2", "3")),
            "labels",
            "exactly five labels",
        ),
        (QuestionData(kind="text", text=""), "text", "Write the question."),
    ],
)
def test_bad_questions_are_refused_with_a_clear_message(
    world: World, situation: Template, data: QuestionData, field: str, message: str
) -> None:
    version = situation.versions.get()
    section = version.sections.all()[0]
    with pytest.raises(ValidationError) as refused:
        services.question_save(
            permit=_permit(world, situation),
            actor=world.user(Role.COORDINATOR),
            section=section,
            expected_lock=version.lock_version,
            data=data,
        )
    assert message in " ".join(refused.value.message_dict[field])


def test_option_keys_come_from_labels_and_survive_a_relabelling() -> None:
    rows = services.option_rows("single", ["Ja, väl", "Nej!", "???", "Ja väl"])
    assert [row["key"] for row in rows] == ["ja-val", "nej", "option-3", "ja-val-2"]
    again = services.option_rows("single", ["Nej!", "Kanske"], rows)
    assert again == [{"key": "nej", "label": "Nej!"}, {"key": "kanske", "label": "Kanske"}]
    assert [row["key"] for row in services.option_rows("likert", list("abcde"))] == list("12345")


def test_the_builder_builds_a_template_through_its_pages(client: Client, world: World) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        reverse("surveys:template_create"),
        {"title": "Fritidsenkät", "kind": "other", "description": "Kort."},
    )
    template = Template.objects.get(title="Fritidsenkät")
    version = template.versions.get()
    assert response.status_code == 302
    client.post(
        reverse("surveys:section_create", args=[template.pk, version.pk]),
        {"lock": version.lock_version, "title": "Om fritiden", "help_text": ""},
    )
    section = version.sections.get()
    version.refresh_from_db()
    bad = client.post(
        reverse("surveys:question_create", args=[template.pk, section.pk]),
        {
            "lock": version.lock_version,
            "kind": "number",
            "text": "Antal?",
            "min_value": "5",
            "max_value": "1",
        },
    )
    assert "must not be lower than the lowest" in bad.content.decode()
    assert 'value="Antal?"' in bad.content.decode()
    for text, kind, labels in (
        ("Trivs du?", "likert", "Inte alls\nLite\nGanska\nMycket\nVäldigt"),
        ("Vad gör du?", "multiple", "Idrott\nMusik\nSpel"),
    ):
        version.refresh_from_db()
        ok = client.post(
            reverse("surveys:question_create", args=[template.pk, section.pk]),
            {
                "lock": version.lock_version,
                "kind": kind,
                "text": text,
                "labels": labels,
                "required": "on",
            },
        )
        assert ok.status_code == 302, ok.content.decode()
    first, second = section.questions.all()
    assert first.key == "trivs-du"
    assert first.options[0] == {"key": "1", "label": "Inte alls"}
    assert [row["key"] for row in second.options] == ["idrott", "musik", "spel"]
    version.refresh_from_db()
    client.post(
        reverse("surveys:question_move", args=[template.pk, second.pk]),
        {"lock": version.lock_version, "direction": "up"},
    )
    assert [q.pk for q in section.questions.all()] == [second.pk, first.pk]
    preview = client.get(reverse("surveys:version_preview", args=[template.pk, version.pk]))
    assert "Vad gör du?" in preview.content.decode()
    page = client.get(reverse("surveys:version", args=[template.pk, version.pk])).content.decode()
    assert "idrott" not in page  # keys are never shown


def test_a_stale_edit_is_refused_with_both_versions_shown(
    client: Client, world: World, situation: Template
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    version = situation.versions.get()
    question = Question.objects.get(section__version=version, key="alcohol")
    stale = version.lock_version
    services.question_save(
        permit=_permit(world, situation),
        actor=world.user(Role.COORDINATOR),
        section=question.section,
        expected_lock=stale,
        data=QuestionData(
            kind="likert", text="Någon annans text", labels=tuple("abcde"), required=True
        ),
        question=question,
    )
    response = client.post(
        reverse("surveys:question_edit", args=[situation.pk, question.pk]),
        {"lock": stale, "kind": "likert", "text": "Min text", "labels": "a\nb\nc\nd\ne"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed the survey" in html
    assert "Någon annans text" in html
    assert 'value="Min text"' in html
    question.refresh_from_db()
    assert question.text == "Någon annans text"
    # Saving again (the form now carries the newer lock) keeps mine.
    again = client.post(
        reverse("surveys:question_edit", args=[situation.pk, question.pk]),
        {"lock": stale + 1, "kind": "likert", "text": "Min text", "labels": "a\nb\nc\nd\ne"},
    )
    assert again.status_code == 302
    question.refresh_from_db()
    assert question.text == "Min text"
    assert question.key == "alcohol"
    with pytest.raises(services.ConcurrentEditError):
        services.section_save(
            permit=_permit(world, situation),
            actor=world.user(Role.COORDINATOR),
            version=version,
            expected_lock=stale,
            data=SectionData(title="Ny"),
        )


def test_a_sent_version_is_frozen_and_a_new_version_keeps_the_keys(
    client: Client, world: World, situation: Template, sent: SentRound
) -> None:
    version = sent.round.template_version
    assert version.frozen_at is not None
    client.force_login(world.user(Role.COORDINATOR))
    section = version.sections.all()[0]
    with pytest.raises(services.FrozenVersionError):
        services.section_save(
            permit=_permit(world, situation),
            actor=world.user(Role.COORDINATOR),
            version=version,
            expected_lock=version.lock_version,
            data=SectionData(title="Nytt"),
        )
    page = client.get(reverse("surveys:section_edit", args=[situation.pk, section.pk]))
    assert page.status_code == 302  # back to the version, which says why
    detail = client.get(reverse("surveys:version", args=[situation.pk, version.pk]))
    assert "Make a new version" in detail.content.decode()
    client.post(reverse("surveys:version_new", args=[situation.pk]))
    client.post(reverse("surveys:version_new", args=[situation.pk]))  # twice: one draft
    assert situation.versions.count() == 2
    draft = situation.versions.get(number=2)
    assert draft.frozen_at is None
    old_keys = list(
        Question.objects.filter(section__version=version).values_list("key", "indicator")
    )
    new_keys = list(Question.objects.filter(section__version=draft).values_list("key", "indicator"))
    assert old_keys == new_keys
    assert TemplateVersion.objects.get(pk=version.pk).frozen_at is not None
