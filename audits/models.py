"""The audit module: what the municipality's auditors examined (an audit report, a letter or a
follow-up audit), their questions and assessments, their recommendations with the date an
answer is due, the board's or committee's responses, the measures taken with their evidence,
and follow-up rounds that assess each recommendation again.

Everything here belongs to one municipality (through its audit) and holds no child data, so
reads are not written to the access log; every change is an ``AuditEvent`` (see services).

Rows made by a form carry the form's ``submission_key``: a double click sends the same key
twice and the service returns the first row instead of making a second one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organisations.models import Municipality, Unit


class AuditKind(models.TextChoices):
    REPORT = "report", _("Audit report")
    LETTER = "letter", _("Audit letter")
    FOLLOW_UP = "follow_up", _("Follow-up audit")


class Assessment(models.TextChoices):
    """The auditors' answer to an audit question."""

    FULFILLED = "fulfilled", pgettext_lazy("audit assessment", "Fulfilled")
    PARTLY = "partly", pgettext_lazy("audit assessment", "Partly fulfilled")
    NOT_FULFILLED = "not_fulfilled", pgettext_lazy("audit assessment", "Not fulfilled")


class Implementation(models.TextChoices):
    """How far a recommendation has been carried out, at a follow-up round."""

    IMPLEMENTED = "implemented", pgettext_lazy("recommendation", "Implemented")
    PARTLY = "partly", pgettext_lazy("recommendation", "Partly implemented")
    NOT_IMPLEMENTED = "not_implemented", pgettext_lazy("recommendation", "Not implemented")


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("audit measure", "Planned")
    ONGOING = "ongoing", pgettext_lazy("audit measure", "Ongoing")
    DONE = "done", pgettext_lazy("audit measure", "Done")
    CANCELLED = "cancelled", pgettext_lazy("audit measure", "Cancelled")


# Measures in these states are finished: they are never overdue.
CLOSED_MEASURE_STATUSES = (MeasureStatus.DONE, MeasureStatus.CANCELLED)


class EvidenceKind(models.TextChoices):
    """What a piece of evidence points at. A new kind adds a value here and, when it points at
    a row, one nullable foreign key on ``Evidence`` (e.g. a published board report)."""

    DOCUMENT = "document", _("Version of a governance document")
    MEETING = "meeting", _("Meeting held (annual wheel)")
    BOARD_REPORT = "board_report", _("Published report to the board")
    INDICATOR = "indicator", _("Indicator value at a date")
    FILE = "file", _("Uploaded file")
    REFERENCE = "reference", _("Other reference")


