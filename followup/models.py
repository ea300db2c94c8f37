"""Follow-up: the summary tables the indicators read, targets, reference values and consent to
be named in comparisons.

Dashboards and the board report never aggregate raw rows of more than one municipality-month:
they read :class:`Rollup` rows, which ``followup.rollups`` keeps up to date (the services that
change reports, meetings and read confirmations mark the buckets they touch, and an idempotent
refresh recomputes the marked buckets).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from followup.periods import Period, PeriodKind
from organisations.models import Municipality, Unit


class RollupSource(models.TextChoices):
    """Where a bucket's numbers come from; a bucket is recomputed from its source alone."""

    REPORTS = "reports", _("Reports of concern")
    WHEEL = "wheel", _("Annual wheel")
    GOVERNANCE = "governance", _("Governance documents")
    SIP = "sip", _("Coordinated individual plans")


class Rollup(models.Model):
    """One number of one municipality-month: ``metric`` summed over the rows of ``source``,
    for one unit (a school) and sector, or for the whole municipality when ``unit`` is empty.

    Counts add up over months and units; read-confirmation counts are snapshots of the month
    (the indicator takes the latest month of a period, never a sum). A bucket (municipality,
    source, month) is always replaced whole, in one transaction.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20, choices=RollupSource.choices)
    month = models.DateField()  # the first day of the month, in Swedish local time
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sector = models.CharField(max_length=40, blank=True)
    metric = models.CharField(max_length=40)
    value = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["municipality", "month", "metric"], name="rollup_municipality"),
            models.Index(fields=["month", "metric"], name="rollup_comparison"),
            models.Index(fields=["municipality", "source", "month"], name="rollup_bucket"),
        ]
        # One number per cell: two refreshes of a bucket racing each other must not both
        # insert (the unit is empty for whole-municipality rows, hence the Coalesce).
        constraints = [
            models.UniqueConstraint(
                "municipality",
                "source",
                "month",
                Coalesce("unit", 0),
                "sector",
                "metric",
                name="rollup_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.month:%Y-%m} {self.metric}={self.value}"


class RollupChange(models.Model):
    """A bucket whose source rows changed since it was last computed. Marking is an upsert of
    ``marked_at``; the refresh removes a mark only if nobody marked it again meanwhile."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20, choices=RollupSource.choices)
    month = models.DateField()
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "source", "month"], name="rollup_change_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.source} {self.month:%Y-%m}"


class IndicatorTarget(models.Model):
    """A municipality's own target for an indicator of the catalogue (it overrides the
    catalogue's default target)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    indicator_key = models.CharField(_("indicator"), max_length=60)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "indicator_key"], name="indicator_target_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.indicator_key} {self.target}"


class ReferenceValue(models.Model):
    """A national reference value of an indicator, kept as data with its source and year
    (e.g. the share of reports that led to an investigation in Sweden)."""

    indicator_key = models.CharField(_("indicator"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("reference value")
        verbose_name_plural = _("reference values")
        ordering = ["indicator_key", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_key", "year"], name="reference_value_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_key} {self.year}: {self.value}"


class ComparisonConsent(models.Model):
    """A municipality that agrees to be named when others compare themselves with it; without
    a row it is shown unnamed ("another municipality")."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    named = models.BooleanField(_("may be named in other municipalities' comparisons"))
    decided_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.municipality}: {self.named}"


# --- Board report (återrapportering till kommunstyrelsen) -----------------------------------
# The board report's models live here because Django wants one models module per app; its
# views, services, forms and urls are in the ``board_*`` modules of this app.


class BoardReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class GenerationState(models.TextChoices):
    QUEUED = "queued", _("Waiting to be made")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class GenerationStep(models.TextChoices):
    WAITING = "waiting", _("Waiting for its turn")
    COMPUTING = "computing", _("Collecting the indicators and documents")
    RENDERING = "rendering", _("Making the PDF")
    FINISHED = "finished", _("Finished")


class BoardReport(models.Model):
    """A report to the municipal board for one period, answering the audits' three questions.

    ``content`` is a frozen snapshot of everything the report shows (values already protected:
    a hidden count is stored as "<5", never as its number), so the report reads the same years
    later whatever happens to the data. A draft may be regenerated and commented on; a
    published report never changes (the services refuse) and is kept. At most one draft per
    municipality and period, so a double submit makes one report.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    period_kind = models.CharField(_("kind of period"), max_length=10)
    period_start = models.DateField(_("first month"))
    period_end = models.DateField(_("end (first month after the period)"))
    title = models.CharField(_("title"), max_length=300)
    state = models.CharField(
        _("state"), max_length=20, choices=BoardReportState.choices, default=BoardReportState.DRAFT
    )
    content = models.JSONField(_("content"), default=dict, blank=True)
    generation_state = models.CharField(
        max_length=20, choices=GenerationState.choices, default=GenerationState.QUEUED
    )
    generation_step = models.CharField(
        max_length=20, choices=GenerationStep.choices, default=GenerationStep.WAITING
    )
    generation_error = models.CharField(max_length=500, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to="followup/board/", blank=True)
    occurrence = models.ForeignKey(
        "wheel.Occurrence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("annual wheel occurrence"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("board report")
        verbose_name_plural = _("board reports")
        ordering = ["-period_start", "-created_at"]
        indexes = [
            models.Index(fields=["municipality", "state", "period_start"], name="board_report_list")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "period_kind", "period_start", "period_end"],
                condition=models.Q(state="draft"),
                name="board_report_one_draft_per_period",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.state == BoardReportState.PUBLISHED

    @property
    def is_ready(self) -> bool:
        return self.generation_state == GenerationState.DONE

    @property
    def period(self) -> Period:
        return Period(PeriodKind(self.period_kind), self.period_start, self.period_end)


class BoardReportSection(models.IntegerChoices):
    STEERING = 1, _("1. Steering and shared goals")
    ROUTINES = 2, _("2. Routines, roles and responsibility")
    FOLLOW_UP = 3, _("3. Follow-up of how the collaboration develops")


class BoardReportComment(models.Model):
    """The coordinator's text under one section of a draft: what the board reads beside the
    numbers. Frozen with the report when it is published."""

    report = models.ForeignKey(BoardReport, on_delete=models.CASCADE, related_name="comments")
    section = models.PositiveSmallIntegerField(_("section"), choices=BoardReportSection.choices)
    text = models.TextField(_("comment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["section", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} §{self.section}"
