"""Changing the follow-up: a municipality's own targets for the indicators."""

from decimal import Decimal

from django.db import transaction

from access.models import AuditEventType
from access.policies import Permit
from access.services import audit_event_record
from followup.catalogue import CATALOGUE
from followup.models import IndicatorTarget
from followup.policies import MANAGE_TARGETS
from organisations.models import Municipality, User


def targets_set(
    *, permit: Permit[Municipality], actor: User, targets: dict[str, Decimal | None]
) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """Set the municipality's own targets (None: back to the catalogue's default) and return
    what changed (key: old own target, new own target).

    Guarantees: only a coordinator's permit is accepted; only indicators of the catalogue;
    the targets rows are locked, so two submits at once can not interleave; submitting the
    same values again changes nothing and writes no audit row (a double submit is harmless);
    one audit event with the old and new values of every changed indicator, in the same
    transaction."""
    municipality = permit.require(MANAGE_TARGETS)
    unknown = set(targets) - set(CATALOGUE)
    if unknown:
        raise ValueError(f"Unknown indicators: {sorted(unknown)}")
    with transaction.atomic():
        # Lock the municipality row: the targets of one municipality change one at a time.
        Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
        current = {
            row.indicator_key: row
            for row in IndicatorTarget.objects.filter(municipality=municipality)
        }
        changed: dict[str, tuple[Decimal | None, Decimal | None]] = {}
        for key, target in targets.items():
            row = current.get(key)
            old = row.target if row is not None else None
            if old == target:
                continue
            changed[key] = (old, target)
            if target is None:
                if row is not None:
                    row.delete()
            elif row is not None:
                row.target = target
                row.save(update_fields=["target"])
            else:
                IndicatorTarget.objects.create(
                    municipality=municipality, indicator_key=key, target=target
                )
        if changed:
            audit_event_record(
                actor=actor,
                municipality=municipality,
                event_type=AuditEventType.INDICATOR_TARGETS_CHANGED,
                obj=municipality,
                old={key: _text(old) for key, (old, _new) in changed.items()},
                new={key: _text(new) for key, (_old, new) in changed.items()},
            )
    return changed


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
