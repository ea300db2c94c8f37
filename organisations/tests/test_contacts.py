"""The numbers school staff call about a child (the intake, the emergency line): only the
municipality's admin keeps them, every number is checked as a Swedish number with its area code,
every change is audited, two admins never overwrite each other unseen, and the admin's start
page says when one is missing."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from access.policies import NotPermitted
from organisations.models import MunicipalityContacts, Role
from organisations.phone import national_digits, tel_uri, validate_swedish_phone
from organisations.services_contacts import (
    ContactsChangedError,
    ContactValues,
    municipality_contacts_update,
)
from tests.matrix import LOGIN, assert_matrix, everyone_else

URL = reverse("organisations:contacts")

LEKSAND = ContactValues(
    intake_phone="0247-802 00",
    intake_hours="Vardagar 8.00–16.30",
    emergency_name="Socialjouren Dalarna",
    emergency_phone="023-123 45",
    emergency_hours="Kvällar och helger",
)


def _form(values: ContactValues, version: int = 0) -> dict[str, object]:
    return {**values.as_dict(), "version": version}


# --- the numbers themselves ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("0247-802 00", "024780200"),
        ("0247 80200", "024780200"),
        ("(0247) 802 00", "024780200"),
        ("+46 247 802 00", "024780200"),
        ("+46 (0)247 802 00", "024780200"),
        ("+46 0247 802 00", "024780200"),
        ("0046 247 802 00", "024780200"),
        ("08-123 45", "0812345"),
        ("070-174 06 05", "0701740605"),
        ("  0247–802 00 ", "024780200"),  # an en dash pasted from a document
    ],
)
def test_swedish_numbers_as_staff_type_them(typed, digits):
    assert national_digits(typed) == digits
    assert tel_uri(typed) == f"tel:+46{digits[1:]}"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("0247-80A 00", "characters"),
        ("ring växeln", "characters"),
        ("+47 22 12 34 56", "country"),
        ("112", "national"),
        ("1177", "national"),
        ("247 802 00", "area_code"),
        ("00247 802 00", "country"),
        ("0247-80", "length"),
        ("0247-802 00 00 0", "length"),
    ],
)
def test_what_is_not_a_swedish_number_is_refused_with_a_reason(typed, code):
    with pytest.raises(ValidationError) as raised:
        validate_swedish_phone(typed)
    assert raised.value.code == code
    assert tel_uri(typed) == ""


# --- the service ---------------------------------------------------------------------------------


def test_the_admin_sets_the_numbers_and_the_change_is_audited(world):
    admin = world.user(Role.MUNICIPAL_ADMIN)
    contacts = municipality_contacts_update(
        actor=admin, municipality=world.municipality(), values=LEKSAND, expected_version=0
    )
    assert (contacts.intake_phone, contacts.version, contacts.updated_by) == (
        "0247-802 00",
        1,
        admin,
    )
    event = AuditEvent.objects.get(event_type=AuditEventType.MUNICIPALITY_CONTACTS_CHANGED)
    assert (event.actor, event.municipality) == (admin, world.municipality())
    assert event.old_values["intake_phone"] == ""
    assert event.new_values["intake_phone"] == "0247-802 00"

    changed = ContactValues(**{**LEKSAND.as_dict(), "intake_hours": "Vardagar 8–16"})
    municipality_contacts_update(
        actor=admin, municipality=world.municipality(), values=changed, expected_version=1
    )
    latest = AuditEvent.objects.filter(
        event_type=AuditEventType.MUNICIPALITY_CONTACTS_CHANGED
    ).latest("id")
    # Only what changed, before and after.
    assert latest.old_values == {"intake_hours": "Vardagar 8.00–16.30"}
    assert latest.new_values == {"intake_hours": "Vardagar 8–16"}


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REPORTER, Role.PRINCIPAL, Role.INTAKE])
def test_only_the_municipal_admin_may(world, role):
    with pytest.raises(NotPermitted):
        municipality_contacts_update(
            actor=world.user(role),
            municipality=world.municipality(),
            values=LEKSAND,
            expected_version=0,
        )
    with pytest.raises(NotPermitted):  # the admin of another municipality neither
        municipality_contacts_update(
            actor=world.user(Role.MUNICIPAL_ADMIN, "eksjo"),
            municipality=world.municipality(),
            values=LEKSAND,
            expected_version=0,
        )
    assert not MunicipalityContacts.objects.exists()
    assert not AuditEvent.objects.filter(
        event_type=AuditEventType.MUNICIPALITY_CONTACTS_CHANGED
    ).exists()


@pytest.mark.usefixtures("english")
def test_every_problem_is_named_at_its_field(world):
    values = ContactValues(
        intake_phone="112", intake_hours="", emergency_name="Jouren", emergency_phone=""
    )
    with pytest.raises(ValidationError) as raised:
        municipality_contacts_update(
            actor=world.user(Role.MUNICIPAL_ADMIN),
            municipality=world.municipality(),
            values=values,
            expected_version=0,
        )
    errors = raised.value.message_dict
    assert set(errors) == {"intake_phone", "intake_hours", "emergency_phone"}
    assert "national number" in errors["intake_phone"][0]
    assert not MunicipalityContacts.objects.exists()


def test_a_double_submit_records_one_change(world):
    admin = world.user(Role.MUNICIPAL_ADMIN)
    for _ in range(2):  # the second press still carries the version the form showed
        municipality_contacts_update(
            actor=admin, municipality=world.municipality(), values=LEKSAND, expected_version=0
        )
    assert MunicipalityContacts.objects.get().version == 1
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.MUNICIPALITY_CONTACTS_CHANGED).count()
        == 1
    )


def test_a_change_on_numbers_changed_meanwhile_is_refused(world):
    admin = world.user(Role.MUNICIPAL_ADMIN)
    municipality_contacts_update(
        actor=admin, municipality=world.municipality(), values=LEKSAND, expected_version=0
    )
    other = ContactValues(**{**LEKSAND.as_dict(), "intake_phone": "0247-800 00"})
    with pytest.raises(ContactsChangedError):
        municipality_contacts_update(
            actor=admin, municipality=world.municipality(), values=other, expected_version=0
        )
    assert MunicipalityContacts.objects.get().intake_phone == "0247-802 00"


# --- the page ------------------------------------------------------------------------------------


def test_only_each_municipalitys_admin_has_the_page(client, world):
    admins = [world.user(Role.MUNICIPAL_ADMIN, place) for place in ("leksand", "eksjo")]
    assert_matrix(
        client,
        URL,
        [
            (None, LOGIN),
            *[(a, 200) for a in admins],
            *[(u, 404) for u in everyone_else(world, admins)],
        ],
    )
    # Another municipality's numbers are a 404, the same as a municipality that does not exist.
    leksand = world.municipality().pk
    assert_matrix(
        client,
        f"{URL}?municipality={leksand}",
        [(admins[0], 200), (admins[1], 404)],
    )
    assert_matrix(client, f"{URL}?municipality=999999", [(admins[0], 404)])
    assert_matrix(
        client,
        URL,
        [(None, LOGIN), *[(u, 404) for u in everyone_else(world, admins)]],
        method="post",
        data=_form(LEKSAND),
    )
    assert not MunicipalityContacts.objects.exists()


def test_the_admin_saves_the_numbers_and_sees_them_as_staff_will(client, world):
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    response = client.post(URL, _form(LEKSAND))
    assert response.status_code == 302
    assert response["Location"] == URL
    page = client.get(URL).content.decode()
    assert "The numbers of Leksand are saved" in page
    assert '<a class="call-box__phone" href="tel:+4624780200">0247-802 00</a>' in page
    assert "Socialjouren Dalarna" in page


def test_bad_input_keeps_what_was_typed_with_a_swedish_message(world):
    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    typed = ContactValues(**{**LEKSAND.as_dict(), "intake_phone": "0247-80"})
    response = client.post(URL, _form(typed))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Numret har 6 siffror" in page
    assert 'value="0247-80"' in page
    assert 'value="Socialjouren Dalarna"' in page
    assert '<a href="#id_intake_phone">' in page  # the error summary leads to the field
    assert not MunicipalityContacts.objects.exists()


@pytest.mark.usefixtures("english")
def test_a_second_admins_change_is_not_overwritten_unseen(client, world):
    admin = world.user(Role.MUNICIPAL_ADMIN)
    municipality_contacts_update(
        actor=admin, municipality=world.municipality(), values=LEKSAND, expected_version=0
    )
    client.force_login(admin)
    mine = ContactValues(**{**LEKSAND.as_dict(), "intake_phone": "0247-800 00"})
    response = client.post(URL, _form(mine, version=0))  # the form was opened before the change
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed the numbers while you were editing" in page
    assert 'value="0247-800 00"' in page  # what was typed
    assert 'name="version" value="1"' in page  # saving again replaces the numbers on purpose
    assert MunicipalityContacts.objects.get().intake_phone == "0247-802 00"
    assert client.post(URL, _form(mine, version=1)).status_code == 302
    assert MunicipalityContacts.objects.get().intake_phone == "0247-800 00"


# --- the admin's start page ----------------------------------------------------------------------


def test_the_admins_start_page_warns_while_a_number_is_missing(client, world):
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    page = client.get(reverse("core:start")).content.decode()
    assert "School staff in Leksand do not see the numbers" in page
    assert f'href="{URL}"' in page
    municipality_contacts_update(
        actor=None, municipality=world.municipality(), values=LEKSAND, expected_version=0
    )
    page = client.get(reverse("core:start")).content.decode()
    assert "do not see the numbers" not in page
    assert "0247-802 00 – Vardagar 8.00–16.30" in page
