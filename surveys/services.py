"""Services of the template builder: templates, their versions, sections and questions, and
the copies of the built-in templates.

Every change to a version's content names the ``lock_version`` the editor started from and is
refused when the version has changed since (:class:`ConcurrentEditError`) or is frozen
(:class:`FrozenVersionError`: a round was sent with it, so its answers mean what it said).
Editing a frozen version starts with :func:`version_new_draft`, which copies it with the same
question keys, so results can still be compared over rounds.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.policies import NotPermitted, Permit
from access.services import audit_event_record
from organisations.models import Municipality, User
from surveys.builtin import BUILTINS
from surveys.models import Question, QuestionKind, Section, Template, TemplateVersion
from surveys.policies import MANAGE, template_policy

LIKERT_POINTS = 5
MAX_OPTIONS = 30


class ConcurrentEditError(ValueError):
    """Someone else changed the version since the form was opened."""

    def __init__(self, version: TemplateVersion) -> None:
        super().__init__("The version has changed.")
        self.version = version


class FrozenVersionError(ValueError):
    """The version is frozen: a round has been sent with it."""


# --- templates -----------------------------------------------------------------------------


def template_create(
    *, actor: User, municipality: Municipality, kind: str, title: str, description: str = ""
) -> Template:
    """A new template of the municipality with an empty first version (a draft)."""
    if template_policy.grant_for_municipality(actor, MANAGE, municipality.pk) is None:
        raise NotPermitted
    with transaction.atomic():
        template = Template.objects.create(
            municipality=municipality,
            kind=kind,
            title=title.strip(),
            description=description.strip(),
            created_by=actor,
        )
        TemplateVersion.objects.create(template=template, number=1)
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.SURVEY_TEMPLATE_CREATED,
            obj=template,
            new={"title": template.title, "kind": kind},
        )
    return template


def builtin_copy(*, municipality: Municipality, key: str, actor: User | None) -> Template:
    """The municipality's copy of the built-in template ``key``, made the first time it is
    asked for (one per municipality: the unique constraint settles a race)."""
    existing = Template.objects.filter(municipality=municipality, builtin_key=key).first()
    if existing is not None:
        return existing
    builtin = BUILTINS[key]
    try:
        with transaction.atomic():
            template = Template.objects.create(
                municipality=municipality,
                kind=builtin.kind,
                title=builtin.title,
                description=builtin.description,
                builtin_key=key,
                created_by=actor,
            )
            version = TemplateVersion.objects.create(template=template, number=1)
            questions = []
            for s_position, spec in enumerate(builtin.sections):
                section = Section.objects.create(
                    version=version, position=s_position, title=spec.title, help_text=spec.help_text
                )
                questions += [
                    Question(
                        section=section,
                        position=q_position,
                        key=q.key,
                        text=q.text,
                        help_text=q.help_text,
                        kind=q.kind,
                        required=q.required,
                        options=q.option_rows(),
                        min_value=q.min_value,
                        max_value=q.max_value,
                        max_length=q.max_length,
                        indicator=q.indicator,
                        positive_options=list(q.positive_options),
                    )
                    for q_position, q in enumerate(spec.questions)
                ]
            Question.objects.bulk_create(questions)
            audit_event_record(
                actor=actor,
                municipality=municipality,
                event_type=AuditEventType.SURVEY_TEMPLATE_CREATED,
                obj=template,
                new={"title": template.title, "builtin": key},
            )
    except IntegrityError:
        return Template.objects.get(municipality=municipality, builtin_key=key)
    return template


def latest_version(template: Template) -> TemplateVersion:
    return template.versions.order_by("-number").first()  # type: ignore[return-value]


def version_new_draft(*, permit: Permit[Template], actor: User) -> TemplateVersion:
    """A draft to edit: the template's newest version when it is not frozen yet, otherwise a
    copy of it with the next number (sections, questions and their keys copied)."""
    template = permit.require(MANAGE)
    with transaction.atomic():
        Template.objects.select_for_update().get(pk=template.pk)
        newest = latest_version(template)
        if newest.frozen_at is None:
            return newest
        draft = TemplateVersion.objects.create(template=template, number=newest.number + 1)
        for section in newest.sections.prefetch_related("questions"):
            copy = Section.objects.create(
                version=draft,
                position=section.position,
                title=section.title,
                help_text=section.help_text,
            )
            Question.objects.bulk_create(
                [
                    Question(
                        section=copy,
                        position=q.position,
                        key=q.key,
                        text=q.text,
                        help_text=q.help_text,
                        kind=q.kind,
                        required=q.required,
                        options=q.options,
                        min_value=q.min_value,
                        max_value=q.max_value,
                        max_length=q.max_length,
                        indicator=q.indicator,
                        positive_options=q.positive_options,
                    )
                    for q in section.questions.all()
                ]
            )
        audit_event_record(
            actor=actor,
            municipality=template.municipality,
            event_type=AuditEventType.SURVEY_VERSION_CREATED,
            obj=draft,
            new={"number": draft.number},
        )
    return draft


# --- editing a draft version -----------------------------------------------------------------


def _locked_draft(version: TemplateVersion, expected: int) -> TemplateVersion:
    locked = TemplateVersion.objects.select_for_update().get(pk=version.pk)
    if locked.frozen_at is not None:
        raise FrozenVersionError
    if locked.lock_version != expected:
        raise ConcurrentEditError(locked)
    return locked


def _changed(locked: TemplateVersion, actor: User, what: str) -> None:
    TemplateVersion.objects.filter(pk=locked.pk).update(lock_version=F("lock_version") + 1)
    locked.lock_version += 1
    audit_event_record(
        actor=actor,
        municipality=locked.template.municipality,
        event_type=AuditEventType.SURVEY_VERSION_CHANGED,
        obj=locked,
        new={"change": what},
    )


def _version_of(permit: Permit[Template], version: TemplateVersion) -> TemplateVersion:
    template = permit.require(MANAGE)
    if version.template_id != template.pk:
        raise NotPermitted
    return version


@dataclass(frozen=True)
class SectionData:
    title: str
    help_text: str = ""


def section_save(
    *,
    permit: Permit[Template],
    actor: User,
    version: TemplateVersion,
    expected_lock: int,
    data: SectionData,
    section: Section | None = None,
) -> Section:
    """Add a section at the end, or change ``section``."""
    _version_of(permit, version)
    if not data.title.strip():
        raise ValidationError({"title": _("Give the section a heading.")})
    with transaction.atomic():
        locked = _locked_draft(version, expected_lock)
        if section is None:
            last = locked.sections.aggregate(last=Max("position"))["last"]
            section = Section.objects.create(
                version=locked,
                position=0 if last is None else last + 1,
                title=data.title.strip(),
                help_text=data.help_text.strip(),
            )
        else:
            section.title = data.title.strip()
            section.help_text = data.help_text.strip()
            section.save(update_fields=["title", "help_text"])
        _changed(locked, actor, "section")
    return section


def section_delete(
    *, permit: Permit[Template], actor: User, section: Section, expected_lock: int
) -> None:
    """Remove a section and its questions."""
    version = _version_of(permit, section.version)
    with transaction.atomic():
        locked = _locked_draft(version, expected_lock)
        section.delete()
        _changed(locked, actor, "section deleted")


def _swap[T: (Section, Question)](rows: Sequence[T], index: int, step: int) -> None:
    other = index + step
    if not 0 <= other < len(rows):
        return
    ordered = list(rows)
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, row in enumerate(ordered):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


def section_move(
    *, permit: Permit[Template], actor: User, section: Section, step: int, expected_lock: int
) -> None:
    """Move a section one place up (``step=-1``) or down (``step=1``)."""
    version = _version_of(permit, section.version)
    with transaction.atomic():
        locked = _locked_draft(version, expected_lock)
        rows = list(locked.sections.all())
        _swap(rows, [row.pk for row in rows].index(section.pk), step)
        _changed(locked, actor, "section moved")


@dataclass(frozen=True)
class QuestionData:
    """A question as the builder's form gives it. ``labels`` are the choices of a single or
    multiple choice question, or the five labels of a scale, in order."""

    kind: str
    text: str
    help_text: str = ""
    required: bool = False
    labels: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None


def check_question(data: QuestionData) -> None:
    """Refuse a question that can not be answered sensibly, naming the builder form's fields."""
    errors: dict[str, list[str]] = {}
    if not data.text.strip():
        errors.setdefault("text", []).append(_("Write the question."))
    labels = [label.strip() for label in data.labels if label.strip()]
    if label_errors := _label_errors(data.kind, labels):
        errors["labels"] = label_errors
    if (
        data.kind == QuestionKind.NUMBER
        and data.min_value is not None
        and data.max_value is not None
        and data.min_value > data.max_value
    ):
        errors.setdefault("max_value", []).append(
            _("The highest number must not be lower than the lowest.")
        )
    if data.kind == QuestionKind.TEXT and data.max_length is not None and data.max_length < 1:
        errors.setdefault("max_length", []).append(_("The longest answer must be at least 1."))
    if errors:
        raise ValidationError(errors)


