"""The organisation rules live in the services, under a lock: terms of a municipality never
overlap, a user never holds two overlapping memberships of the same role at the same unit, and
unit names are unique per municipality whatever the case and spacing. Forms only show them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from organisations import services
from organisations.models import Membership, MembershipState, Role, SchoolTerm, Unit, UnitKind
from organisations.tests.builders import new_unit, new_user

D = datetime.date


@pytest.fixture(autouse=True)
def _english():
    """The services' messages are checked in English (Swedish is the default language)."""
    with translation.override("en"):
        yield


def _term(world, start, end, place="leksand", kind="autumn"):
    return services.term_create(
        actor=None, municipality=world.municipality(place), kind=kind, starts_on=start, ends_on=end
    )


def _messages(error: ValidationError, field: str) -> list[str]:
    return error.message_dict[field]


# --- terms ---------------------------------------------------------------------------------


def test_terms_of_a_municipality_never_overlap(world):
    _term(world, D(2026, 8, 17), D(2026, 12, 22))
    with pytest.raises(ValidationError) as caught:
        _term(world, D(2026, 12, 20), D(2027, 6, 11), kind="spring")
    [message] = _messages(caught.value, "starts_on")
    assert message.startswith("The dates overlap with Autumn term 2026")
    assert "Terms of a municipality can not overlap." in message
    # The day after is fine, and so is the same term in another municipality.
    _term(world, D(2026, 12, 23), D(2027, 6, 11), kind="spring")
    _term(world, D(2026, 8, 17), D(2026, 12, 22), place="eksjo")
    assert SchoolTerm.objects.filter(municipality=world.municipality()).count() == 2


def test_a_term_update_may_not_overlap_another_but_may_keep_its_own_dates(world):
    autumn = _term(world, D(2026, 8, 17), D(2026, 12, 22))
    spring = _term(world, D(2027, 1, 8), D(2027, 6, 11), kind="spring")
    services.term_update(actor=None, term=autumn, ends_on=D(2026, 12, 23))
    with pytest.raises(ValidationError) as caught:
        services.term_update(actor=None, term=spring, starts_on=D(2026, 12, 1))
    assert "starts_on" in caught.value.message_dict
    spring.refresh_from_db()
    assert spring.starts_on == D(2027, 1, 8)


# --- memberships ---------------------------------------------------------------------------


def test_a_user_never_holds_two_overlapping_memberships_of_a_role_at_a_unit(world):
    person = new_user(username="rule.person", municipality=world.municipality())
    school = world.unit(UnitKind.SCHOOL)

    def give(valid_from, valid_to=None, unit=school, role=Role.REPORTER):
        return services.membership_create(
            actor=None, user=person, unit=unit, role=role, valid_from=valid_from, valid_to=valid_to
        )

    first = give(D(2026, 1, 1), D(2026, 6, 30))
    for valid_from, valid_to in (
        (D(2026, 1, 1), D(2026, 6, 30)),  # the same again (a double submit)
        (D(2026, 6, 30), None),  # starts on the last day
        (D(2025, 1, 1), D(2026, 1, 1)),  # ends on the first day
        (D(2025, 1, 1), None),  # open-ended, from before
    ):
        with pytest.raises(ValidationError) as caught:
            give(valid_from, valid_to)
        [message] = _messages(caught.value, "valid_from")
        assert "already has the role “Reporter (school staff)”" in message
    # Next to it, another role or another unit: fine.
    give(D(2026, 7, 1))
    give(D(2026, 1, 1), role=Role.PRINCIPAL)
    give(D(2026, 1, 1), unit=world.unit(UnitKind.INTAKE))
    # A refused membership does not stand in the way.
    Membership.objects.filter(pk=first.pk).update(state=MembershipState.REFUSED)
    give(D(2026, 1, 1), D(2026, 6, 30))
    assert Membership.objects.filter(user=person, role=Role.REPORTER, unit=school).count() == 3


# --- unit names ----------------------------------------------------------------------------


def test_unit_names_are_unique_per_municipality_whatever_the_case_and_spacing(world):
    leksand = world.municipality()
    created = services.unit_create(
        actor=None, municipality=leksand, name="  Ängsskolan ", kind=UnitKind.SCHOOL
    )
    assert created.name == "Ängsskolan"  # stored trimmed
    for name in ("ängsskolan", "ÄNGSSKOLAN", " Ängsskolan", "Ängsskolan  "):
        with pytest.raises(ValidationError) as caught:
            services.unit_create(actor=None, municipality=leksand, name=name, kind=UnitKind.SCHOOL)
        [message] = _messages(caught.value, "name")
        assert message == f"Leksand already has a unit called “{name.strip()}”."
    # Another municipality may have one; renaming to another's name is refused; a unit may
    # change the case of its own name.
    services.unit_create(
        actor=None, municipality=world.municipality("eksjo"), name="Ängsskolan", kind="school"
    )
    other = world.unit(UnitKind.INTAKE)
    with pytest.raises(ValidationError):
        services.unit_update(actor=None, unit=other, name="ängsskolan ")
    other.refresh_from_db()
    assert other.name == "Leksand intake"
    services.unit_update(actor=None, unit=created, name="ÄNGSSKOLAN")
    created.refresh_from_db()
    assert created.name == "ÄNGSSKOLAN"
    # (Counted in Python: SQLite's iexact does not fold "Ä", which is why the service doesn't
    # rely on it.)
    names = Unit.objects.filter(municipality=leksand).values_list("name", flat=True)
    assert [name.casefold() for name in names].count("ängsskolan") == 1


