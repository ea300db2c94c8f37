"""Indicator values as shown: a number with its protected counts, the target and a traffic
light in words. Pure functions over metric sums (no queries): ``followup.selectors`` loads
the sums from the summary tables."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from followup.catalogue import Direction, Indicator, Metrics, Ratio, ValueUnit
from followup.suppression import Cell, Protection, cell, is_small, share_shown


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"


LIGHT_LABELS: dict[Light, Promise] = {
    Light.GREEN: _("Target met"),
    Light.AMBER: _("Close to the target"),
    Light.RED: _("Target not met"),
    Light.NONE: _("No target"),
}


@dataclass(frozen=True)
class Shown:
    """An indicator's value for one place and period, as it may be shown."""

    indicator: Indicator
    value: Decimal | None  # None: no data, or hidden to protect small numbers
    numerator: Cell | None = None
    denominator: Cell | None = None
    protected: bool = False  # hidden because a count behind it is small
    target: Decimal | None = None
    # Protected only because a count behind it is hidden to keep another, small count from
    # being worked back ("–"): the count itself is not small, so "<5" would be untrue.
    hidden: bool = False

    @property
    def text(self) -> str:
        if self.protected:
            return "–" if self.hidden else "<5"
        if self.value is None:
            return "–"
        return format_value(self.value, self.indicator.unit)

    @property
    def light(self) -> Light:
        return traffic_light(self.indicator, self.value, self.target)

    @property
    def light_label(self) -> Promise:
        """The light in words; a value with a target that can not be judged says why, since
        "No target" beside a target would be untrue."""
        judged = self.target is not None and self.indicator.direction != Direction.NONE
        if judged and self.protected:
            return _("Not judged: too few to show")
        if judged and self.value is None:
            return _("Not judged: no data for the period")
        return LIGHT_LABELS[self.light]

    @property
    def counts_text(self) -> str:
        """ "12 of 15" behind a share, when both counts are shown."""
        if self.numerator is None or self.denominator is None or self.protected:
            return ""
        if not (self.numerator.shown and self.denominator.shown):
            return ""
        return str(
            _("%(numerator)s of %(denominator)s")
            % {"numerator": self.numerator, "denominator": self.denominator}
        )


def format_value(value: Decimal, unit: ValueUnit) -> str:
    if unit == ValueUnit.PERCENT:
        return f"{_number(value.quantize(Decimal(1), ROUND_HALF_UP))} %"
    if unit in (ValueUnit.PER_100_PUPILS, ValueUnit.SCORE):
        return _number(value.quantize(Decimal("0.1"), ROUND_HALF_UP))
    return _number(value.quantize(Decimal(1), ROUND_HALF_UP))


def _number(value: Decimal) -> str:
    """Grouped in thousands as the language writes it ("2 943" in Swedish) and with a true
    minus sign, so that "−2 943 days" neither breaks at the hyphen nor reads as a dash."""
    text = number_format(value, force_grouping=True)
    return "\N{MINUS SIGN}" + text[1:] if text.startswith("-") else text


def traffic_light(indicator: Indicator, value: Decimal | None, target: Decimal | None) -> Light:
    if value is None or target is None or indicator.direction == Direction.NONE:
        return Light.NONE
    margin = indicator.amber_margin
    if margin is None:
        margin = Decimal(10) if indicator.unit == ValueUnit.PERCENT else abs(target) / 10
    if indicator.direction == Direction.HIGHER:
        if value >= target:
            return Light.GREEN
        return Light.AMBER if value >= target - margin else Light.RED
    if value <= target:
        return Light.GREEN
    return Light.AMBER if value <= target + margin else Light.RED


def shown_from_ratio(
    indicator: Indicator, ratio: Ratio, *, target: Decimal | None, scale: Decimal = Decimal(100)
) -> Shown:
    """A computed ratio as shown, with the indicator's protection applied (primary
    suppression only: breakdown tables protect their parts with ``protect_parts`` first)."""
    protection = indicator.protection
    numerator = cell(ratio.numerator, protection)
    if ratio.is_value:  # a median or percentile resting on ``numerator`` reports
        if numerator.suppressed:
            return Shown(indicator, None, protected=True, target=target)
        return Shown(indicator, ratio.value, target=target)
    if ratio.denominator is None:  # a single count
        if numerator.suppressed:
            return Shown(indicator, None, numerator=numerator, protected=True, target=target)
        return Shown(indicator, Decimal(ratio.numerator), numerator=numerator, target=target)
    denominator = cell(ratio.denominator, protection)
    return shown_share(indicator, numerator, denominator, target=target, scale=scale)


def shown_share(
    indicator: Indicator,
    numerator: Cell,
    denominator: Cell,
    *,
    target: Decimal | None,
    scale: Decimal = Decimal(100),
) -> Shown:
    """A share (or a rate per ``scale``) of two protected counts."""
    if denominator.value == 0:
        return Shown(indicator, None, numerator, denominator, target=target)
    if not share_shown(numerator, denominator, indicator.protection):
        hidden = _hidden_only(numerator, denominator, indicator.protection)
        return Shown(
            indicator, None, numerator, denominator, protected=True, target=target, hidden=hidden
        )
    value = Decimal(numerator.value) * scale / Decimal(denominator.value)
    if indicator.protection == Protection.CHILDREN and is_small(
        denominator.value - numerator.value
    ):
        # "12 of 15" would give away that 3 were not (decided in time, say): the share is
        # shown, its two counts are not.
        numerator = Cell(numerator.value, hidden=True)
        denominator = Cell(denominator.value, hidden=True)
    return Shown(indicator, value, numerator, denominator, target=target)


def _hidden_only(numerator: Cell, denominator: Cell, protection: Protection) -> bool:
    """Whether a share is protected only because one of its counts is hidden (secondary
    suppression): no count behind it, nor an outcome's complement, is small."""
    if numerator.suppressed or denominator.suppressed:
        return False
    if protection == Protection.CHILDREN_OUTCOME and is_small(denominator.value - numerator.value):
        return False
    return numerator.hidden or denominator.hidden


def compute_shown(indicator: Indicator, metrics: Metrics, *, target: Decimal | None) -> Shown:
    """The value of an indicator with a ``compute`` for the metric sums of one place."""
    if indicator.compute is None:
        raise ValueError(f"{indicator.key} is not computed from metric sums.")
    return shown_from_ratio(indicator, indicator.compute(metrics), target=target)


def is_protected_count(value: int, protection: Protection) -> bool:
    return protection != Protection.STAFF and is_small(value)
