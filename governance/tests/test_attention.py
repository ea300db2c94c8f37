"""The start page: coordinators and managers see documents with alerts; every member of staff
is asked once (not once per role) to confirm a new version of the routine."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.attention import start_sections
from governance import services
from governance.models import DocumentKind
from governance.tests import builders
from organisations import services as organisation_services
from organisations.models import Role, UnitKind

TODAY = timezone.localdate


def _items(user):
    """The start page's items from governance documents (other apps add their own)."""
    return [
        (section.role, str(item.text), item.url, item.severity)
        for section in start_sections(user)
        for item in section.items
        if item.url.startswith("/styrdokument/")
    ]


def _expired_agreement(world, place="leksand"):
    document = builders.document(
        world, place, kind=DocumentKind.AGREEMENT, title="Samverkansöverenskommelse"
    )
    builders.version(
        world,
        document,
        approved_on=datetime.date(2017, 11, 14),
        valid_from=datetime.date(2018, 1, 1),
        valid_to=datetime.date(2021, 12, 31),
    )
    return document


def test_the_coordinator_sees_documents_with_alerts_red_first(world):
    agreement = _expired_agreement(world)
    soon = builders.document(world, kind=DocumentKind.OTHER, title="Riktlinje")
    builders.version(
        world, soon, approved_on=TODAY() - datetime.timedelta(days=365 - 30)
    )  # revision in 30 days
    fine = builders.document(world, kind=DocumentKind.OTHER, title="Aktuell")
    builders.version(world, fine, approved_on=TODAY())
    _expired_agreement(world, "eksjo")
    items = [item for item in _items(world.user(Role.COORDINATOR)) if "routine" not in item[1]]
    assert items == [
        (
            Role.COORDINATOR,
            "Samverkansöverenskommelse: Expired on Dec. 31, 2021; "
            "Revision overdue since Nov. 14, 2018.",
            reverse("governance:document_detail", args=[agreement.pk]),
            "danger",
        ),
        (
            Role.COORDINATOR,
            "Riktlinje: Revision due on "
            + date_format(TODAY() + datetime.timedelta(days=30), "DATE_FORMAT")
            + ".",
            reverse("governance:document_detail", args=[soon.pk]),
            "warning",
        ),
    ]


def test_a_user_who_is_coordinator_and_manager_sees_each_item_once(world):
    _expired_agreement(world)
    coordinator = world.user(Role.COORDINATOR)
    organisation_services.membership_create(
        actor=None,
        user=coordinator,
        unit=world.unit(UnitKind.MUNICIPAL_OFFICE),
        role=Role.MANAGER,
    )
    items = _items(coordinator)
    assert [item[0] for item in items] == [Role.COORDINATOR]
    assert _items(world.user(Role.MANAGER))[0][1].startswith("Samverkansöverenskommelse")


def test_teachers_do_not_see_document_alerts(world):
    _expired_agreement(world)
    assert _items(world.user(Role.REPORTER)) == []
    assert _items(world.user(Role.BOARD_MEMBER)) == []


def test_staff_are_asked_once_to_confirm_the_routine_until_they_have(world):
    routine = builders.document(world, title="Samverkansrutin")
    version = builders.version(world, routine, approved_on=TODAY())
    principal = world.user(Role.PRINCIPAL)
    # The principal also teaches: two staff sections, one reminder.
    organisation_services.membership_create(
        actor=None, user=principal, unit=world.unit(UnitKind.SCHOOL), role=Role.REPORTER
    )
    url = reverse("governance:document_detail", args=[routine.pk]) + "#read-confirmation"
    expected = "A new version of the routine is waiting for your confirmation: Samverkansrutin."
    assert _items(principal) == [(Role.REPORTER, expected, url, "warning")]
    for role in (Role.INTAKE, Role.COORDINATOR, Role.MANAGER, Role.MEDICAL_STUDENT_HEALTH):
        assert [item[1] for item in _items(world.user(role))] == [expected], role
    # Not staff: the board, the auditors, the admin; nor the other municipality.
    for user in (
        world.user(Role.BOARD_MEMBER),
        world.user(Role.AUDITOR),
        world.user(Role.MUNICIPAL_ADMIN),
        world.user(Role.REPORTER, "eksjo"),
    ):
        assert _items(user) == []
    services.read_confirm(user=principal, version=version)
    assert _items(principal) == []
    builders.version(world, routine, text="<p>Ny</p>", approved_on=TODAY())
    assert [item[1] for item in _items(principal)] == [expected]


def test_the_reminder_costs_one_query(world, django_assert_num_queries):
    from governance.attention import read_confirmation_attention
    from organisations.selectors import memberships_of

    builders.version(world, builders.document(world), approved_on=TODAY())
    teacher = world.user(Role.REPORTER)
    memberships = memberships_of(teacher)
    with django_assert_num_queries(1):
        assert len(read_confirmation_attention(teacher, memberships)) == 1
