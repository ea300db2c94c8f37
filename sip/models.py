"""Consent and coordinated individual plans (SIP): DESIGN.md §3.2, LAW.md "Consent and SIP".

A **consent** is the only key that opens a child's data across the confidentiality domains
beyond what the law allows without it. It is recorded about one child, for one purpose (a
plan, or free-text feedback on one report), names who gave it and which parties (units) it
covers, and is in force from ``valid_from`` until ``valid_until`` or its withdrawal, whichever
comes first. The access layer (``sip.policies``) asks :func:`consent_in_force` on every request,
so a withdrawal or an expiry takes effect on the next one.

A **plan** (SIP) is held by its convening unit. Its parties see it through a consent in force
that covers their unit; everybody else sees nothing of it. States: proposed (by a counsellor or
principal, waiting for a convener) → draft → active → closed; "follow-up due" is an active plan
whose follow-up date has come (derived from the date, so no job has to flip it).
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.models import Municipality, Unit
from reports.models import ConcernReport
from reports.references import format_reference, new_reference_code


class ConsentPurpose(models.TextChoices):
    SIP = "sip", _("A coordinated individual plan (SIP)")
    REPORT_FEEDBACK = "report_feedback", _("Feedback in own words to the reporter of a report")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("In writing")
    ORAL = "oral", _("Orally")


class GiverRelation(models.TextChoices):
    GUARDIAN = "guardian", _("Guardian")
    CHILD = "child", _("The child")


def consent_in_force(day: datetime.date, prefix: str = "") -> Q:
    """The consents in force on ``day``: started, not expired, not withdrawn. ``prefix`` is the
    path to the consent from the queried model (``"consents__"``...)."""
    return Q(
        **{
            f"{prefix}withdrawn_at__isnull": True,
            f"{prefix}valid_from__lte": day,
        }
    ) & (Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day}))


class Consent(models.Model):
    """One recorded consent about one child. Never edited: a change is a new consent, and the
    end of one is its withdrawal (who withdrew it, when, and who recorded it)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference_code = models.CharField(
        _("reference"), max_length=12, default=new_reference_code, editable=False
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    child_ref = models.CharField(max_length=64, db_index=True, editable=False)
    purpose = models.CharField(_("purpose"), max_length=30, choices=ConsentPurpose.choices)
    plan = models.ForeignKey(
        "sip.Plan", on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    report = models.ForeignKey(
        ConcernReport, on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    method = models.CharField(_("given"), max_length=20, choices=ConsentMethod.choices)
    parties = models.ManyToManyField(
        Unit, related_name="+", blank=True, verbose_name=_("parties it covers")
    )
    other_parties = models.CharField(
        _("parties without an account in Samverkan"),
        max_length=300,
        blank=True,
        help_text=_("For example a clinic in another region. They are not given access here."),
    )
    scope_note = models.CharField(_("what the consent covers"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by_name = models.CharField(_("withdrawn by"), max_length=200, blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference_code"], name="consent_reference_unique"
            ),
            # A consent is for one thing: a plan, or the feedback on one report.
            models.CheckConstraint(
                condition=(
                    Q(purpose=ConsentPurpose.SIP, plan__isnull=False, report__isnull=True)
                    | Q(
                        purpose=ConsentPurpose.REPORT_FEEDBACK,
                        plan__isnull=True,
                        report__isnull=False,
                    )
                ),
                name="consent_for_one_thing",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="consent_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Consent %(reference)s") % {"reference": self.reference}

    @property
    def reference(self) -> str:
        return format_reference(self.reference_code)

    def ended_on(self) -> datetime.date | None:
        """The day the consent stopped opening anything: withdrawn, or the day after it
        expired; None while it holds (or before it starts)."""
        if self.withdrawn_at is not None:
            return timezone.localdate(self.withdrawn_at)
        if self.valid_until is not None and self.valid_until < timezone.localdate():
            return self.valid_until + datetime.timedelta(days=1)
        return None

    def in_force(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return (
            self.withdrawn_at is None
            and self.valid_from <= day
            and (self.valid_until is None or self.valid_until >= day)
        )


class ConsentGiver(models.Model):
    """A person who gave the consent: each guardian by name, and the child when old enough."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="givers")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("who"), max_length=20, choices=GiverRelation.choices)

    class Meta:
        ordering = ["relation", "id"]

    def __str__(self) -> str:
        return self.name


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class PlanState(models.TextChoices):
    """What a plan's page and lists show: the stored status, with "follow-up due" derived."""

    PROPOSED = "proposed", _("Proposed")
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up due")
    CLOSED = "closed", _("Closed")


class CloseReason(models.TextChoices):
    GOALS_MET = "goals_met", _("The goals are met")
    NO_LONGER_NEEDED = "no_longer_needed", _("Coordination is no longer needed")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("The consent was withdrawn")
    MOVED = "moved", _("The child has moved")
    PROPOSAL_DECLINED = "proposal_declined", _("The proposal was not taken up")
    OTHER = "other", _("Other reason")


class Plan(models.Model):
    """One coordinated individual plan about one child, held by its convening unit."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference_code = models.CharField(
        _("reference"), max_length=12, default=new_reference_code, editable=False
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    # Optimistic locking: a save based on an older version is refused (both versions shown).
    version = models.PositiveIntegerField(default=1)

    # --- the child ---------------------------------------------------------------------------
    child_identity_number = models.CharField(
        _("personal identity number"), max_length=12, blank=True
    )
    child_name = models.CharField(_("the child's name"), max_length=200)
    child_birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    child_ref = models.CharField(max_length=64, db_index=True, editable=False)

    # --- how it started ----------------------------------------------------------------------
    report = models.ForeignKey(
        ConcernReport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("started from the report"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_from_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_to_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposal_reason = models.TextField(_("why a plan is needed"), blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    # The convening unit holds the plan; its sector is kept as it was at the start (indicators).
    convening_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("convened by"),
    )
    convening_sector = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)

    # --- the plan (LAW.md: needs, who does what, what others do, overall responsibility,
    # follow-up) --------------------------------------------------------------------------------
    needs = models.TextField(_("the child's needs"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    others_do = models.TextField(_("what others do"), blank=True)
    responsible = models.ForeignKey(
        "sip.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("overall responsibility"),
    )
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=30, choices=CloseReason.choices, blank=True
    )
    close_note = models.TextField(_("about the closing"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("coordinated individual plan")
        verbose_name_plural = _("coordinated individual plans")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference_code"], name="plan_reference_unique"
            ),
            # A declined proposal is closed without ever having had a convener.
            models.CheckConstraint(
                condition=Q(status=PlanStatus.PROPOSED)
                | Q(convening_unit__isnull=False)
                | Q(status=PlanStatus.CLOSED, close_reason=CloseReason.PROPOSAL_DECLINED),
                name="plan_has_convener_once_started",
            ),
            models.CheckConstraint(
                condition=~Q(status=PlanStatus.CLOSED) | ~Q(close_reason=""),
                name="plan_closed_with_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status"]),
            models.Index(fields=["convening_unit", "status"]),
        ]

    def __str__(self) -> str:
        return gettext("Plan %(reference)s") % {"reference": self.reference}

    @property
    def reference(self) -> str:
        return format_reference(self.reference_code)

    def state(self, day: datetime.date | None = None) -> str:
        due = self.follow_up_on is not None and self.follow_up_on <= (day or timezone.localdate())
        if self.status == PlanStatus.ACTIVE and due:
            return PlanState.FOLLOW_UP_DUE
        return self.status

    def state_label(self) -> str:
        return str(PlanState(self.state()).label)

    # Used by access.loaders to write the access log for every read.
    @property
    def access_log_child_ref(self) -> str:
        return self.child_ref

    @property
    def access_log_municipality_id(self) -> int:
        return self.municipality_id

    @classmethod
    def access_log_labels(cls, object_ids: list[str]) -> dict[str, str]:
        """The log review's words for reads of plans: the reference, no child data."""
        ids = [int(value) for value in object_ids if value.isdigit()]
        plans = cls.objects.filter(pk__in=ids).only("pk", "reference_code")
        return {
            str(plan.pk): gettext("Coordinated plan %(reference)s") % {"reference": plan.reference}
            for plan in plans
        }


class ParticipantKind(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional")
    GUARDIAN = "guardian", _("Guardian")
    CHILD = "child", _("The child")
    OTHER = "other", _("Other person")


class Participant(models.Model):
    """Someone taking part in a plan: a professional at a party unit (with or without an
    account), a guardian, the child or another person (contact details, no account)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("who"), max_length=20, choices=ParticipantKind.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sip_participations",
        verbose_name=_("account in Samverkan"),
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title or relation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=ParticipantKind.PROFESSIONAL) | Q(unit__isnull=False),
                name="professional_participant_has_unit",
            ),
            models.UniqueConstraint(
                fields=["plan", "user"],
                condition=Q(user__isnull=False),
                name="participant_account_once_per_plan",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ActionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("an action of a plan (en insats)", "Planned")
    ONGOING = "ongoing", _("Ongoing")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.ONGOING)


class PlanAction(models.Model):
    """One action of a plan: what, which party, by whom, by when, and its status."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField(_("what is to be done"))
    party = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party"),
    )
    party_name = models.CharField(
        _("party outside Samverkan"),
        max_length=200,
        blank=True,
        help_text=_("For example the guardians, or a clinic without an account here."),
    )
    by_whom = models.CharField(_("by whom"), max_length=200, blank=True)
    due_on = models.DateField(_("by when"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.what[:60]

    def is_overdue(self, day: datetime.date | None = None) -> bool:
        return (
            self.status in OPEN_ACTION_STATUSES
            and self.due_on is not None
            and self.due_on < (day or timezone.localdate())
        )


class NetworkMeeting(models.Model):
    """A network meeting for a plan: when, who was there, minutes and decisions. A follow-up
    meeting records the follow-up date it answered, for the on-time indicator."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    present = models.ManyToManyField(
        Participant, related_name="meetings", blank=True, verbose_name=_("present")
    )
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    is_follow_up = models.BooleanField(_("the plan was followed up"), default=False)
    follow_up_due_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # The form's key: a double click or a resent form finds the meeting made the first time.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("network meeting")
        verbose_name_plural = _("network meetings")

    def __str__(self) -> str:
        return gettext("Network meeting %(date)s") % {"date": self.held_on.isoformat()}


class FeedbackMessage(models.Model):
    """The intake's message in its own words to the reporter of a report, given with the
    guardians' consent (purpose ``REPORT_FEEDBACK``). The reporter and the principal see it
    only while that consent is in force; after that, only the fixed feedback."""

    report = models.OneToOneField(
        ConcernReport, on_delete=models.PROTECT, related_name="feedback_message"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("message to the reporter"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback in own words")
        verbose_name_plural = _("feedback in own words")

    def __str__(self) -> str:
        return gettext("Feedback in own words")


class PrintState(models.TextChoices):
    REQUESTED = "requested", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def _family_print_path(instance: "FamilyPrint", filename: str) -> str:
    return f"sip/family/{instance.plan_id}/{instance.pk}-{filename}"


class FamilyPrint(models.Model):
    """The plan for the family as a PDF, made in the background for the person who asked
    (one per plan and person: asking again makes it anew from the plan as it is then)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=PrintState.choices)
    state_at = models.DateTimeField()
    pdf = models.FileField(upload_to=_family_print_path, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "requested_by"], name="family_print_once")
        ]

    def __str__(self) -> str:
        return gettext("The plan for the family")
