"""Changing the follow-up: a municipality's own targets for the indicators, its consent to
be named in other municipalities' comparisons, and the national reference values."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.policies import Permit
from access.services import audit_event_record
from followup.catalogue import CATALOGUE
from followup.models import ComparisonConsent, IndicatorTarget, ReferenceValue
from followup.policies import MANAGE_COMPARISON, MANAGE_TARGETS
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


def comparison_consent_set(*, permit: Permit[Municipality], actor: User, named: bool) -> bool:
    """Record whether the municipality may be named in other municipalities' comparisons;
    True when that changed.

    Guarantees: only a municipal admin's permit is accepted; the municipality row is locked,
    so two admins deciding at once are recorded one after the other; the same answer again
    changes nothing and writes no audit row; otherwise one audit event with the old and new
    answer (``None``: never decided, shown unnamed), in the same transaction."""
    municipality = permit.require(MANAGE_COMPARISON)
    with transaction.atomic():
        Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
        consent = ComparisonConsent.objects.filter(municipality=municipality).first()
        old = consent.named if consent is not None else None
        if old == named:
            return False
        if consent is None:
            consent = ComparisonConsent.objects.create(municipality=municipality, named=named)
        else:
            consent.named = named
            consent.save(update_fields=["named", "decided_at"])
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.COMPARISON_CONSENT_CHANGED,
            obj=consent,
            old={"named": old},
            new={"named": named},
        )
    return True


# National reference values are installation-wide data (no municipality owns them): they are
# kept by the installation's operators, through ``manage.py followup_reference_value`` or the
# Django admin, both of which call these services.

FIRST_REFERENCE_YEAR = 1990
VALUE_LIMIT = Decimal("99999999.99")  # what the column holds (10 digits, 2 decimals)


def reference_value_clean(
    *, indicator_key: str, year: int, value: Decimal | str, source: str
) -> tuple[str, int, Decimal, str]:
    """The reference value's fields checked and normalised, or a ``ValidationError`` per
    field with a message for the operator."""
    errors: dict[str, str] = {}
    key = indicator_key.strip()
    if key not in CATALOGUE:
        errors["indicator_key"] = _("No indicator has the key %(key)s. Known keys: %(keys)s.") % {
            "key": key,
            "keys": ", ".join(sorted(CATALOGUE)),
        }
    next_year = timezone.localdate().year + 1
    if not FIRST_REFERENCE_YEAR <= year <= next_year:
        errors["year"] = _("Give a year between %(first)s and %(last)s.") % {
            "first": FIRST_REFERENCE_YEAR,
            "last": next_year,
        }
    number = _decimal(value)
    if number is None:
        errors["value"] = _("Give the value as a number, e.g. 38 or 12.5.")
    elif abs(number) > VALUE_LIMIT or number != number.quantize(Decimal("0.01")):
        errors["value"] = _(
            "Give the value with at most two decimals and at most 8 digits before the point."
        )
    text = " ".join(source.split())
    if not text:
        errors["source"] = _("Say where the value comes from (the source).")
    elif len(text) > ReferenceValue._meta.get_field("source").max_length:  # type: ignore[operator]
        errors["source"] = _("The source may be at most 300 characters long.")
    if errors:
        raise ValidationError(errors)
    assert number is not None
    return key, year, number, text


def _decimal(value: Decimal | str) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def reference_value_set(
    *, actor: User | None, indicator_key: str, year: int, value: Decimal | str, source: str
) -> tuple[ReferenceValue, bool]:
    """Store the national reference value of an indicator for a year (replacing the year's
    earlier value) and return it and whether anything changed.

    Guarantees: only indicators of the catalogue, a plausible year, a number the column holds
    and a source in words (``ValidationError`` otherwise); the same values again change
    nothing and write no audit row; otherwise one audit event with the old and new values."""
    key, year, number, text = reference_value_clean(
        indicator_key=indicator_key, year=year, value=value, source=source
    )
    with transaction.atomic():
        row = (
            ReferenceValue.objects.select_for_update().filter(indicator_key=key, year=year).first()
        )
        old = _reference_fields(row)
        if row is None:
            row = ReferenceValue.objects.create(
                indicator_key=key, year=year, value=number, source=text
            )
        elif (row.value, row.source) == (number, text):
            return row, False
        else:
            row.value, row.source = number, text
            row.save(update_fields=["value", "source"])
        audit_event_record(
            actor=actor,
            municipality=None,
            event_type=AuditEventType.REFERENCE_VALUE_SET,
            obj=row,
            old=old,
            new=_reference_fields(row),
        )
    return row, True


def reference_value_remove(*, actor: User | None, indicator_key: str, year: int) -> bool:
    """Remove the reference value of an indicator for a year; False when there was none.
    One audit event with the removed values."""
    with transaction.atomic():
        row = (
            ReferenceValue.objects.select_for_update()
            .filter(indicator_key=indicator_key.strip(), year=year)
            .first()
        )
        if row is None:
            return False
        audit_event_record(
            actor=actor,
            municipality=None,
            event_type=AuditEventType.REFERENCE_VALUE_REMOVED,
            obj=row,
            old=_reference_fields(row),
        )
        row.delete()
    return True


def _reference_fields(row: ReferenceValue | None) -> dict[str, str | int] | None:
    if row is None:
        return None
    return {
        "indicator_key": row.indicator_key,
        "year": row.year,
        "value": str(row.value),
        "source": row.source,
    }
