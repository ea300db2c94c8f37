"""The report page's people to choose from, read in one query (``intake_people``), are the
same as the two lists the forms check a choice against, and the forms show them unchanged."""

import datetime

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.forms import ListedChoiceIterator, offer_rows
from organisations import services
from organisations.models import Role, Unit, UnitKind, User
from reports.forms_intake import AssignForm
from reports.selectors_worklist import intake_case_workers, intake_decision_makers, intake_people
from tests.factories import UnitFactory, UserFactory
from tests.world import World

pytestmark = pytest.mark.django_db


def _person(world: World, first_name: str, unit: Unit, *roles: str, **when: object) -> User:
    person = UserFactory.create(
        first_name=first_name, last_name="Testsson", municipality=world.municipality()
    )
    for role in roles:
        services.membership_create(actor=None, user=person, unit=unit, role=role, **when)  # type: ignore[arg-type]
    return person


@pytest.fixture
def staff(world: World) -> dict[str, User]:
    """People of every kind the lists must take or leave out."""
    intake = world.unit(UnitKind.INTAKE)
    closed = UnitFactory.create(
        municipality=world.municipality(), name="Gamla mottagningen", kind=UnitKind.INTAKE
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    people = {
        "worker": _person(world, "Åsa", intake, Role.INTAKE),
        "head": _person(world, "Bertil", intake, Role.MANAGER),
        # Both roles: once in each list.
        "both": _person(world, "Cecilia", intake, Role.INTAKE, Role.MANAGER),
        "gone": _person(world, "David", intake, Role.INTAKE),
        "ended": _person(
            world,
            "Eva",
            intake,
            Role.INTAKE,
            valid_from=yesterday - datetime.timedelta(days=30),
            valid_to=yesterday,
        ),
        "closed_unit": _person(world, "Filip", closed, Role.INTAKE),
        "elsewhere": _person(world, "Gun", world.unit(UnitKind.INTAKE, "eksjo"), Role.INTAKE),
        "at_school": _person(world, "Hans", world.unit(UnitKind.SCHOOL), Role.PRINCIPAL),
    }
    User.objects.filter(pk=people["gone"].pk).update(is_active=False)
    Unit.objects.filter(pk=closed.pk).update(is_active=False)
    return people


def test_one_query_gives_both_lists_as_the_forms_check_them(world: World, staff) -> None:
    municipality_id = world.municipality().pk
    with CaptureQueriesContext(connection) as queries:
        people = intake_people(municipality_id)
    assert len(queries) == 1
    assert people.case_workers == list(intake_case_workers(municipality_id))
    assert people.decision_makers == list(intake_decision_makers(municipality_id))
    workers = {person.pk for person in people.case_workers}
    makers = {person.pk for person in people.decision_makers}
    assert {staff["worker"].pk, staff["both"].pk} <= workers
    assert staff["head"].pk not in workers
    assert {staff["worker"].pk, staff["head"].pk, staff["both"].pk} <= makers
    assert len(people.decision_makers) == len(makers)  # nobody twice
    for left_out in ("gone", "ended", "closed_unit", "elsewhere", "at_school"):
        assert staff[left_out].pk not in makers | workers, left_out


def test_the_form_shows_offered_rows_as_its_queryset_would(world: World, staff) -> None:
    municipality_id = world.municipality().pk
    initial = {"owner": staff["both"].pk}
    plain = AssignForm(initial=initial, workers=intake_case_workers(municipality_id))
    offered = AssignForm(initial=initial, workers=intake_case_workers(municipality_id))
    offer_rows(offered.fields["owner"], intake_people(municipality_id).case_workers)
    with CaptureQueriesContext(connection) as queries:
        shown = str(offered["owner"])
    assert len(queries) == 0
    assert shown == str(plain["owner"])
    assert "Cecilia Testsson" in shown
    # A submitted choice is still checked against the queryset.
    bound = AssignForm({"owner": staff["head"].pk}, workers=intake_case_workers(municipality_id))
    offer_rows(bound.fields["owner"], intake_people(municipality_id).case_workers)
    assert not bound.is_valid()


def test_only_a_listed_model_choice_field_takes_offered_rows() -> None:
    with pytest.raises(TypeError):
        offer_rows(forms.ModelChoiceField(queryset=User.objects.all()), [])
    with pytest.raises(TypeError):
        offer_rows(forms.CharField(), [])

    class Listed(forms.ModelChoiceField):
        iterator = ListedChoiceIterator

    offer_rows(Listed(queryset=User.objects.all()), [])
