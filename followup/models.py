"""Follow-up: the summary tables the indicators read, targets, reference values and consent to
be named in comparisons.

Dashboards and the board report never aggregate raw rows of more than one municipality-month:
they read :class:`Rollup` rows, which ``followup.rollups`` keeps up to date (the services that
change reports, meetings and read confirmations mark the buckets they touch, and an idempotent
refresh recomputes the marked buckets).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Municipality, Unit


class RollupSource(models.TextChoices):
    """Where a bucket's numbers come from; a bucket is recomputed from its source alone."""

    REPORTS = "reports", _("Reports of concern")
    WHEEL = "wheel", _("Annual wheel")
    GOVERNANCE = "governance", _("Governance documents")


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
