"""Read confirmation (once per version, a new version asks again) and the protected read
shares per unit and sector."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from access.models import AuditEvent, AuditEventType
from governance import services
from governance.models import DocumentKind, ReadConfirmation
from governance.rules import SMALL_COUNT
from governance.selectors import routines_awaiting_confirmation
from governance.shares import CountCell, protect, read_shares
from governance.tests import builders
from organisations import services as organisation_services
from organisations.models import Membership, Role, Sector, UnitKind
from tests.factories import UserFactory

SCHOOL, SOCIAL = Sector.SCHOOL, Sector.SOCIAL_SERVICES


def _shown(cell: CountCell) -> str:
    if cell.suppressed:
        return "<5"
    if cell.hidden:
        return "hidden"
    return str(cell.value)


def _row(row):
    return (_shown(row.members), _shown(row.confirmed), row.percent)


# --- read confirmation ------------------------------------------------------------------------


def test_confirming_is_idempotent_and_audited_once(world):
    document = builders.document(world)
    version = builders.version(world, document)
    teacher = world.user(Role.REPORTER)
    first, created = services.read_confirm(user=teacher, version=version)
    again, created_again = services.read_confirm(user=teacher, version=version)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert ReadConfirmation.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.DOCUMENT_READ_CONFIRMED).count() == 1


def test_a_new_version_asks_again_and_old_versions_can_not_be_confirmed(world):
    document = builders.document(world)
    first = builders.version(world, document, approved_on=datetime.date(2025, 1, 1))
    teacher = world.user(Role.REPORTER)
    services.read_confirm(user=teacher, version=first)
    ids = {world.municipality().pk}
    assert routines_awaiting_confirmation(teacher, ids) == []
    builders.version(world, document, text="<p>Ny text.</p>", approved_on=datetime.date(2026, 1, 1))
    assert routines_awaiting_confirmation(teacher, ids) == [(document.pk, document.title)]
    with pytest.raises(ValidationError):
        services.read_confirm(user=teacher, version=first)


def test_drafts_can_not_be_confirmed_and_do_not_ask(world):
    document = builders.document(world)
    draft = builders.version(world, document, approved_on=None)
    teacher = world.user(Role.REPORTER)
    with pytest.raises(ValidationError):
        services.read_confirm(user=teacher, version=draft)
    assert routines_awaiting_confirmation(teacher, {world.municipality().pk}) == []


def test_only_routines_of_the_users_municipalities_ask(world):
    routine = builders.document(world)
    builders.version(world, routine)
    agreement = builders.document(world, kind=DocumentKind.AGREEMENT, title="Överenskommelse")
    builders.version(world, agreement)
    builders.version(world, builders.document(world, "eksjo", title="Eksjös rutin"))
    teacher = world.user(Role.REPORTER)
    assert routines_awaiting_confirmation(teacher, {world.municipality().pk}) == [
        (routine.pk, routine.title)
    ]


# --- the protection rules ---------------------------------------------------------------------


def test_small_counts_are_suppressed_and_a_lone_suppressed_unit_hides_its_sector_and_total():
    units, sectors, total = protect(
        [
            ("1", "Skola A", SCHOOL, 20, 10),
            ("2", "Skola B", SCHOOL, 3, 1),
            ("3", "Mottagningen", SOCIAL, 30, 25),
        ],
        {SCHOOL: (23, 11), SOCIAL: (30, 25)},
        (53, 36),
    )
    assert [_row(row) for row in units] == [("20", "10", 50), ("<5", "<5", None), ("30", "25", 83)]
    by_sector = {row.sector: _row(row) for row in sectors}
    # School minus school A would give school B away: the school sector is hidden...
    assert by_sector[SCHOOL] == ("hidden", "hidden", None)
    assert by_sector[SOCIAL] == ("30", "25", 83)
    # ... and so is the total, which minus social services would give the school sector.
    assert _row(total) == ("hidden", "hidden", None)


def test_two_suppressed_units_keep_the_totals():
    _units, sectors, total = protect(
        [
            ("1", "Skola A", SCHOOL, 20, 12),
            ("2", "Skola B", SCHOOL, 3, 1),
            ("3", "Skola C", SCHOOL, 2, 2),
            ("4", "Mottagningen", SOCIAL, 6, 0),
        ],
        {SCHOOL: (25, 15), SOCIAL: (6, 0)},
        (31, 15),
    )
    by_sector = {row.sector: _row(row) for row in sectors}
    assert by_sector[SCHOOL] == ("25", "15", 60)
    # Social services' confirmed count (0) is suppressed: the only one among the sectors, so
    # the total's confirmed count is hidden; its members count stays.
    assert by_sector[SOCIAL] == ("6", "<5", None)
    assert _row(total) == ("31", "hidden", None)


def test_a_share_is_not_shown_when_its_numerator_is_suppressed():
    units, _sectors, _total = protect([("1", "Skola", SCHOOL, 40, 3)], {SCHOOL: (40, 3)}, (40, 3))
    assert _row(units[0]) == ("40", "<5", None)


def _page(counts):
    """The members column as the page shows it, for units (key, name, sector, members)."""
    sums: dict[str, int] = {}
    for _key, _name, sector, members in counts:
        sums[sector] = sums.get(sector, 0) + members
    units, sectors, total = protect(
        [(key, name, sector, members, members) for key, name, sector, members in counts],
        {sector: (value, value) for sector, value in sums.items()},
        (sum(sums.values()), sum(sums.values())),
    )
    return [_shown(row.members) for row in [*units, *sectors, total]]


def test_no_suppressed_count_can_be_worked_out_from_what_is_shown():
    """For every table of four units in two sectors with counts around the threshold: each
    suppressed count has at least two values that give exactly the same page. (Counts that are
    all 0 or all 4 are fixed by their sum: the accepted case in governance.shares.)"""
    values = (1, 2, 3, 5, 7)
    for a, b, c, d in itertools.product(values, repeat=4):
        counts = [
            ("1", "A", SCHOOL, a),
            ("2", "B", SCHOOL, b),
            ("3", "C", SOCIAL, c),
            ("4", "D", SOCIAL, d),
        ]
        page = _page(counts)
        hidden = [index for index, count in enumerate(counts) if count[3] < SMALL_COUNT]
        possible: dict[int, set[int]] = {index: set() for index in hidden}
        for guess in itertools.product(range(SMALL_COUNT), repeat=len(hidden)):
            changed = list(counts)
            for index, value in zip(hidden, guess, strict=True):
                changed[index] = (*counts[index][:3], value)
            if _page(changed) == page:
                for index, value in zip(hidden, guess, strict=True):
                    possible[index].add(value)
        for index in hidden:
            assert len(possible[index]) > 1, f"{counts[index][1]} is given away by {page}"


# --- read shares from the database ------------------------------------------------------------


def _staff(world, count, kind=UnitKind.SCHOOL, role=Role.REPORTER):
    users = []
    for _ in range(count):
        user = UserFactory.create()
        organisation_services.membership_create(
            actor=None, user=user, unit=world.unit(kind), role=role
        )
        users.append(user)
    return users


def test_read_shares_per_unit_sector_and_total(world, django_assert_num_queries):
    document = builders.document(world)
    old = builders.version(world, document, approved_on=datetime.date(2025, 1, 1))
    teachers = _staff(world, 6)  # the school: the world's teacher and principal + 6 = 8
    for teacher in teachers:
        services.read_confirm(user=teacher, version=old)  # the old version does not count
    current = builders.version(world, document, approved_on=datetime.date(2026, 1, 1))
    for teacher in teachers[:5]:
        services.read_confirm(user=teacher, version=current)
    # Not staff: counted nowhere even if they confirm.
    services.read_confirm(user=world.user(Role.BOARD_MEMBER), version=current)
    # The other municipality's staff are not counted either.
    eksjo_teacher = world.user(Role.REPORTER, "eksjo")
    ReadConfirmation.objects.create(version=current, user=eksjo_teacher)

    with django_assert_num_queries(3):
        shares = read_shares(document, current, today=timezone.localdate())

    units = {row.label: _row(row) for row in shares.units}
    school = world.unit(UnitKind.SCHOOL).name
    assert units[school] == ("8", "5", 62)
    assert units[world.unit(UnitKind.INTAKE).name] == ("<5", "<5", None)
    assert world.unit(UnitKind.AUDITORS).name not in units  # auditors are not staff
    sectors = {row.sector: _row(row) for row in shares.sectors}
    # School sector: the school (8), student health (1) — one suppressed unit: hidden.
    assert sectors[Sector.SCHOOL] == ("hidden", "hidden", None)
    # 7 staff in the world + 6 = 13; confirmed 5.
    assert shares.total.members.value == 13
    assert shares.total.confirmed.value == 5
    assert shares.anything_protected


def test_read_shares_count_a_person_once_per_sector_and_only_active_memberships(world):
    document = builders.document(world)
    current = builders.version(world, document)
    teachers = _staff(world, 5)
    # One teacher also works in student health (the same sector): counted once in the sector.
    organisation_services.membership_create(
        actor=None,
        user=teachers[0],
        unit=world.unit(UnitKind.STUDENT_HEALTH),
        role=Role.STUDENT_HEALTH,
    )
    # An ended membership and a deactivated account do not count.
    ended = _staff(world, 1, kind=UnitKind.INTAKE, role=Role.INTAKE)[0]
    Membership.objects.filter(user=ended).update(
        valid_from=datetime.date(2020, 1, 1),
        valid_to=timezone.localdate() - datetime.timedelta(days=1),
    )
    gone = _staff(world, 1, kind=UnitKind.INTAKE, role=Role.INTAKE)[0]
    gone.is_active = False
    gone.save()
    shares = read_shares(document, current, today=timezone.localdate())
    units = {row.label: row for row in shares.units}
    assert units[world.unit(UnitKind.SCHOOL).name].members.value == 7
    assert units[world.unit(UnitKind.STUDENT_HEALTH).name].members.value == 2
    assert units[world.unit(UnitKind.INTAKE).name].members.value == 1
    sectors = {row.sector: row for row in shares.sectors}
    assert sectors[Sector.SCHOOL].members.value == 8  # 7 at the school + the counsellor
    assert shares.total.members.value == 12
