"""Surveys: the situational picture and the mapping of the collaboration (DESIGN.md §3.5).

A **template** is a family of **versions**; a version holds sections and questions and is
frozen the first time a round is sent with it (editing a frozen version makes a new draft
version, so answers always mean what the respondent read). Questions keep a stable ``key``
across versions, which is how results are compared over rounds (the trend).

A **round** sends one frozen version for a period to invited respondents through single-use
links. Answers are **anonymous by construction**: a :class:`Response` has no reference to the
:class:`Invitation`, no respondent and no time finer than the day; the invitation records only
that it was answered (no time), and an unfinished answer (a pause) lives on the invitation
until it is submitted, when it moves to a response and is erased from the invitation.

The **analysis group** of a round (chosen per round) reads free-text answers, records the
analysis and the **prioritised resources**, each of which can go to the resource council's
next meeting as an agenda item and be followed to its decision.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organisations.models import Municipality, Role, Sector, Unit


class SurveyKind(models.TextChoices):
    """What a template is for; the follow-up catalogue finds its indicators by kind."""

    SITUATIONAL_PICTURE = "situational_picture", _("Situational picture")
    MAPPING = "mapping", _("Mapping of the collaboration")
    TRAINING_EVALUATION = "training_evaluation", _("Evaluation of a training session")
    OTHER = "other", _("Other survey")


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Scale 1–5")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    NUMBER = "number", pgettext_lazy("question kind", "Number")
    TEXT = "text", _("Free text")


class Template(models.Model):
    """A survey template of one municipality; its content lives in its versions."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    kind = models.CharField(_("kind"), max_length=40, choices=SurveyKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The built-in template it was made from ("situational_picture", "mapping"); blank for
    # the municipality's own.
    builtin_key = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "builtin_key"],
                condition=~Q(builtin_key=""),
                name="survey_template_one_builtin_copy",
            )
        ]

    def __str__(self) -> str:
        return self.title


class TemplateVersion(models.Model):
    """One version of a template. Frozen (``frozen_at`` set) once a round uses it; a frozen
    version is never changed again."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking for the builder: a save names the version it started from.
    lock_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="survey_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class Section(models.Model):
    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("heading"), max_length=200)
    help_text = models.TextField(_("help text"), blank=True)

    class Meta:
        ordering = ["version", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A question. ``options`` holds the choices of a single or multiple choice question as
    ``[{"key": "...", "label": "..."}]`` and the five labels of a scale as
    ``[{"key": "1", "label": "..."}, ... {"key": "5", ...}]``. ``key`` is stable across the
    template's versions (the trend joins on it); ``indicator`` names the follow-up indicator
    the question feeds, if any (see ``surveys.indicators``), and ``positive_options`` the
    option keys that count as the positive answer for it."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    key = models.SlugField(_("key"), max_length=60)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.TextField(_("help text"), blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=False)
    options = models.JSONField(_("options"), default=list, blank=True)
    min_value = models.IntegerField(_("lowest number"), null=True, blank=True)
    max_value = models.IntegerField(_("highest number"), null=True, blank=True)
    max_length = models.PositiveIntegerField(
        _("longest answer (characters)"), null=True, blank=True
    )
    indicator = models.CharField(max_length=60, blank=True)
    positive_options = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["section", "position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Round(models.Model):
    """A template version sent for a period. Open between ``opens_on`` and ``closes_on``
    once ``sent_at`` is set; a draft until then."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="rounds"
    )
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_early_at = models.DateTimeField(null=True, blank=True, editable=False)
    occurrence = models.ForeignKey(
        "wheel.Occurrence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("activity in the annual wheel"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The analysis written by the analysis group; its lock version guards concurrent edits.
    analysis = models.TextField(_("analysis"), blank=True)
    analysis_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    analysis_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    # The creating form's one-off key: the same form sent twice makes one round.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="survey_round_dates"
            )
        ]
        indexes = [models.Index(fields=["municipality", "opens_on"])]

    def __str__(self) -> str:
        return self.title


class AnalysisMember(models.Model):
    """A member of a round's analysis group: a user, and the sector they speak for."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="analysis_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="survey_analysis_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_sector_display()})"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Only the digest of a link's token is stored, so a copy of the database opens no link."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """One single-use link of a round. Records whom it was sent to (an address, or a unit and
    role) and **only whether** it was answered: no time, no reference to the answer. While the
    respondent pauses, the unfinished answers wait in ``draft``; submitting moves them to an
    anonymous :class:`Response` and empties ``draft`` in the same transaction."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"), blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices, blank=True)
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices, blank=True)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered = models.BooleanField(default=False, editable=False)
    draft = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["round", "answered"])]

    def __str__(self) -> str:
        # Never the address: it is personal data, and __str__ ends up in logs and the admin.
        return f"invitation {self.pk}"


class Response(models.Model):
    """One submitted answer sheet. Deliberately without invitation, respondent or time of
    day: ``submitted_on`` is a date, and ``sector`` (from the invitation) is the only
    attribute kept, for breakdowns that are suppressed under five answers per group."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices, blank=True)
    submitted_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["round", "sector"])]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Answer(models.Model):
    """One answer to one question. A multiple-choice answer is one row per chosen option
    (``option``), so counting is a GROUP BY; a scale answer stores its option key ("1"–"5")
    and ``number``; a number answer ``number``; free text ``text``. A free text that the
    analysis group removed because someone typed personal data keeps ``text_removed``."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    option = models.CharField(max_length=60, blank=True)
    number = models.IntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    text_removed = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["question", "option"])]

    def __str__(self) -> str:
        return f"answer {self.pk}"


class Priority(models.Model):
    """A resource the analysis group prioritises. It can be put on the agenda of the resource
    council's next meeting (``council_occurrence``) and followed to the decision taken there
    (``decision``)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="priorities")
    position = models.PositiveSmallIntegerField(default=0)
    what = models.CharField(_("what"), max_length=300)
    why = models.TextField(_("why"))
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    council_occurrence = models.ForeignKey(
        "wheel.Occurrence", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_to_council_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision = models.ForeignKey(
        "wheel.MeetingDecision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["round", "position", "id"]

    def __str__(self) -> str:
        return self.what
