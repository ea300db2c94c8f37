"""Reads of the municipalities' phone numbers for school staff (the intake, the emergency
line). They are the municipality's public numbers, not anyone's personal data: whoever holds
a role in the municipality may see them, and no access log is written."""

from collections.abc import Iterable
from dataclasses import dataclass

from organisations.models import Municipality, MunicipalityContacts, User

_CACHE_ATTR = "_samverkan_contacts"


@dataclass(frozen=True)
class CallBox:
    """The numbers of one municipality as a start page shows them; ``contacts`` is None when
    its admin has not entered any yet."""

    municipality: Municipality
    contacts: MunicipalityContacts | None

    @property
    def has_intake(self) -> bool:
        return bool(self.contacts and self.contacts.intake_phone)

    @property
    def has_emergency(self) -> bool:
        return bool(self.contacts and self.contacts.emergency_phone)


def contacts_by_municipality(
    user: User, municipalities: Iterable[Municipality]
) -> dict[int, MunicipalityContacts]:
    """The numbers of the municipalities, by municipality id, in one query, kept on the user
    object for the request (a start page may show them in more than one of the user's roles)."""
    cache: dict[int, MunicipalityContacts | None] = user.__dict__.setdefault(_CACHE_ATTR, {})
    wanted = {municipality.pk for municipality in municipalities}
    missing = wanted - cache.keys()
    if missing:
        found = {
            contacts.municipality_id: contacts
            for contacts in MunicipalityContacts.objects.filter(municipality_id__in=missing)
        }
        for municipality_id in missing:
            cache[municipality_id] = found.get(municipality_id)
    return {pk: contacts for pk in wanted if (contacts := cache[pk]) is not None}


def call_boxes(user: User, municipalities: Iterable[Municipality]) -> list[CallBox]:
    """One box per municipality (by name), with or without numbers."""
    ordered = sorted({m.pk: m for m in municipalities}.values(), key=lambda m: m.name)
    found = contacts_by_municipality(user, ordered)
    return [CallBox(municipality, found.get(municipality.pk)) for municipality in ordered]
