"""Retention (gallring) by the municipality's records plan: docs/retention.md.

A :class:`RetentionRule` says how long one record type is kept in one municipality. What is due
under a rule is only ever *proposed*; nothing is erased until a municipal admin has recorded a
:class:`DeletionDecision` naming the decision reference (diarienummer) and the frozen list of
records (:class:`DeletionItem`). The records are then exported to an e-archive package, and
only after the package's checksum is on the decision are they erased. What is left of an erased
record is its non-personal skeleton row (the follow-up's indicators read it) and its
:class:`DeletionItem`, which is the tombstone: which decision erased it, and when.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from organisations.models import Municipality, Unit


class RecordType(models.TextChoices):
    """The kinds of record about a child that Samverkan holds, each with its own rule."""

    REPORT = "report", _("Reports of concern")
    PLAN = "plan", _("Coordinated individual plans")
    # A plan convened by the medical student health is part of its patient records
    # (patientdatalagen 3 kap. 17 §): kept at least ten years.
    MEDICAL_PLAN = "medical_plan", _("Coordinated plans held by the medical student health")


class ClockStart(models.TextChoices):
    """From which day the years are counted."""

    LAST_ENTRY = "last_entry", _("The last entry in the record")
    CLOSED = "closed", _("The day the record was closed")


class RetentionRule(models.Model):
    """How long a municipality keeps one record type, by its records plan
    (dokumenthanteringsplan). One row per municipality and record type, created with the
    installation's defaults on first use (``retention.rules.rules_for``)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="retention_rules"
    )
    record_type = models.CharField(_("record type"), max_length=20, choices=RecordType.choices)
    years = models.PositiveSmallIntegerField(_("years kept"))
    clock_start = models.CharField(
        _("counted from"), max_length=20, choices=ClockStart.choices, default=ClockStart.LAST_ENTRY
    )
    research_exception = models.BooleanField(
        _("keep records about children born on the 5th, 15th or 25th (research)"), default=True
    )
    plan_reference = models.CharField(
        _("reference in the records plan"), max_length=300, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "record_type"], name="retention_rule_once"
            ),
            models.CheckConstraint(condition=models.Q(years__gte=1), name="retention_years_min"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.record_type} {self.years}"


class DecisionState(models.TextChoices):
    DECIDED = "decided", _("Decided, not yet carried out")
    EXPORTED = "exported", _("Exported to the e-archive package")
    COMPLETED = "completed", _("Carried out: the records are erased")
    EXPORT_FAILED = "export_failed", _("The export failed: nothing was erased")


class DeletionDecision(models.Model):
    """A recorded deletion decision (gallringsbeslut): who decided, when, under which decision
    reference and rule, about which records. Never deleted; its items are the tombstones."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="decisions")
    record_type = models.CharField(max_length=20, choices=RecordType.choices)
    # The rule as it was when the decision was made (the rule may be edited later).
    years = models.PositiveSmallIntegerField()
    decision_reference = models.CharField(_("decision reference"), max_length=100)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    # One decision per press of the button, however often the form is sent.
    submission_key = models.UUIDField(unique=True)
    state = models.CharField(max_length=20, choices=DecisionState.choices)
    item_count = models.PositiveIntegerField()
    archive_name = models.CharField(max_length=200, blank=True)
    archive_sha256 = models.CharField(max_length=64, blank=True)
    archive_size = models.PositiveBigIntegerField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("deletion decision")
        verbose_name_plural = _("deletion decisions")
        indexes = [models.Index(fields=["municipality", "decided_at"])]

    def __str__(self) -> str:
        return self.decision_reference


class DeletionItem(models.Model):
    """One record named by a deletion decision, frozen when the decision was made; once the
    record is erased (``erased_at``) this row is its tombstone. No personal data: the record's
    reference, unit and dates only. A record is named by at most one decision."""

    decision = models.ForeignKey(DeletionDecision, on_delete=models.PROTECT, related_name="items")
    record_type = models.CharField(max_length=20, choices=RecordType.choices)
    object_id = models.PositiveBigIntegerField()
    reference = models.CharField(max_length=40)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField()
    due_on = models.DateField()
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "object_id"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "object_id"], name="retention_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.reference}"


def erased(*record_types: str) -> Exists:
    """True for a record row that a deletion decision has erased (its skeleton): the policies
    of reports and plans leave these out, so no list, search or page shows an emptied record
    (an old address answers 404, as for a record that is not there). The follow-up reads the
    tables directly and keeps counting them."""
    return Exists(
        DeletionItem.objects.filter(
            record_type__in=record_types, object_id=OuterRef("pk"), erased_at__isnull=False
        )
    )
