"""Deadline rules in force for a municipality: installation defaults (settings) overridden by
the municipality's own ``DeadlineSettings``. Legal references travel with the rules so the
interface can show them beside each deadline."""

import dataclasses

from django.conf import settings

from organisations.models import Municipality
from reports.deadlines import DeadlineRules
from reports.models import DeadlineSettings

_OVERRIDABLE = ("protection_late_hour", "decision_days", "feedback_days")

# The values a municipality may choose for its own rules (inclusive); blank keeps the default.
OVERRIDE_LIMITS: dict[str, tuple[int, int]] = {
    "protection_late_hour": (0, 23),
    "decision_days": (1, 60),
    "feedback_days": (1, 60),
}


def installation_rules() -> DeadlineRules:
    """The defaults of this installation: ``REPORT_DEADLINES`` in settings over the law's."""
    return dataclasses.replace(DeadlineRules(), **getattr(settings, "REPORT_DEADLINES", {}))


def rules_for(municipality: Municipality) -> DeadlineRules:
    rules = installation_rules()
    own = _own_settings(municipality)
    if own is None:
        return rules
    changes = {name: getattr(own, name) for name in _OVERRIDABLE if getattr(own, name) is not None}
    return dataclasses.replace(rules, **changes)


def _own_settings(municipality: Municipality) -> DeadlineSettings | None:
    # A municipality loaded with select_related("deadline_settings") costs no query here.
    if Municipality.deadline_settings.is_cached(municipality):
        try:
            return municipality.deadline_settings
        except DeadlineSettings.DoesNotExist:
            return None
    return DeadlineSettings.objects.filter(municipality=municipality).first()