class PdfState(models.TextChoices):
    NONE = "", _("Not requested")
    REQUESTED = "requested", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Audit(models.Model):
    """One audit of one municipality: a full audit report, a letter (revisionsskrivelse) or a
    follow-up audit, optionally following up an earlier audit of the same municipality."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="audits")
    title = models.CharField(_("title"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=AuditKind.choices)
    auditors = models.CharField(_("audit firm and auditors"), max_length=300, blank=True)
    scope = models.TextField(_("scope and purpose"), blank=True)
    committees = models.CharField(_("committees audited"), max_length=300, blank=True)
    report_date = models.DateField(_("date of the report"), null=True, blank=True)
    follows_up = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_up_by",
        verbose_name=_("follows up"),
    )
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["municipality", "-year", "title"]
        verbose_name = _("audit")
        verbose_name_plural = _("audits")

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class AuditQuestion(models.Model):
    """An audit question (revisionsfråga) with the auditors' assessment."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("audit question"))
    assessment = models.CharField(
        _("assessment"), max_length=20, choices=Assessment.choices, blank=True
    )
    assessment_text = models.TextField(_("the auditors' assessment in words"), blank=True)
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["audit", "number", "id"]
        verbose_name = _("audit question")
        verbose_name_plural = _("audit questions")

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class Recommendation(models.Model):
    """A recommendation (or, in older reports, a proposed measure) and when an answer is due."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="recommendations")
    question = models.ForeignKey(
        AuditQuestion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("audit question"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("recommendation"))
    response_due = models.DateField(_("answer due"), null=True, blank=True)
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["audit", "number", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        indexes = [models.Index(fields=["response_due"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class Response(models.Model):
    """The board's or a committee's answer (yttrande, svar) to one recommendation, or to the
    audit as a whole (no recommendation), with the decision that adopted it."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="responses")
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("recommendation"),
    )
    text = models.TextField(_("response"))
    decision_body = models.CharField(_("decided by"), max_length=200)
    decision_reference = models.CharField(
        _("decision reference"), max_length=100, help_text=_('e.g. "KS 2022-03-10 § 45"')
    )
    decided_on = models.DateField(_("date of the decision"))
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["audit", "decided_on", "id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return self.decision_reference


class AuditMeasure(models.Model):
    """A measure (åtgärd) taken because of a recommendation: what, who, by when, how far."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="measures"
    )
    what = models.TextField(_("measure"))
    owner = models.CharField(_("owner"), max_length=200)
    owner_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner unit"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["recommendation", "due_on", "id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.what[:60]


def _evidence_path(instance: "Evidence", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"audits/{instance.audit_id}/evidence/{instance.submission_key or 'file'}.{extension}"


class Evidence(models.Model):
    """Evidence (revisionsbevis) for a measure or a recommendation: one of a document version,
    a meeting held, a published report to the board, an indicator's value at a date, an
    uploaded file or a reference in words (``kind`` says which), with a short description.
    The audit is stored too, so every row has one municipality."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="evidence")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    measure = models.ForeignKey(
        AuditMeasure, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    kind = models.CharField(_("kind of evidence"), max_length=20, choices=EvidenceKind.choices)
    description = models.CharField(_("description"), max_length=300)
    document_version = models.ForeignKey(
        "governance.DocumentVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document version"),
    )
    occurrence = models.ForeignKey(
        "wheel.Occurrence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting"),
    )
    board_report = models.ForeignKey(
        "followup.BoardReport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("report to the board"),
    )
    # An indicator's value as it was shown when the evidence was recorded (the last twelve
    # months up to ``indicator_as_of``): frozen, like a screenshot, whatever the data becomes.
    indicator_key = models.CharField(_("indicator"), max_length=60, blank=True)
    indicator_value = models.CharField(_("value"), max_length=60, blank=True)
    indicator_period = models.CharField(_("period"), max_length=100, blank=True)
    indicator_as_of = models.DateField(_("value on"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=_evidence_path, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    reference = models.CharField(_("reference"), max_length=300, blank=True)
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["audit", "created_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recommendation__isnull=False) | models.Q(measure__isnull=False),
                name="evidence_for_something",
            )
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def indicator_name(self) -> str:
        """The indicator's name in the catalogue (its key, should it ever leave it)."""
        from followup.catalogue import CATALOGUE

        indicator = CATALOGUE.get(self.indicator_key)
        return str(indicator.name) if indicator else self.indicator_key


def _report_path(instance: "FollowUpRound", filename: str) -> str:
    return f"audits/{instance.audit_id}/rounds/{instance.pk}/{filename}"


class FollowUpRound(models.Model):
    """A follow-up (uppföljande granskning) of one audit at one date. A finished round can no
    longer be changed, nor its report made again: what was assessed then stays as it was."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="rounds")
    held_on = models.DateField(_("date of the follow-up"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary and recommendations"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    pdf = models.FileField(upload_to=_report_path, blank=True)
    pdf_state = models.CharField(max_length=20, choices=PdfState.choices, blank=True)
    pdf_state_at = models.DateTimeField(null=True, blank=True)
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["audit", "-held_on", "-id"]
        verbose_name = _("follow-up round")
        verbose_name_plural = _("follow-up rounds")

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class RecommendationAssessment(models.Model):
    """How far one recommendation had been carried out at one follow-up round."""

    round = models.ForeignKey(FollowUpRound, on_delete=models.CASCADE, related_name="assessments")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="assessments"
    )
    implementation = models.CharField(
        _("assessment"), max_length=20, choices=Implementation.choices
    )
    current_state = models.TextField(_("current state"), blank=True)

    class Meta:
        ordering = ["round", "recommendation__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "recommendation"], name="one_assessment_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} – {self.get_implementation_display()}"


class QuestionFollowUp(models.Model):
    """The current state of an audit question at a follow-up round and, optionally, the
    auditors' assessment now."""

    round = models.ForeignKey(FollowUpRound, on_delete=models.CASCADE, related_name="questions")
    question = models.ForeignKey(AuditQuestion, on_delete=models.CASCADE, related_name="+")
    current_state = models.TextField(_("current state"), blank=True)
    assessment = models.CharField(
        _("assessment now"), max_length=20, choices=Assessment.choices, blank=True
    )

    class Meta:
        ordering = ["round", "question__number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "question"], name="one_question_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.question} – {self.current_state[:40]}"
