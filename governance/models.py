"""Governance documents: the collaboration agreement, the routine, the action plan and other
guiding documents, with versions, goals, roles and mandates, measures, and read confirmations.

A document's *current version* is its newest approved version; revision and expiry alerts are
computed from it (see ``governance/selectors.py``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organisations.models import Municipality, Unit


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Collaboration agreement")
    ROUTINE = "routine", _("Collaboration routine")
    ACTION_PLAN = "action_plan", _("Action plan")
    OTHER = "other", _("Other guiding document")


class GovernanceDocument(models.Model):
    """A guiding document of one municipality; its content lives in its versions."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="governance_documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="owned_documents", verbose_name=_("owner unit")
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    parties = models.ManyToManyField(
        Unit, blank=True, related_name="party_to_documents", verbose_name=_("parties")
    )
    # The routine the SIP pages link to (LAW.md: each municipality and region has a local
    # routine for SIP). Only a routine, and at most one per municipality.
    is_sip_routine = models.BooleanField(_("the municipality's SIP routine"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["municipality", "kind", "title"]
        verbose_name = _("governance document")
        verbose_name_plural = _("governance documents")
        indexes = [models.Index(fields=["municipality", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_sip_routine=False) | Q(kind=DocumentKind.ROUTINE),
                name="sip_routine_is_a_routine",
            ),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(is_sip_routine=True),
                name="one_sip_routine_per_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def _version_file_path(instance: "DocumentVersion", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"governance/{instance.document_id}/{instance.number}.{extension}"


class DocumentVersion(models.Model):
    """One approved (or draft) version. Text is sanitised HTML (on save and on display)."""

    document = models.ForeignKey(
        GovernanceDocument, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to=_version_file_path, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    approving_body = models.CharField(_("approved by"), max_length=200, blank=True)
    approval_reference = models.CharField(
        _("decision reference"),
        max_length=100,
        blank=True,
        help_text=_('e.g. "KS 2022-03-10 § 45"'),
    )
    approved_on = models.DateField(_("approval date"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    revision_interval_months = models.PositiveSmallIntegerField(
        _("revision interval (months)"), default=12
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_once"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="version_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def is_approved(self) -> bool:
        return self.approved_on is not None


class GoalDirection(models.TextChoices):
    AT_LEAST = "at_least", _("At least the target")
    AT_MOST = "at_most", _("At most the target")


class Goal(models.Model):
    """A goal (målformulering) with a measurable target, linked to an indicator by its key
    (the indicator catalogue comes with the follow-up job)."""

    document = models.ForeignKey(GovernanceDocument, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField(_("goal"))
    indicator_key = models.CharField(_("indicator"), max_length=100, blank=True)
    target_value = models.DecimalField(
        _("target value"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=GoalDirection.choices, default=GoalDirection.AT_LEAST
    )
    target_description = models.CharField(_("how it is measured"), max_length=300, blank=True)

    class Meta:
        ordering = ["document", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Responsibility(models.Model):
    """Who is responsible for what (ansvars- och rollfördelning, mandat)."""

    document = models.ForeignKey(
        GovernanceDocument, on_delete=models.CASCADE, related_name="responsibilities"
    )
    role_name = models.CharField(_("role or function"), max_length=200)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    responsibility = models.TextField(_("responsibility and mandate"))

    class Meta:
        ordering = ["document", "id"]
        verbose_name_plural = _("responsibilities")

    def __str__(self) -> str:
        return self.role_name


class MeasureStatus(models.TextChoices):
    # With a context: Swedish agrees the word with "åtgärd" ("Planerad", "Inställd").
    PLANNED = "planned", pgettext_lazy("measure", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("measure", "In progress")
    DONE = "done", pgettext_lazy("measure", "Done")
    CANCELLED = "cancelled", pgettext_lazy("measure", "Cancelled")


class Measure(models.Model):
    """A measure of an action plan: what, who, by when, and how it is followed up."""

    document = models.ForeignKey(
        GovernanceDocument, on_delete=models.CASCADE, related_name="measures"
    )
    what = models.TextField(_("measure"))
    owner = models.CharField(_("owner"), max_length=200)
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    follow_up = models.CharField(
        _("how and how often it is followed up"), max_length=300, blank=True
    )

    class Meta:
        ordering = ["document", "due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.what[:60]


class ReadConfirmation(models.Model):
    """A staff member confirmed having read one version; a new version asks again."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="confirmations"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="read_once")]

    def __str__(self) -> str:
        return f"{self.user} read {self.version}"
