"""The append-only access log, audit events for state changes, and access-log reviews."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.models import Municipality, Unit


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    DOWNLOAD = "download", _("Downloaded")
    PRINT = "print", _("Printed")
    EXPORT = "export", _("Exported")
    API = "api", _("Read through the API")
    SEARCH = "search", _("Searched")


class AccessLog(models.Model):
    """One read of data about an identified child. Append-only: database triggers refuse
    UPDATE and DELETE (see migration 0002), so the log can serve a log review (loggkontroll).

    ``child_ref`` is the system's own pseudonymous reference to the child, never a name or
    personnummer, so the log itself holds no more personal data than needed.
    """

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # The foreign keys have no index of their own: each row is written by a page that shows
    # children (tens of rows per list page), every index is one more write per row, and the
    # reads go through the composite indexes below, which start with the same columns. A unit
    # is never deleted (it is deactivated), so PROTECT needs no index on unit either.
    # Nor has any of them a database constraint: PostgreSQL checks each one with a lookup per
    # written row (2.9 of the 3.9 ms that a list page's 45 rows took to insert). The ids are the
    # server's own objects, never the user's input, and PROTECT still holds where rows are
    # deleted, in Django's delete collector (a test holds it).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150)
    role = models.CharField(_("role"), max_length=40, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("municipality"),
    )
    # The reader's own municipality, kept only when it is not the one whose data was read (a
    # report routed to the child's home municipality): the log review then finds "reads of our
    # data" and "reads by our staff elsewhere" each as one range of an index on this table,
    # with no join to the reader's unit (which a national log could not afford).
    staff_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("the reader's municipality, when another"),
    )
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    # Indexed in Meta: a plain b-tree, without the pattern index PostgreSQL adds to an indexed
    # CharField (the log is searched for a child's reference whole, never by its start).
    child_ref = models.CharField(_("child reference"), max_length=64)
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    rule = models.CharField(_("allowed by rule"), max_length=100)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["municipality", "occurred_at", "id"]),
            models.Index(fields=["user", "occurred_at"]),
            models.Index(fields=["child_ref"], name="access_log_child_ref"),
            models.Index(
                fields=["staff_municipality", "occurred_at", "id"],
                name="access_log_read_elsewhere",
                condition=Q(staff_municipality__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.username} {self.object_type}"


class AuditEventType(models.TextChoices):
    """The fixed set of state changes we record; later apps add theirs here. The column holds
    no database choices: ``audit_event_record`` refuses a type not listed here, so a new type
    needs no migration."""

    UNIT_CREATED = "unit_created", _("Unit created")
    UNIT_UPDATED = "unit_updated", _("Unit updated")
    USER_CREATED = "user_created", _("User created")
    USER_UPDATED = "user_updated", _("User updated")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    MEMBERSHIP_CREATED = "membership_created", _("Membership created")
    MEMBERSHIP_ENDED = "membership_ended", _("Membership ended")
    MEMBERSHIP_REQUESTED = "membership_requested", _("Own role requested, waiting for approval")
    MEMBERSHIP_APPROVED = "membership_approved", _("Own role approved by a second admin")
    MEMBERSHIP_REFUSED = "membership_refused", _("Own role refused by a second admin")
    USER_EMAIL_CHANGED = "user_email_changed", _("Email address of an account changed")
    TERM_CREATED = "term_created", _("School term created")
    TERM_UPDATED = "term_updated", _("School term updated")
    TERM_DELETED = "term_deleted", _("School term deleted")
    SCHOOL_BREAK_CREATED = "school_break_created", _("School break created")
    SCHOOL_BREAK_UPDATED = "school_break_updated", _("School break updated")
    SCHOOL_BREAK_DELETED = "school_break_deleted", _("School break deleted")
    MUNICIPALITY_CONTACTS_CHANGED = (
        "municipality_contacts_changed",
        _("Phone numbers of the intake and the emergency line changed"),
    )
    LOG_SAMPLE_CREATED = "log_sample_created", _("Log review sample drawn")
    LOG_SAMPLE_REVIEWED = "log_sample_reviewed", _("Log review sample reviewed")
    SESSIONS_ENDED = "sessions_ended", _("All sessions ended")
    REPORT_DRAFT_CREATED = "report_draft_created", _("Report of concern drafted")
    REPORT_SUBMITTED = "report_submitted", _("Report of concern submitted")
    REPORT_SUPPLEMENTED = "report_supplemented", _("Supplement added to a report")
    REPORT_SIBLING_LINKED = "report_sibling_linked", _("Sibling report linked")
    REPORT_RECEIVED = "report_received", _("Report received by the intake")
    REPORT_PROTECTION_ASSESSED = "report_protection_assessed", _("Protection assessed")
    REPORT_PRELIMINARY_STARTED = "report_preliminary_started", _("Preliminary assessment started")
    REPORT_DECISION_EXTENDED = "report_decision_extended", _("Decision deadline extended")
    REPORT_DECIDED = "report_decided", _("Decision on investigation")
    REPORT_FEEDBACK_GIVEN = "report_feedback_given", _("Feedback given to the reporter")
    REPORT_FEEDBACK_REQUESTED = (
        "report_feedback_requested",
        _("The reporter asked for feedback after the report arrived"),
    )
    REPORT_CLOSED = "report_closed", _("Report closed")
    REPORT_REGISTERED = (
        "report_registered",
        _("Report from another source registered by the intake"),
    )
    REPORT_CONFIRMED_IN_WRITING = (
        "report_confirmed_in_writing",
        _("Written confirmation of a phone report recorded"),
    )
    REPORT_ASSIGNED = "report_assigned", _("Case owner of a report changed")
    REPORT_DRAFT_DELETED = "report_draft_deleted", _("Draft report of concern deleted")
    DEADLINE_SETTINGS_CHANGED = "deadline_settings_changed", _("Deadline settings changed")
    DOCUMENT_CREATED = "document_created", _("Governance document created")
    DOCUMENT_UPDATED = "document_updated", _("Governance document updated")
    DOCUMENT_VERSION_ADDED = "document_version_added", _("Version of a governance document added")
    DOCUMENT_GOAL_ADDED = "document_goal_added", _("Goal added to a governance document")
    DOCUMENT_GOAL_UPDATED = "document_goal_updated", _("Goal of a governance document changed")
    DOCUMENT_GOAL_DELETED = "document_goal_deleted", _("Goal of a governance document deleted")
    DOCUMENT_RESPONSIBILITY_ADDED = "document_responsibility_added", _("Responsibility added")
    DOCUMENT_RESPONSIBILITY_UPDATED = "document_responsibility_updated", _("Responsibility changed")
    DOCUMENT_RESPONSIBILITY_DELETED = "document_responsibility_deleted", _("Responsibility deleted")
    DOCUMENT_MEASURE_ADDED = "document_measure_added", _("Measure added to an action plan")
    DOCUMENT_MEASURE_UPDATED = "document_measure_updated", _("Measure of an action plan changed")
    DOCUMENT_MEASURE_STATUS_CHANGED = (
        "document_measure_status_changed",
        _("Status of a measure changed"),
    )
    DOCUMENT_READ_CONFIRMED = "document_read_confirmed", _("Reading of a document confirmed")
    SERIES_CREATED = "series_created", _("Activity series created")
    SERIES_UPDATED = "series_updated", _("Activity series changed")
    OCCURRENCE_RECORDED = "occurrence_recorded", _("Meeting recorded")
    MEETING_DECISION_ADDED = "meeting_decision_added", _("Meeting decision added")
    MEETING_DECISION_UPDATED = "meeting_decision_updated", _("Meeting decision changed")
    FOLLOW_UP_ACTION_ADDED = "follow_up_action_added", _("Follow-up action added")
    FOLLOW_UP_ACTION_UPDATED = "follow_up_action_updated", _("Follow-up action changed")
    CALENDAR_FEED_CREATED = "calendar_feed_created", _("Calendar feed created")
    CALENDAR_FEED_REVOKED = "calendar_feed_revoked", _("Calendar feed revoked")
    # --- audits (revision) ---
    AUDIT_CREATED = "audit_created", _("Audit recorded")
    AUDIT_UPDATED = "audit_updated", _("Audit changed")
    AUDIT_QUESTION_ADDED = "audit_question_added", _("Audit question added")
    AUDIT_QUESTION_UPDATED = "audit_question_updated", _("Audit question or assessment changed")
    AUDIT_RECOMMENDATION_ADDED = "audit_recommendation_added", _("Audit recommendation added")
    AUDIT_RECOMMENDATION_UPDATED = (
        "audit_recommendation_updated",
        _("Audit recommendation changed"),
    )
    AUDIT_RESPONSE_RECORDED = "audit_response_recorded", _("Response to an audit recorded")
    AUDIT_MEASURE_ADDED = "audit_measure_added", _("Measure for an audit recommendation added")
    AUDIT_MEASURE_UPDATED = (
        "audit_measure_updated",
        _("Measure for an audit recommendation changed"),
    )
    AUDIT_EVIDENCE_ADDED = "audit_evidence_added", _("Audit evidence added")
    AUDIT_ROUND_CREATED = "audit_round_created", _("Follow-up round of an audit started")
    AUDIT_ROUND_UPDATED = "audit_round_updated", _("Follow-up round of an audit changed")
    AUDIT_ROUND_ASSESSED = "audit_round_assessed", _("Recommendation assessed at a follow-up")
    AUDIT_ROUND_QUESTION_ASSESSED = (
        "audit_round_question_assessed",
        _("Audit question followed up"),
    )
    AUDIT_ROUND_FINISHED = "audit_round_finished", _("Follow-up round finished")
    AUDIT_REPORT_REQUESTED = "audit_report_requested", _("Follow-up report requested as PDF")
    # The board report (followup.board_services).
    BOARD_REPORT_CREATED = "board_report_created", _("Board report drafted")
    BOARD_REPORT_REGENERATED = "board_report_regenerated", _("Board report made again")
    BOARD_REPORT_COMMENTED = "board_report_commented", _("Comment added to a board report")
    BOARD_REPORT_PUBLISHED = "board_report_published", _("Board report published")
    BOARD_REPORT_PDF_REMADE = "board_report_pdf_remade", _("PDF of a board report made again")
    # Surveys: templates and rounds (surveys.services, surveys.services_rounds). Answers are
    # anonymous and write no audit row.
    SURVEY_TEMPLATE_CREATED = "survey_template_created", _("Survey template created")
    SURVEY_VERSION_CREATED = "survey_version_created", _("New version of a survey template")
    SURVEY_VERSION_CHANGED = "survey_version_changed", _("Survey template changed")
    SURVEY_ROUND_CREATED = "survey_round_created", _("Survey round created")
    SURVEY_ROUND_CHANGED = "survey_round_changed", _("Survey round changed")
    SURVEY_ROUND_SENT = "survey_round_sent", _("Survey round sent")
    SURVEY_ROUND_CLOSED = "survey_round_closed", _("Survey round closed early")
    SURVEY_REMINDERS_SENT = "survey_reminders_sent", _("Survey reminders sent")

    # Coordinated individual plans and consent (sip.services)
    SIP_STARTED = "sip_started", _("Coordinated plan started")
    SIP_PROPOSED = "sip_proposed", _("Coordinated plan proposed")
    SIP_PROPOSAL_ACCEPTED = "sip_proposal_accepted", _("Proposal of a coordinated plan taken up")
    SIP_PROPOSAL_DECLINED = "sip_proposal_declined", _("Proposal of a coordinated plan declined")
    SIP_UPDATED = "sip_updated", _("Coordinated plan changed")
    SIP_ACTIVATED = "sip_activated", _("Coordinated plan made active")
    SIP_CLOSED = "sip_closed", _("Coordinated plan closed")
    SIP_PARTICIPANT_ADDED = "sip_participant_added", _("Participant added to a coordinated plan")
    SIP_PARTICIPANT_REMOVED = (
        "sip_participant_removed",
        _("Participant removed from a coordinated plan"),
    )
    SIP_ACTION_ADDED = "sip_action_added", _("Action added to a coordinated plan")
    SIP_ACTION_UPDATED = "sip_action_updated", _("Action of a coordinated plan changed")
    SIP_MEETING_RECORDED = "sip_meeting_recorded", _("Network meeting recorded")
    CONSENT_RECORDED = "consent_recorded", _("Consent recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    REPORT_FEEDBACK_MESSAGE_GIVEN = (
        "report_feedback_message",
        _("Feedback in own words given to the reporter, with consent"),
    )

    # Training (training.services)
    VIGNETTE_CREATED = "vignette_created", _("Case added to the case library")
    VIGNETTE_UPDATED = "vignette_updated", _("Case of the case library changed")
    TRAINING_SESSION_RECORDED = "training_session_recorded", _("Training session recorded")
    TRAINING_SESSION_UPDATED = "training_session_updated", _("Training session changed")

    # Follow-up (followup.services)
    INDICATOR_TARGETS_CHANGED = "indicator_targets_changed", _("Indicator targets changed")
    COMPARISON_CONSENT_CHANGED = (
        "comparison_consent_changed",
        _("Consent to be named in other municipalities' comparisons changed"),
    )
    REFERENCE_VALUE_SET = "reference_value_set", _("National reference value set")
    REFERENCE_VALUE_REMOVED = "reference_value_removed", _("National reference value removed")

    # Survey results and analysis (surveys.services_analysis)
    SURVEY_FREE_TEXT_REMOVED = "survey_free_text_removed", _("Free-text survey answer removed")
    SURVEY_ANALYSIS_SAVED = "survey_analysis_saved", _("Analysis of a survey round saved")
    SURVEY_PRIORITY_ADDED = "survey_priority_added", _("Prioritised resource added")
    SURVEY_PRIORITY_CHANGED = "survey_priority_changed", _("Prioritised resource changed")
    SURVEY_PRIORITY_REMOVED = "survey_priority_removed", _("Prioritised resource removed")
    SURVEY_PRIORITY_MOVED = "survey_priority_moved", _("Order of the prioritised resources changed")
    SURVEY_PRIORITY_TO_COUNCIL = (
        "survey_priority_to_council",
        _("Prioritised resource put on the resource council's agenda"),
    )
    SURVEY_PRIORITY_DECISION = (
        "survey_priority_decision",
        _("Resource council's decision linked to a prioritised resource"),
    )

    # Retention (retention.services)
    RETENTION_RULE_CHANGED = "retention_rule_changed", _("Retention rule changed")
    DELETION_DECIDED = "deletion_decided", _("Deletion decision recorded")
    DELETION_EXPORTED = "deletion_exported", _("Records exported to the e-archive package")
    DELETION_EXPORT_FAILED = "deletion_export_failed", _("Export to the e-archive failed")
    DELETION_CARRIED_OUT = "deletion_carried_out", _("Records erased by a deletion decision")


class AuditEvent(models.Model):
    """A state change, written by the service that made it in the same transaction."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, related_name="+"
    )
    event_type = models.CharField(max_length=40)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "occurred_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.object_type}:{self.object_id}"

    @property
    def event_type_label(self) -> str:
        """The type's name in the reader's language (the raw value for a retired type)."""
        try:
            return str(AuditEventType(self.event_type).label)
        except ValueError:
            return self.event_type


class LogReviewSample(models.Model):
    """A random monthly sample of access-log rows for the municipality's log review."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    month = models.DateField(_("month"), help_text=_("First day of the sampled month."))
    # No database constraint: the log is partitioned by month on PostgreSQL (migration 0015),
    # and a foreign key can only point at a partitioned table's whole key (id, occurred_at).
    # The rows are append-only and never deleted by the application.
    entries = models.ManyToManyField(AccessLog, related_name="+", db_constraint=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("outcome of the review"), blank=True)

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("log review sample")
        verbose_name_plural = _("log review samples")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "month"], name="one_sample_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.month:%Y-%m}"
