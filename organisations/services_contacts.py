"""The municipality's phone numbers for school staff: the intake and the social services'
emergency line (socialjour). Only the municipality's admin changes them
(``municipality_policy``, action ``configure``); every change is audited with the old and new
values, and a change based on numbers someone else has changed since is refused.
"""

from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.services import audit_event_record
from organisations.models import Municipality, MunicipalityContacts, User
from organisations.phone import tidy, validate_swedish_phone
from organisations.policies import CONFIGURE, municipality_policy
from organisations.services import _changed, _lock, _require_in, _snapshot

_PHONES = ("intake_phone", "emergency_phone")
_HOURS = {"intake_phone": "intake_hours", "emergency_phone": "emergency_hours"}


class ContactsChangedError(ValueError):
    """Someone else saved the numbers after this form was opened; nothing was saved."""


@dataclass(frozen=True)
class ContactValues:
    """What the admin typed: each text trimmed by the service."""

    intake_phone: str = ""
    intake_hours: str = ""
    emergency_name: str = ""
    emergency_phone: str = ""
    emergency_hours: str = ""

    def tidied(self) -> "ContactValues":
        return ContactValues(**{f.name: tidy(getattr(self, f.name)) for f in fields(self)})

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FIELDS = tuple(f.name for f in fields(ContactValues))


def contact_values_check(values: ContactValues) -> None:
    """Each number, when given, is a Swedish number with area code and says when it answers
    (staff must know whether to call now or the other number). Raises a ValidationError keyed
    by field, with every problem at once."""
    errors: dict[str, list[str]] = {}
    for name in _PHONES:
        number = getattr(values, name)
        if not number:
            continue
        try:
            validate_swedish_phone(number)
        except ValidationError as error:
            errors[name] = error.messages
        if not getattr(values, _HOURS[name]):
            errors[_HOURS[name]] = [_("Say when the number answers, e.g. weekdays 8.00–16.30.")]
    if not values.intake_phone and values.intake_hours:
        errors["intake_phone"] = [_("Write the number that answers at these hours.")]
    if not values.emergency_phone and (values.emergency_hours or values.emergency_name):
        errors["emergency_phone"] = [_("Write the emergency line's number.")]
    if errors:
        raise ValidationError(errors)


def municipality_contacts_update(
    *,
    actor: User | None,
    municipality: Municipality,
    values: ContactValues,
    expected_version: int,
) -> MunicipalityContacts:
    """Set the municipality's numbers (an empty number removes it from the start pages).

    ``expected_version`` is the version the form showed: when someone else saved since, nothing
    is saved and ``ContactsChangedError`` is raised. Saving what is already stored changes
    nothing (a double submit records one change). ``actor`` None is the installation itself
    (the demo loader); anyone else needs the municipal admin's grant (``NotPermitted``).
    """
    _require_in(actor, municipality_policy, municipality, CONFIGURE)
    values = values.tidied()
    contact_values_check(values)
    with transaction.atomic():
        _lock(Municipality, municipality.pk)
        contacts, _created = MunicipalityContacts.objects.get_or_create(municipality=municipality)
        old = _snapshot(contacts, FIELDS)
        before, after = _changed(old, values.as_dict())
        if not after:
            return contacts
        if contacts.version != expected_version:
            raise ContactsChangedError
        for name, value in after.items():
            setattr(contacts, name, value)
        contacts.version += 1
        contacts.updated_at = timezone.now()
        contacts.updated_by = actor
        contacts.save()
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.MUNICIPALITY_CONTACTS_CHANGED,
            obj=contacts,
            old=before,
            new=after,
        )
    return contacts
