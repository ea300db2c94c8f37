"""What renews a municipality's follow-up stamp, besides the summary tables and the
organisation (organisations/followup_stamp.py explains the stamp).

Each model below is read by the dashboard (``followup.cached``): saving or deleting a row
restamps the municipality it belongs to, in the same transaction. These models are changed one
object at a time (their services call ``save()`` and ``delete()``), which sends the signals;
a change in bulk or in raw SQL must call ``followup_restamp`` itself.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from organisations.followup_stamp import followup_restamp, followup_restamp_all


def _own(instance: Any) -> Iterable[int | None]:
    return [instance.municipality_id]


def _through(model_path: str, attribute: str, lookup: str) -> Callable[[Any], Iterable[Any]]:
    """The municipality of the row that ``attribute`` of the instance points at."""

    def municipalities(instance: Any) -> Iterable[Any]:
        from django.apps import apps

        model = apps.get_model(model_path)
        return model.objects.filter(pk=getattr(instance, attribute)).values_list(lookup, flat=True)

    return municipalities


def _watched() -> dict[type[Model], Callable[[Any], Iterable[Any]]]:
    from audits.models import (
        Audit,
        AuditMeasure,
        FollowUpRound,
        Recommendation,
        RecommendationAssessment,
        Response,
    )
    from followup.models import ComparisonConsent, IndicatorTarget
    from governance.models import DocumentVersion, GovernanceDocument, Measure

    document = _through("governance.GovernanceDocument", "document_id", "municipality_id")
    audit = _through("audits.Audit", "audit_id", "municipality_id")
    return {
        IndicatorTarget: _own,
        ComparisonConsent: _own,
        GovernanceDocument: _own,
        DocumentVersion: document,
        Measure: document,
        Audit: _own,
        Recommendation: audit,
        Response: audit,
        FollowUpRound: audit,
        AuditMeasure: _through(
            "audits.Recommendation", "recommendation_id", "audit__municipality_id"
        ),
        RecommendationAssessment: _through(
            "audits.FollowUpRound", "round_id", "audit__municipality_id"
        ),
    }


def _receiver(
    municipalities: Callable[[Any], Iterable[Any]],
) -> Callable[..., None]:
    def changed(instance: Any, **_signal: Any) -> None:
        followup_restamp(municipalities(instance))

    return changed


def _reference_changed(**_signal: Any) -> None:
    """A national reference value is in every municipality's comparison."""
    followup_restamp_all()


_RECEIVERS: list[Callable[..., None]] = []  # kept alive: signals hold weak references


def connect() -> None:
    """Called once, by the app's ``ready()``."""
    from followup.models import ReferenceValue

    for model, municipalities in _watched().items():
        receiver = _receiver(municipalities)
        _RECEIVERS.append(receiver)
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, dispatch_uid=f"followup-stamp-{model._meta}")
    for signal in (post_save, post_delete):
        signal.connect(_reference_changed, sender=ReferenceValue)
