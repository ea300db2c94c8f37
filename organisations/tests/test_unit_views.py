"""The unit tree pages: creating, editing and moving units with clear messages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from organisations import services
from organisations.models import Role, SchoolForm, Unit, UnitKind
from organisations.tests.builders import new_unit


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    return client


def test_create_a_school_with_default_sector(admin_client, world):
    office = world.unit(UnitKind.MUNICIPAL_OFFICE)
    response = admin_client.post(
        reverse("organisations:unit_create"),
        {
            "name": "Ullvi skola",
            "parent": office.pk,
            "kind": UnitKind.SCHOOL,
            "sector": "",
            "school_forms": [SchoolForm.COMPULSORY, SchoolForm.PRESCHOOL_CLASS],
            "pupil_count": "240",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:unit_list")
    unit = Unit.objects.get(name="Ullvi skola")
    assert unit.municipality == world.municipality()
    assert unit.sector == "school"
    assert unit.parent == office
    assert unit.path == f"{office.path}{unit.pk}/"
    assert sorted(unit.school_forms) == sorted(["compulsory", "preschool_class"])
    assert unit.pupil_count == 240
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.UNIT_CREATED,
        actor=world.user(Role.MUNICIPAL_ADMIN),
        object_id=unit.pk,
    ).exists()
    page = admin_client.get(response["Location"]).content.decode()
    assert "The unit “Ullvi skola” was created." in page


@pytest.mark.usefixtures("world")
def test_the_sector_can_be_chosen(admin_client):
    admin_client.post(
        reverse("organisations:unit_create"),
        {
            "name": "Socialförvaltningen",
            "kind": UnitKind.ADMINISTRATION,
            "sector": "social_services",
        },
    )
    assert Unit.objects.get(name="Socialförvaltningen").sector == "social_services"


@pytest.mark.usefixtures("world")
def test_a_duplicate_name_is_refused_and_the_input_kept(admin_client):
    response = admin_client.post(
        reverse("organisations:unit_create"),
        {"name": "leksand SCHOOL", "kind": UnitKind.SCHOOL, "pupil_count": "12"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Leksand already has a unit called “leksand SCHOOL”." in page
    assert 'class="error-summary"' in page
    assert 'value="leksand SCHOOL"' in page
    assert 'value="12"' in page
    assert Unit.objects.filter(name__iexact="leksand school").count() == 1


def test_the_same_name_in_another_municipality_is_fine(client, world):
    client.force_login(world.user(Role.MUNICIPAL_ADMIN, "eksjo"))
    response = client.post(
        reverse("organisations:unit_create"), {"name": "Leksand school", "kind": UnitKind.LEISURE}
    )
    assert response.status_code == 302


@pytest.mark.usefixtures("world")
def test_school_fields_only_for_schools(admin_client):
    response = admin_client.post(
        reverse("organisations:unit_create"),
        {
            "name": "Fritidsgården",
            "kind": UnitKind.LEISURE,
            "school_forms": [SchoolForm.COMPULSORY],
            "pupil_count": "30",
        },
    )
    page = response.content.decode()
    assert "School forms apply only to schools and preschools." in page
    assert "The number of pupils applies only to schools and preschools." in page
    assert not Unit.objects.filter(name="Fritidsgården").exists()


def test_negative_pupils_and_missing_fields_get_messages(admin_client):
    response = admin_client.post(
        reverse("organisations:unit_create"), {"name": "", "kind": "", "pupil_count": "-3"}
    )
    form = response.context["form"]
    assert set(form.errors) == {"name", "kind", "pupil_count"}


def test_a_parent_from_another_municipality_is_not_a_choice(admin_client, world):
    response = admin_client.post(
        reverse("organisations:unit_create"),
        {
            "name": "Smugglad",
            "kind": UnitKind.SCHOOL,
            "parent": world.unit(UnitKind.SCHOOL, "eksjo").pk,
        },
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert not Unit.objects.filter(name="Smugglad").exists()


def test_moving_a_unit_under_its_own_child_is_refused(admin_client, world):
    municipality = world.municipality()
    top = new_unit(municipality=municipality, name="Barn och utbildning", kind="administration")
    child = new_unit(
        municipality=municipality, name="Grundskolor", kind="administration", parent=top
    )
    url = reverse("organisations:unit_edit", args=[top.pk])
    data = {"name": top.name, "kind": top.kind, "parent": child.pk, "is_active": "on"}
    page = admin_client.post(url, data).content.decode()
    assert "“Grundskolor” is below “Barn och utbildning” in the tree." in page
    page = admin_client.post(url, {**data, "parent": top.pk}).content.decode()
    assert "A unit can not be part of itself." in page
    top.refresh_from_db()
    assert top.parent is None


def test_moving_and_deactivating_a_unit(admin_client, world):
    municipality = world.municipality()
    top = new_unit(municipality=municipality, name="Barn och utbildning", kind="administration")
    school = world.unit(UnitKind.SCHOOL)
    response = admin_client.post(
        reverse("organisations:unit_edit", args=[school.pk]),
        {
            "name": "Leksand school",
            "kind": UnitKind.SCHOOL,
            "sector": "school",
            "parent": top.pk,
            "school_forms": [SchoolForm.COMPULSORY],
            "pupil_count": "300",
        },
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.parent == top
    assert school.path == f"/{top.pk}/{school.pk}/"
    assert not school.is_active
    event = AuditEvent.objects.get(event_type=AuditEventType.UNIT_UPDATED, object_id=school.pk)
    assert event.new_values == {"parent_id": top.pk, "is_active": False}


def test_the_edit_form_shows_current_values(admin_client, world):
    school = world.unit(UnitKind.SCHOOL)
    page = admin_client.get(reverse("organisations:unit_edit", args=[school.pk])).content.decode()
    assert 'value="Leksand school"' in page
    assert 'value="300"' in page
    assert re.search(r'value="compulsory"[^>]*checked', page)
    assert not re.search(r'value="upper_secondary"[^>]*checked', page)


def test_the_tree_is_indented_and_ordered(admin_client, world):
    municipality = world.municipality()
    top = new_unit(municipality=municipality, name="Aaa förvaltning", kind="administration")
    new_unit(municipality=municipality, name="Zzz skola", parent=top)
    page = admin_client.get(reverse("organisations:unit_list")).content.decode()
    assert page.index("Aaa förvaltning") < page.index("Zzz skola") < page.index("Leksand auditors")
    assert "&emsp;&emsp;└" in page


def _add_units(world, count, start=0):
    municipality = world.municipality()
    parent = None
    for index in range(start, start + count):
        parent = new_unit(
            municipality=municipality,
            name=f"Enhet {index:03d}",
            kind=UnitKind.ADMINISTRATION,
            parent=parent if index % 3 else None,
        )


def test_unit_list_query_count_is_pinned(admin_client, world, django_assert_num_queries):
    """The tree costs the same number of queries for 3 extra units as for 60, and one of them
    reads the units."""
    url = reverse("organisations:unit_list")
    _add_units(world, 3)
    admin_client.get(url)  # the session's first request does some one-off work
    with CaptureQueriesContext(connection) as small:
        admin_client.get(url)
    unit_queries = [q for q in small.captured_queries if 'FROM "organisations_unit"' in q["sql"]]
    assert len(unit_queries) == 1
    _add_units(world, 57, start=3)
    with django_assert_num_queries(len(small)):
        response = admin_client.get(url)
    assert response.content.decode().count('/">Enhet 0') == 60


def test_an_admin_of_two_municipalities_chooses_where_a_unit_goes(client, world):
    admin = world.user(Role.MUNICIPAL_ADMIN)
    services.membership_create(
        actor=None,
        user=admin,
        unit=world.unit(UnitKind.MUNICIPAL_OFFICE, "eksjo"),
        role=Role.MUNICIPAL_ADMIN,
    )
    client.force_login(admin)
    trees = client.get(reverse("organisations:unit_list")).context["trees"]
    assert [tree.municipality.name for tree in trees] == ["Eksjö", "Leksand"]
    url = reverse("organisations:unit_create")
    assert "municipality" in client.get(url).context["form"].fields
    response = client.post(
        url,
        {
            "municipality": world.municipality("eksjo").pk,
            "parent": world.unit(UnitKind.MUNICIPAL_OFFICE, "leksand").pk,
            "name": "Vilse",
            "kind": UnitKind.LEISURE,
        },
    )
    assert "The unit above must belong to the same municipality as the unit." in (
        response.content.decode()
    )
    response = client.post(
        url,
        {
            "municipality": world.municipality("eksjo").pk,
            "parent": world.unit(UnitKind.MUNICIPAL_OFFICE, "eksjo").pk,
            "name": "Hittad",
            "kind": UnitKind.LEISURE,
        },
    )
    assert response.status_code == 302
    assert Unit.objects.get(name="Hittad").municipality == world.municipality("eksjo")
