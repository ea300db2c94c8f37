"""Reports of concern (orosanmälningar) from school to the social services' intake.

A report belongs to the municipality whose intake handles it (``municipality``): the child's
home municipality when it is on this installation, otherwise the school's municipality, whose
intake forwards it by other means (``forward_to_name``). The school side sees only what it
wrote, the status and the fixed feedback; the intake's assessments stay with social services.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organisations.models import Municipality, Unit
from reports.references import format_reference, new_reference_code


class ConcernCategory(models.TextChoices):
    PHYSICAL_VIOLENCE = "physical_violence", _("Physical violence")
    PSYCHOLOGICAL_VIOLENCE = "psychological_violence", _("Psychological violence")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    NEGLECT = "neglect", _("Neglect")
    WITNESSING_VIOLENCE = "witnessing_violence", _("Witnessing violence")
    HONOUR_RELATED = "honour_related", _("Honour-related violence and oppression")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    CRIMINALITY = "criminality", _("Criminality")
    SELF_HARM = "self_harm", _("Self-harm")
    SCHOOL_ABSENCE = "school_absence", _("School absence")
    OTHER = "other", _("Other")


# The family is never told about a report on these concerns (LAW.md: violence in the family,
# sexual abuse, honour-related violence): the form must not prompt for it.
NEVER_TELL_GUARDIANS = frozenset(
    {
        ConcernCategory.PHYSICAL_VIOLENCE,
        ConcernCategory.PSYCHOLOGICAL_VIOLENCE,
        ConcernCategory.SEXUAL_ABUSE,
        ConcernCategory.WITNESSING_VIOLENCE,
        ConcernCategory.HONOUR_RELATED,
    }
)


class ReportSource(models.TextChoices):
    """Who made the report. Schools file through Samverkan; the intake registers the others."""

    SCHOOL = "school", _("School or preschool")
    POLICE = "police", _("The police")
    HEALTH_CARE = "health_care", _("Health care")
    OTHER_AGENCY = "other_agency", _("Another agency")
    PUBLIC = "public", _("Member of the public")
    CHILD_OR_GUARDIAN = "child_or_guardian", _("The child or a guardian")


# Reporters with the duty to report (SoL 19 kap. 1 §): they can not report anonymously
# (municipal guidance, LAW.md), and they are the ones the feedback is owed to (19 kap. 6 §).
PROFESSIONAL_SOURCES = frozenset(
    {
        ReportSource.SCHOOL,
        ReportSource.POLICE,
        ReportSource.HEALTH_CARE,
        ReportSource.OTHER_AGENCY,
    }
)
# Only a member of the public may stay anonymous (anyone may report, 19 kap. 4 §).
ANONYMOUS_SOURCES = frozenset({ReportSource.PUBLIC})


class ReceivedVia(models.TextChoices):
    FORM = "form", _("The report form in Samverkan")
    PHONE = "phone", _("Phone call")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RECEIVED = "received", _("Received")
    PROTECTION_ASSESSED = "protection_assessed", _("Protection assessed")
    PRELIMINARY_ASSESSMENT = "preliminary_assessment", _("Preliminary assessment")
    DECIDED = "decided", _("Decided")
    FEEDBACK_GIVEN = "feedback_given", _("Feedback given")
    CLOSED = "closed", _("Closed")


class Decision(models.TextChoices):
    OPENED = "opened", _("Investigation opened")
    NOT_OPENED = "not_opened", _("Investigation not opened")
    ADDED_TO_ONGOING = "added_to_ongoing", _("Added to an ongoing investigation")
    FORWARDED = "forwarded", _("Forwarded to another municipality")


class Feedback(models.TextChoices):
    """The only three things a professional reporter may be told (old SoL 14 kap. 1 b §)."""

    OPENED = "opened", _("An investigation has been opened")
    NOT_OPENED = "not_opened", _("No investigation has been opened")
    ALREADY_ONGOING = "already_ongoing", _("An investigation was already ongoing")


class GuardiansInformed(models.TextChoices):
    YES = "yes", _("Yes, the guardians have been told")
    NO = "no", _("No")
    NOT_ASKED = "not_asked", _("Not asked (the concern must not be shared with the family)")


class ExtensionReason(models.TextChoices):
    """Exceptional reasons (synnerliga skäl) for a later decision; workload is not one."""

    AWAITING_INFORMATION = (
        "awaiting_information",
        _("Waiting for information essential to the assessment"),
    )
    CHILD_UNAVAILABLE = "child_unavailable", _("The child or guardians can not be reached")
    PARALLEL_POLICE_INQUIRY = "parallel_police_inquiry", _("A police inquiry must not be disturbed")
    OTHER_EXCEPTIONAL = "other_exceptional", _("Other exceptional reason (described)")


# The inbox's sort key of an open report with no pending deadline: after every real one.
NO_PENDING_DEADLINE = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


class ConcernReport(models.Model):
    """One report about one child. Immutable once submitted; the school adds supplements."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The reference people quote (see ``reports.references``): unique in the handling
    # municipality; stored without its dash.
    reference_code = models.CharField(
        _("reference"), max_length=12, default=new_reference_code, editable=False
    )
    status = models.CharField(
        _("status"), max_length=30, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)

    # --- who reported, and how ------------------------------------------------------------
    # A school's report is written by its author in Samverkan. A report from another source
    # is registered by the intake: the author is the social worker who registered it, and the
    # reporter is described by the fields below (nothing of them when anonymous).
    source = models.CharField(
        _("reported by"), max_length=30, choices=ReportSource.choices, default=ReportSource.SCHOOL
    )
    received_via = models.CharField(
        _("came in by"), max_length=20, choices=ReceivedVia.choices, default=ReceivedVia.FORM
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concern_reports"
    )
    author_role = models.CharField(max_length=40)
    author_sector = models.CharField(max_length=40)
    school_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concern_reports",
        verbose_name=_("school"),
    )
    reporter_name = models.CharField(_("the reporter's name"), max_length=200, blank=True)
    reporter_organisation = models.CharField(
        _("the reporter's agency or organisation"), max_length=200, blank=True
    )
    reporter_anonymous = models.BooleanField(_("the reporter is anonymous"), default=False)
    reporter_phone = models.CharField(_("your phone number"), max_length=40, blank=True)
    reporter_email = models.EmailField(_("your e-mail address"), blank=True)
    # A report received by phone is confirmed in writing afterwards: the day the written
    # confirmation arrived, and who recorded it.
    confirmed_in_writing_on = models.DateField(_("confirmed in writing on"), null=True, blank=True)
    confirmation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # --- routing ------------------------------------------------------------------------------
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="concern_reports",
        verbose_name=_("handled by the intake of"),
    )
    home_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the child's home municipality"),
    )
    forward_to_name = models.CharField(
        _("home municipality outside Samverkan"), max_length=100, blank=True
    )

    # --- the child ---------------------------------------------------------------------------
    child_identity_number = models.CharField(
        _("personal identity number"), max_length=12, blank=True, db_index=True
    )
    child_name = models.CharField(_("the child's name"), max_length=200, blank=True)
    child_approximate_age = models.PositiveSmallIntegerField(
        _("approximate age"), null=True, blank=True
    )
    child_class = models.CharField(_("class or group"), max_length=50, blank=True)
    # Pseudonymous reference used in the access log and to link reports about the same child.
    child_ref = models.CharField(max_length=64, db_index=True, editable=False)
    guardians = models.TextField(_("guardians and their contact details"), blank=True)
    interpreter_language = models.CharField(
        _("interpreter needed for (language)"), max_length=100, blank=True
    )

    # --- the concern --------------------------------------------------------------------------
    what_happened = models.TextField(_("what happened and what you saw"), blank=True)
    child_words = models.TextField(_("what the child said, in the child's own words"), blank=True)
    # No preset answer: None until the reporter answers (a draft may leave it open; submitting
    # needs an answer). A preset "No" would be sent by anyone who did not read the question.
    acute_danger = models.BooleanField(_("the child is in acute danger"), null=True, blank=True)
    guardians_informed = models.CharField(
        _("have the guardians been told about the report?"),
        max_length=20,
        choices=GuardiansInformed.choices,
        blank=True,
    )
    guardians_not_informed_reason = models.TextField(_("why not?"), blank=True)
    wants_feedback = models.BooleanField(_("I want feedback"), default=True)
    siblings = models.ManyToManyField("self", blank=True, verbose_name=_("reports about siblings"))

    # --- times -----------------------------------------------------------------------------------
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("arrived"), null=True, blank=True, db_index=True)
    # Deadlines, stored so the inbox can sort and filter on an index. Set by the services.
    protection_due_at = models.DateTimeField(null=True, blank=True)
    decision_due_at = models.DateTimeField(null=True, blank=True)
    # The statutory decision deadline computed at arrival (new SoL 20 kap. 2 §); an extension
    # moves ``decision_due_at`` but never this.
    decision_due_original_at = models.DateTimeField(null=True, blank=True)
    # The decision deadline that had already passed when an extension was recorded (the first
    # one missed); None while every extension came in time. Set once by the extension service
    # and never cleared: a late extension must not hide that the deadline was missed.
    decision_missed_due_at = models.DateTimeField(null=True, blank=True)
    feedback_due_at = models.DateTimeField(null=True, blank=True)
    # When the intake recorded that the reporter asked for feedback after the report arrived
    # (None: asked in the report itself, or not at all). A request after the feedback week
    # makes the feedback due at once (SoL 19 kap. 6 §).
    feedback_requested_at = models.DateTimeField(null=True, blank=True)
    feedback_request_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The earliest deadline of a step not yet done (None when nothing is pending). For a
    # decision extended too late this is the missed deadline, so the report stays overdue.
    next_due_at = models.DateTimeField(null=True, blank=True)

    # --- the intake's steps (social services only) ---------------------------------------------
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    protection_assessed_at = models.DateTimeField(null=True, blank=True)
    protection_assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    immediate_protection_needed = models.BooleanField(null=True, blank=True)
    protection_justification = models.TextField(blank=True)
    preliminary_started_at = models.DateTimeField(null=True, blank=True)
    preliminary_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    preliminary_notes = models.TextField(blank=True)
    extended_until = models.DateField(null=True, blank=True)
    extension_reason = models.CharField(max_length=40, choices=ExtensionReason.choices, blank=True)
    extension_description = models.TextField(blank=True)
    extension_decided_by = models.CharField(max_length=200, blank=True)
    # When the (latest) extension was recorded; None for extensions recorded before it was kept.
    extension_recorded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=30, choices=Decision.choices, blank=True)
    forwarded_to = models.CharField(max_length=100, blank=True)
    # Why the intake decided as it did (required when no investigation is opened). Social
    # services' own: never part of the feedback, which may say only which decision was made.
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    # Who made the decision under the delegation rules, and under which point of the
    # delegation order; ``decided_by`` is who recorded it (often the same person).
    decision_maker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decision maker"),
    )
    delegation_point = models.CharField(_("delegation point"), max_length=100, blank=True)
    # The case's number in the social services' record system (diarienummer), as they write it.
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    feedback_given_at = models.DateTimeField(null=True, blank=True)
    feedback_given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    feedback = models.CharField(max_length=30, choices=Feedback.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The intake social worker who owns the case (None: not yet assigned). Changed only by
    # ``services_intake.report_assign``, which keeps the history in ``CaseAssignment``.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case owner"),
    )

    # The inbox's order (urgent first, nearest deadline, reports without a pending deadline
    # last, id) as plain ascending, non-null keys: a keyset page is then one row comparison,
    # (urgency, due, id) > cursor, which the database reads as one range of the inbox index
    # instead of scanning and discarding every earlier row.
    inbox_urgency = models.GeneratedField(
        expression=Case(When(acute_danger=True, then=Value(0)), default=Value(1)),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    inbox_due = models.GeneratedField(
        expression=Coalesce(F("next_due_at"), Value(NO_PENDING_DEADLINE)),
        output_field=models.DateTimeField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("report of concern")
        verbose_name_plural = _("reports of concern")
        indexes = [
            # The intake inbox: open reports of a municipality, urgent first, nearest deadline.
            models.Index(
                fields=["municipality", "inbox_urgency", "inbox_due", "id"],
                name="report_inbox_order",
                condition=~Q(status__in=["draft", "closed"]),
                # The intake's workload counts (open, overdue, not received) read the index
                # alone on PostgreSQL.
                include=["status", "next_due_at"],
            ),
            # The inbox's closed reports, newest closed first.
            models.Index(
                fields=["municipality", "closed_at", "id"],
                name="report_closed_order",
                condition=Q(status="closed"),
            ),
            models.Index(fields=["municipality", "status", "submitted_at"]),
            # "My cases" and "not assigned" in the inbox, in the inbox's order.
            models.Index(
                fields=["municipality", "owner", "inbox_urgency", "inbox_due", "id"],
                name="report_inbox_owner_order",
                condition=~Q(status__in=["draft", "closed"]),
            ),
            # The school's reports (principal), newest first.
            models.Index(fields=["school_unit", "submitted_at", "id"], name="report_school_order"),
            # The follow-up's recount of one municipality's month (followup.rollups): the
            # intake's reports by this index, the schools' by report_school_order.
            models.Index(fields=["municipality", "submitted_at"], name="report_municipality_month"),
            # The hourly refresh finds the steps whose deadline just passed undone: small
            # indexes, holding only the reports with that step still pending.
            models.Index(
                fields=["protection_due_at"],
                name="report_protection_pending",
                condition=Q(protection_assessed_at__isnull=True, protection_due_at__isnull=False),
            ),
            models.Index(
                fields=["decision_due_at"],
                name="report_decision_pending",
                condition=Q(decided_at__isnull=True, decision_due_at__isnull=False),
            ),
            models.Index(
                fields=["feedback_due_at"],
                name="report_feedback_pending",
                condition=Q(feedback_given_at__isnull=True, feedback_due_at__isnull=False),
            ),
            # "My reports" (the author's submitted reports), newest first.
            models.Index(
                fields=["author", "submitted_at", "id"],
                name="report_author_order",
                condition=~Q(status="draft"),
            ),
            models.Index(fields=["author", "status", "updated_at"]),
        ]
        constraints = [
            # Also the index the search by reference uses (within the intake's municipality).
            models.UniqueConstraint(
                fields=["municipality", "reference_code"], name="report_reference_unique"
            ),
            # An anonymous reporter leaves nothing that could identify them (LAW.md).
            models.CheckConstraint(
                condition=Q(reporter_anonymous=False)
                | Q(
                    reporter_name="", reporter_organisation="", reporter_phone="", reporter_email=""
                ),
                name="report_anonymous_stores_no_contact",
            ),
            # A school's report has its school; a report from another source has none, so the
            # school indicators count only reports from school.
            models.CheckConstraint(
                condition=Q(source=ReportSource.SCHOOL, school_unit__isnull=False)
                | (~Q(source=ReportSource.SCHOOL) & Q(school_unit__isnull=True)),
                name="report_school_only_from_school",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)[:8]

    # Used by access.loaders to write the access log for every read.
    @property
    def access_log_child_ref(self) -> str:
        return self.child_ref

    @property
    def access_log_municipality_id(self) -> int:
        return self.municipality_id

    @classmethod
    def access_log_labels(cls, object_ids: list[str]) -> dict[str, str]:
        """The log review's words for logged reads of these reports, in one query: each by
        its reference, which says nothing about the child (the admin sees no child data)."""
        ids = [int(value) for value in object_ids if value.isdigit()]
        reports = cls.objects.filter(pk__in=ids).only("pk", "reference_code")
        return {
            str(report.pk): gettext("Report of concern %(reference)s")
            % {"reference": report.reference}
            for report in reports
        }

    @property
    def reference(self) -> str:
        """A short reference the school and the intake can both quote (no personal data),
        grouped for reading aloud."""
        return format_reference(self.reference_code)

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def needs_forwarding(self) -> bool:
        return bool(self.forward_to_name)

    @property
    def from_school(self) -> bool:
        return self.source == ReportSource.SCHOOL

    @property
    def from_professional(self) -> bool:
        """A reporter with the duty to report: owed feedback on request (SoL 19 kap. 6 §)."""
        return self.source in PROFESSIONAL_SOURCES

    @property
    def origin_label(self) -> str:
        """Where the report came from, for lists: the school, or the kind of reporter."""
        if self.school_unit is not None:
            return self.school_unit.name
        return str(self.get_source_display())

    @property
    def awaits_written_confirmation(self) -> bool:
        """Received by phone and not yet confirmed in writing."""
        return self.received_via == ReceivedVia.PHONE and self.confirmed_in_writing_on is None


class CaseAssignment(models.Model):
    """One change of a report's case owner: who assigned whom, when. Append-only history;
    ``assigned_to`` None means the report was made unassigned again."""

    report = models.ForeignKey(ConcernReport, on_delete=models.PROTECT, related_name="assignments")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        verbose_name = _("case assignment")
        verbose_name_plural = _("case assignments")

    def __str__(self) -> str:
        return f"{self.report} {self.assigned_at:%Y-%m-%d}"


class ConcernReportCategory(models.Model):
    """A report's concern categories, as rows so that the inbox can filter on an index."""

    report = models.ForeignKey(ConcernReport, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField(max_length=40, choices=ConcernCategory.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "category"], name="report_category_once")
        ]
        indexes = [models.Index(fields=["category", "report"])]

    def __str__(self) -> str:
        return self.get_category_display()


class Supplement(models.Model):
    """Information the reporter adds after submitting; the report itself never changes."""

    report = models.ForeignKey(ConcernReport, on_delete=models.PROTECT, related_name="supplements")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(_("supplement"))

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.created_at:%Y-%m-%d}"


def _attachment_path(instance: "Attachment", _filename: str) -> str:
    # Random names on disk: the original file name may hold personal data.
    return f"reports/{instance.report.public_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file attached to a report (or to one of its supplements)."""

    report = models.ForeignKey(ConcernReport, on_delete=models.PROTECT, related_name="attachments")
    supplement = models.ForeignKey(
        Supplement, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=_attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class SubmissionKey(models.Model):
    """One row per submit button press token: a double click creates one report."""

    key = models.UUIDField(unique=True)
    report = models.ForeignKey(ConcernReport, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.key)


class DeadlineSettings(models.Model):
    """A municipality's own deadline rules (installation defaults come from settings), and its
    usual delegation point for decisions on investigations."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="deadline_settings"
    )
    protection_late_hour = models.PositiveSmallIntegerField(
        _("reports arriving at or after this hour get the protection assessment the next day"),
        null=True,
        blank=True,
    )
    decision_days = models.PositiveSmallIntegerField(
        _("days to the decision on an investigation"), null=True, blank=True
    )
    feedback_days = models.PositiveSmallIntegerField(
        _("days from the decision to feedback"), null=True, blank=True
    )
    # The point of the municipality's delegation order that decisions on investigations are
    # usually made under; offered on every decision, which may name another.
    delegation_point = models.CharField(_("delegation point"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("deadline settings")
        verbose_name_plural = _("deadline settings")

    def __str__(self) -> str:
        return str(self.municipality)
