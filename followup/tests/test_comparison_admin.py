"""The municipal admin's consent to be named in other municipalities' comparisons (a page
through the follow-up's policy, audited), and the national reference values kept as data by
the installation's operators (a management command and the Django admin, audited)."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from conftest import give_totp
from followup.models import ComparisonConsent, ReferenceValue
from organisations.models import Role, User
from tests.factories import UserFactory
from tests.matrix import LOGIN, assert_matrix, everyone_else

URL = "followup:comparison"
MARCH = {"period": "month", "month": "2026-03"}


def _url(world):
    return reverse(URL) + f"?municipality={world.municipality().pk}"


def _admin(client, world):
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    return client


def _consent_events():
    return AuditEvent.objects.filter(event_type=AuditEventType.COMPARISON_CONSENT_CHANGED)


# --- the page ---------------------------------------------------------------------------------


def test_the_page_explains_and_says_nothing_is_decided_yet(client, world):
    html = _admin(client, world).get(reverse(URL)).content.decode()
    assert "May Leksand be named in other municipalities' comparisons?" in html
    assert "Not decided yet: your municipality is shown unnamed." in html
    assert 'type="radio"' in html
    assert 'value="yes"' in html
    assert 'value="no"' in html


def test_saying_yes_is_saved_audited_and_confirmed(client, world):
    response = _admin(client, world).post(reverse(URL), {"named": "yes"}, follow=True)
    assert response.redirect_chain == [(reverse(URL), 302)]
    consent = ComparisonConsent.objects.get(municipality=world.municipality())
    assert consent.named is True
    html = response.content.decode()
    assert "Saved: other municipalities now see Leksand by name in their comparisons." in html
    assert "Now: your municipality is shown by name." in html
    [event] = _consent_events()
    assert event.actor == world.user(Role.MUNICIPAL_ADMIN)
    assert event.municipality == world.municipality()
    assert (event.old_values, event.new_values) == ({"named": None}, {"named": True})


def test_saying_no_after_yes_is_a_second_event_and_the_same_answer_none(client, world):
    _admin(client, world).post(reverse(URL), {"named": "yes"})
    response = client.post(reverse(URL), {"named": "no"}, follow=True)
    assert "now see Leksand unnamed" in response.content.decode()
    assert ComparisonConsent.objects.get(municipality=world.municipality()).named is False
    response = client.post(reverse(URL), {"named": "no"}, follow=True)
    assert "Nothing was changed." in response.content.decode()
    events = list(_consent_events().order_by("pk"))
    assert [(e.old_values, e.new_values) for e in events] == [
        ({"named": None}, {"named": True}),
        ({"named": True}, {"named": False}),
    ]


def test_the_municipality_in_the_address_stays_after_saving(client, world):
    response = _admin(client, world).post(_url(world), {"named": "no"})
    assert response.status_code == 302
    assert response["Location"] == _url(world)


@pytest.mark.parametrize("answer", [None, "", "kanske"])
def test_bad_input_keeps_the_form_with_a_swedish_message(world, answer):
    client = Client(headers={"Accept-Language": "sv"})
    _admin(client, world)
    data = {} if answer is None else {"named": answer}
    response = client.post(reverse(URL), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html
    assert "Välj ja eller nej." in html
    assert "Får Leksand namnges i andra kommuners jämförelser?" in html
    assert not ComparisonConsent.objects.exists()
    assert not _consent_events().exists()


def test_the_effect_another_municipality_sees_the_name(client, march):
    eksjo = march.user(Role.BOARD_MEMBER, "eksjo")

    def labels():
        client.force_login(eksjo)
        response = client.get(reverse("followup:dashboard"), MARCH)
        row = next(r for r in response.context["rows"] if r.indicator.key == "meetings_held")
        return [entry.label for entry in row.comparisons]

    assert "Leksand" not in labels()
    _admin(client, march).post(reverse(URL), {"named": "yes"})
    assert "Leksand" in labels()
    _admin(client, march).post(reverse(URL), {"named": "no"})
    assert "Leksand" not in labels()


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_the_municipal_admin_of_the_municipality(client, world, method):
    allowed = [world.user(Role.MUNICIPAL_ADMIN)]
    expectations: list[tuple[User | None, int | str]] = [(None, LOGIN), (allowed[0], 200)]
    expectations += [(user, 404) for user in everyone_else(world, allowed)]
    expectations += [(UserFactory.create(username="no.role"), 404)]
    # An empty form is refused with a message (200) for the admin; outsiders never see it.
    assert_matrix(client, _url(world), expectations, method=method, data={})


def test_another_municipalitys_admin_can_not_change_leksand(client, world):
    client.force_login(world.user(Role.MUNICIPAL_ADMIN, "eksjo"))
    response = client.post(_url(world), {"named": "yes"})
    assert response.status_code == 404
    assert not ComparisonConsent.objects.filter(municipality=world.municipality()).exists()


def test_the_admin_finds_the_page_from_the_start_page_and_the_follow_up(client, world):
    _admin(client, world)
    start = client.get(reverse("core:start")).content.decode()
    assert f'href="{_url(world)}"' in start
    dashboard = client.get(reverse("followup:dashboard")).content.decode()
    assert f'href="{_url(world)}"' in dashboard
    client.force_login(world.user(Role.COORDINATOR))
    assert reverse(URL) not in client.get(reverse("followup:dashboard")).content.decode()


# --- the reference values' command ------------------------------------------------------------


def _command(*args):
    out = StringIO()
    call_command("followup_reference_value", *args, stdout=out)
    return out.getvalue()


def _reference_events(event_type):
    return AuditEvent.objects.filter(event_type=event_type).order_by("pk")


@pytest.mark.django_db
def test_set_list_and_remove_a_reference_value():
    out = _command("set", "led_to_investigation", "2018", "38", "--source", "Socialstyrelsen")
    assert "Stored: led_to_investigation 2018 = 38" in out
    row = ReferenceValue.objects.get()
    assert (row.indicator_key, row.year, row.value, row.source) == (
        "led_to_investigation",
        2018,
        Decimal(38),
        "Socialstyrelsen",
    )
    [event] = _reference_events(AuditEventType.REFERENCE_VALUE_SET)
    assert event.actor is None
    assert event.municipality is None
    assert event.old_values == {}
    assert event.new_values["value"] == "38"

    out = _command("set", "led_to_investigation", "2018", "37,5", "--source", "Ny källa")
    assert ReferenceValue.objects.get().value == Decimal("37.5")
    second = _reference_events(AuditEventType.REFERENCE_VALUE_SET).last()
    assert second is not None
    assert (second.old_values["value"], second.new_values["value"]) == ("38.00", "37.5")

    out = _command("set", "led_to_investigation", "2018", "37.5", "--source", "Ny källa")
    assert "Unchanged" in out
    assert _reference_events(AuditEventType.REFERENCE_VALUE_SET).count() == 2

    out = _command("list")
    assert "led_to_investigation\t2018\t37.50\tNy källa" in out
    assert "meetings_held" in _command("list", "--keys")

    out = _command("remove", "led_to_investigation", "2018")
    assert "Removed" in out
    assert not ReferenceValue.objects.exists()
    [removed] = _reference_events(AuditEventType.REFERENCE_VALUE_REMOVED)
    assert removed.old_values["source"] == "Ny källa"
    assert "No reference values are stored." in _command("list")


@pytest.mark.django_db
def test_a_value_beside_no_key_indicator_is_stored_with_a_note():
    out = _command("set", "document_days_to_revision", "2024", "100", "--source", "Egen")
    assert "Note: the follow-up shows reference values beside its key indicators" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nonsense", "2018", "38"), "No indicator has the key nonsense"),
        (("led_to_investigation", "2018", "många"), "Give the value as a number"),
        (("led_to_investigation", "2018", "1.234"), "at most two decimals"),
        (("led_to_investigation", "2018", "NaN"), "Give the value as a number"),
        (("led_to_investigation", "1850", "38"), "Give a year between 1990"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(args, message, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(CommandError, match=message):
        _command("set", *args, "--source", "Socialstyrelsen")
    assert not ReferenceValue.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_an_empty_source_and_a_missing_value_to_remove_are_refused(settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(CommandError, match="Say where the value comes from"):
        _command("set", "led_to_investigation", "2018", "38", "--source", "  ")
    with pytest.raises(CommandError, match="There is no reference value"):
        _command("remove", "led_to_investigation", "2018")
    assert not AuditEvent.objects.exists()


# --- the Django admin -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_django_admin_sets_and_removes_through_the_services(client):
    operator = UserFactory.create(username="operator", is_staff=True, is_superuser=True)
    give_totp(operator)
    client.force_login(operator)
    add = reverse("admin:followup_referencevalue_add")
    response = client.post(
        add,
        {"indicator_key": "nonsense", "year": "2018", "value": "38", "source": "S"},
    )
    assert response.status_code == 200  # refused: not an indicator of the catalogue
    assert not ReferenceValue.objects.exists()
    response = client.post(
        add,
        {"indicator_key": "led_to_investigation", "year": "2018", "value": "38", "source": "S"},
    )
    assert response.status_code == 302
    row = ReferenceValue.objects.get()
    [event] = _reference_events(AuditEventType.REFERENCE_VALUE_SET)
    assert event.actor == operator
    response = client.post(
        reverse("admin:followup_referencevalue_delete", args=[row.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not ReferenceValue.objects.exists()
    assert _reference_events(AuditEventType.REFERENCE_VALUE_REMOVED).count() == 1
