"""The annual wheel (årshjul): series of joint activities, their occurrences with attendance,
minutes, decisions and follow-up actions, and personal calendar feeds.

Minutes and decisions never hold identified children: forms refuse personnummer-like text.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models import GovernanceDocument
from organisations.models import Municipality, Sector, Unit


class ActivityType(models.TextChoices):
    COLLABORATION_MEETING = "collaboration_meeting", _("Collaboration meeting")
    STUDENT_HEALTH_TEAM = "student_health_team", _("Student health team")
    REGION_CONSULTATION = "region_consultation", _("Consultation meeting with the health region")
    YOUTH_HEALTH_NETWORK = "youth_health_network", _("Youth-health network")
    SITUATION_ANALYSIS = "situation_analysis", _("Situational-picture analysis")
    RESOURCE_COUNCIL = "resource_council", _("Resource council")
    INTAKE_PRINCIPAL = "intake_principal", _("Intake–principal meeting")
    PARENT_MEETING_VISIT = "parent_meeting_visit", _("Parent-meeting visit by the intake")
    TRAINING = "training", _("Training")
    ROUTINE_REVISION = "routine_revision", _("Routine revision")
    BOARD_REPORT = "board_report", _("Board report")


class ScheduleKind(models.TextChoices):
    RRULE = "rrule", _("Recurrence rule (RFC 5545)")
    PER_TERM = "per_term", _("N times per school term")
    FIXED_MONTHS = "fixed_months", _("Fixed months")


class ActivitySeries(models.Model):
    """A recurring joint activity of the municipality's annual wheel."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="activity_series"
    )
    activity_type = models.CharField(_("type"), max_length=40, choices=ActivityType.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("purpose"), blank=True)
    organiser_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="organised_series", verbose_name=_("organiser")
    )
    organiser_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact person"),
    )
    invited_units = models.ManyToManyField(
        Unit, blank=True, related_name="invited_to_series", verbose_name=_("invited units")
    )
    invited_sectors = models.JSONField(_("invited sectors"), default=list, blank=True)
    governance_document = models.ForeignKey(
        GovernanceDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity_series",
        verbose_name=_("required by"),
    )
    schedule_kind = models.CharField(_("schedule"), max_length=20, choices=ScheduleKind.choices)
    rrule = models.CharField(_("recurrence rule"), max_length=300, blank=True)
    times_per_term = models.PositiveSmallIntegerField(_("times per term"), null=True, blank=True)
    months = models.JSONField(_("months"), default=list, blank=True)
    starts_on = models.DateField(_("first day of the series"))
    ends_on = models.DateField(_("last day of the series"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    place = models.CharField(_("place or meeting link"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["municipality", "title"]
        verbose_name = _("activity series")
        verbose_name_plural = _("activity series")
        indexes = [models.Index(fields=["municipality", "activity_type"])]

    def __str__(self) -> str:
        return self.title


def _new_uid() -> str:
    """A stable, random UID for calendar clients (RFC 5545); no data inside."""
    return secrets.token_hex(16) + "@samverkan"


class OccurrenceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")
    MOVED = "moved", _("Moved")


class Occurrence(models.Model):
    """One meeting or event of a series. ``school`` ties an intake–principal meeting or a
    parent-meeting visit to the school it was with (for the coverage tables)."""

    series = models.ForeignKey(ActivitySeries, on_delete=models.CASCADE, related_name="occurrences")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place or meeting link"), max_length=300, blank=True)
    school = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OccurrenceStatus.choices,
        default=OccurrenceStatus.PLANNED,
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_file = models.FileField(_("minutes as a file"), upload_to="wheel/minutes/", blank=True)
    minutes_file_name = models.CharField(max_length=255, blank=True)
    uid = models.CharField(max_length=100, unique=True, editable=False, default=_new_uid)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["municipality", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.series} {timezone.localtime(self.starts_at):%Y-%m-%d}"


class Attendance(models.Model):
    """Who attended an occurrence, per unit (and so per sector)."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="attendance")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(max_length=40, choices=Sector.choices)
    participants = models.PositiveSmallIntegerField(_("number of participants"), default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "unit"], name="attendance_once")
        ]
        indexes = [models.Index(fields=["sector", "occurrence"])]

    def __str__(self) -> str:
        return f"{self.unit} at {self.occurrence}"


class MeetingDecision(models.Model):
    """A decision taken at an occurrence. A resource council's decision names the resource,
    the receiving unit and when it is followed up."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    resource = models.CharField(_("resource"), max_length=200, blank=True)
    receiving_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiving unit"),
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)

    class Meta:
        ordering = ["occurrence", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ActionStatus(models.TextChoices):
    # With a context: Swedish agrees the word with "åtgärd" ("Inställd", not "Inställt").
    OPEN = "open", pgettext_lazy("measure", "Open")
    DONE = "done", pgettext_lazy("measure", "Done")
    CANCELLED = "cancelled", pgettext_lazy("measure", "Cancelled")


class FollowUpAction(models.Model):
    """Something to be done after an occurrence: what, who, by when."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField(_("what"))
    owner = models.CharField(_("owner"), max_length=200)
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )

    class Meta:
        ordering = ["occurrence", "due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.what[:60]


class CalendarFeed(models.Model):
    """A user's personal iCalendar feed. The token is the only credential a calendar app has:
    it can be revoked, and a new one made; it gives read access to occurrences only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"feed of {self.user}"