# --- the lock comes before the check -------------------------------------------------------


def _lock_and_check_order(queries, lock_table: str, checked_table: str) -> tuple[int, int]:
    sql = [query["sql"] for query in queries.captured_queries]
    lock = next(i for i, s in enumerate(sql) if "FOR UPDATE" in s and lock_table in s)
    check = next(i for i, s in enumerate(sql) if s.startswith("SELECT") and checked_table in s)
    return lock, check


def test_each_rule_is_checked_after_taking_the_lock(world):
    """The check reads the rows that could conflict only once the row lock is held, so two
    callers at the same moment are checked one after the other. (PostgreSQL only: SQLite has
    no row locks; its transactions take the database's write lock when they begin, see
    ``test_rules_concurrent``.)"""
    if not connection.features.has_select_for_update:
        # SQLite has no row locks: what serialises the checks there is that every transaction
        # takes the write lock when it begins.
        assert connection.settings_dict["OPTIONS"].get("transaction_mode") == "IMMEDIATE"
        return
    with CaptureQueriesContext(connection) as queries:
        _term(world, D(2026, 8, 17), D(2026, 12, 22))
    lock, check = _lock_and_check_order(
        queries, "organisations_municipality", "organisations_schoolterm"
    )
    assert lock < check
    with CaptureQueriesContext(connection) as queries:
        services.unit_create(
            actor=None, municipality=world.municipality(), name="Ny", kind=UnitKind.SCHOOL
        )
    lock, check = _lock_and_check_order(queries, "organisations_municipality", "organisations_unit")
    assert lock < check
    person = world.user(Role.REPORTER)
    with CaptureQueriesContext(connection) as queries:
        services.membership_create(
            actor=None, user=person, unit=world.unit(UnitKind.INTAKE), role=Role.INTAKE
        )
    lock, check = _lock_and_check_order(queries, "organisations_user", "organisations_membership")
    assert lock < check


# --- forms show the service's message on the field -----------------------------------------


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    return client


@pytest.mark.usefixtures("world")
def test_the_unit_form_shows_the_services_message_on_the_name(admin_client):
    response = admin_client.post(
        reverse("organisations:unit_create"),
        {"name": " Leksand School ", "kind": UnitKind.LEISURE},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name"] == ["Leksand already has a unit called “Leksand School”."]
    assert 'value=" Leksand School "' in response.content.decode()  # as typed


def test_the_term_form_shows_the_services_message_on_the_first_day(admin_client, world):
    _term(world, D(2026, 8, 17), D(2026, 12, 22))
    response = admin_client.post(
        reverse("organisations:term_create"),
        {"kind": "spring", "starts_on": "2026-12-20", "ends_on": "2027-06-11"},
    )
    errors = response.context["form"].errors
    assert list(errors) == ["starts_on"]
    assert errors["starts_on"][0].startswith("The dates overlap with Autumn term 2026")
    page = response.content.decode()
    assert 'value="2026-12-20"' in page
    assert 'value="2027-06-11"' in page


def test_the_role_form_shows_the_services_message_on_the_first_day(admin_client, world):
    teacher = world.user(Role.REPORTER)
    response = admin_client.post(
        reverse("organisations:membership_create", args=[teacher.pk]),
        {
            "unit": world.unit(UnitKind.SCHOOL).pk,
            "role": Role.REPORTER,
            "valid_from": timezone.localdate().isoformat(),
            "valid_to": "",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["valid_from"]
    assert "already has the role “Reporter (school staff)”" in errors["valid_from"][0]


def test_the_forms_no_longer_check_the_rules_themselves(world):
    """Only the service knows the rules: a form with a clashing name, term or role is valid."""
    from organisations.forms import MembershipForm, TermForm, UnitForm

    leksand = world.municipality()
    _term(world, D(2026, 8, 17), D(2026, 12, 22))
    unit_form = UnitForm({"name": "Leksand school", "kind": "school"}, municipalities=[leksand])
    term_form = TermForm(
        {"kind": "autumn", "starts_on": "2026-08-17", "ends_on": "2026-12-22"},
        municipalities=[leksand],
    )
    teacher = world.user(Role.REPORTER)
    role_form = MembershipForm(
        {
            "unit": world.unit(UnitKind.SCHOOL).pk,
            "role": Role.REPORTER,
            "valid_from": timezone.localdate().isoformat(),
        },
        account=teacher,
        municipalities=[leksand],
    )
    assert unit_form.is_valid(), unit_form.errors
    assert term_form.is_valid(), term_form.errors
    assert role_form.is_valid(), role_form.errors


# --- Unit.path ------------------------------------------------------------------------------


def test_a_unit_path_can_never_be_empty(world):
    root = new_unit(municipality=world.municipality(), name="Rot", kind=UnitKind.ADMINISTRATION)
    assert root.path == f"/{root.pk}/"  # the service sets it for a new root unit too
    child = new_unit(municipality=world.municipality(), name="Gren", parent=root)
    assert child.path == f"/{root.pk}/{child.pk}/"
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=child.pk).update(path="")