def _label_errors(kind: str, labels: list[str]) -> list[str]:
    errors: list[str] = []
    if kind == QuestionKind.LIKERT and len(labels) != LIKERT_POINTS:
        errors.append(_("A scale needs exactly five labels, one per line, from 1 to 5."))
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(labels) < 2:
            errors.append(_("A choice question needs at least two options, one per line."))
        elif len(labels) > MAX_OPTIONS:
            errors.append(_("At most %(count)d options.") % {"count": MAX_OPTIONS})
    if kind in (QuestionKind.LIKERT, QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        seen: set[str] = set()
        for label in labels:
            if label.casefold() in seen:
                errors.append(_("The option “%(label)s” is there twice.") % {"label": label})
            seen.add(label.casefold())
    return errors


def option_rows(
    kind: str, labels: Sequence[str], existing: Sequence[dict[str, str]] = ()
) -> list[dict[str, str]]:
    """The stored options for ``labels``: a scale's keys are "1"–"5"; a choice keeps the key
    of an option whose label is unchanged and gets a key made from its label otherwise (a
    position when the label gives none). Keys are never shown."""
    labels = [label.strip() for label in labels if label.strip()]
    if kind == QuestionKind.LIKERT:
        return [{"key": str(n), "label": label} for n, label in enumerate(labels, 1)]
    if kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return []
    by_label = {row["label"].casefold(): row["key"] for row in existing}
    rows: list[dict[str, str]] = []
    used: set[str] = set()
    for position, label in enumerate(labels, 1):
        key = by_label.get(label.casefold()) or slugify(label)[:50] or f"option-{position}"
        base, n = key, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        rows.append({"key": key, "label": label})
    return rows


def _question_key(version: TemplateVersion, text: str) -> str:
    taken = set(Question.objects.filter(section__version=version).values_list("key", flat=True))
    base = re.sub(r"-+", "-", slugify(text)[:40]).strip("-") or "question"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def question_save(
    *,
    permit: Permit[Template],
    actor: User,
    section: Section,
    expected_lock: int,
    data: QuestionData,
    question: Question | None = None,
) -> Question:
    """Add a question at the end of ``section``, or change ``question`` (its key stays)."""
    version = _version_of(permit, section.version)
    check_question(data)
    with transaction.atomic():
        locked = _locked_draft(version, expected_lock)
        kind = data.kind
        options = option_rows(kind, data.labels, question.options if question else ())
        values: dict[str, Any] = {
            "kind": kind,
            "text": data.text.strip(),
            "help_text": data.help_text.strip(),
            "required": data.required,
            "options": options,
            "min_value": data.min_value if kind == QuestionKind.NUMBER else None,
            "max_value": data.max_value if kind == QuestionKind.NUMBER else None,
            "max_length": data.max_length if kind == QuestionKind.TEXT else None,
        }
        if question is None:
            last = section.questions.aggregate(last=Max("position"))["last"]
            question = Question.objects.create(
                section=section,
                position=0 if last is None else last + 1,
                key=_question_key(locked, data.text),
                **values,
            )
        else:
            if question.kind != kind:
                # An indicator counts particular answers: it no longer fits another kind.
                values["indicator"] = ""
                values["positive_options"] = []
            else:
                keys = {row["key"] for row in options}
                values["positive_options"] = [
                    key for key in question.positive_options if key in keys
                ]
            for name, value in values.items():
                setattr(question, name, value)
            question.save()
        _changed(locked, actor, "question")
    return question


def question_delete(
    *, permit: Permit[Template], actor: User, question: Question, expected_lock: int
) -> None:
    version = _version_of(permit, question.section.version)
    with transaction.atomic():
        locked = _locked_draft(version, expected_lock)
        question.delete()
        _changed(locked, actor, "question deleted")


def question_move(
    *, permit: Permit[Template], actor: User, question: Question, step: int, expected_lock: int
) -> None:
    """Move a question one place up or down within its section."""
    version = _version_of(permit, question.section.version)
    with transaction.atomic():
        locked = _locked_draft(version, expected_lock)
        rows = list(question.section.questions.all())
        _swap(rows, [row.pk for row in rows].index(question.pk), step)
        _changed(locked, actor, "question moved")
