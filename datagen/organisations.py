"""Municipalities, their units, staff accounts with role memberships, and school terms.

Each municipality gets the tree of ``organisations.demo`` (office, board, education with its
schools and student health, social services with the intake, the health region's clinics,
the police, leisure, the auditors) and staff in every role of DESIGN.md section 2, in numbers
that grow with its size. The plan of each municipality (:class:`Place`) keeps the ids the
later generators need, so nothing is read back from the database.
"""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from datagen import names
from datagen.loader import Loader
from organisations.demo import school_year_breaks, school_year_terms
from organisations.models import (
    DEFAULT_SECTOR_BY_KIND,
    Membership,
    MembershipState,
    Municipality,
    Role,
    SchoolBreak,
    SchoolForm,
    SchoolTerm,
    Unit,
    UnitKind,
    User,
)

# The manifest's role keys, with the role and the unit key of the membership.
STAFF_ROLES = {
    "intake": Role.INTAKE,
    "teacher": Role.REPORTER,
    "principal": Role.PRINCIPAL,
    "student_health": Role.STUDENT_HEALTH,
    "nurse": Role.MEDICAL_STUDENT_HEALTH,
    "coordinator": Role.COORDINATOR,
    "manager": Role.MANAGER,
    "board": Role.BOARD_MEMBER,
    "auditor": Role.AUDITOR,
    "municipal_admin": Role.MUNICIPAL_ADMIN,
    "sip": Role.SIP_PARTICIPANT,
}
_TITLES = {
    "intake": "Socialsekreterare",
    "teacher": "Lärare",
    "principal": "Rektor",
    "student_health": "Skolkurator",
    "nurse": "Skolsköterska",
    "coordinator": "Samordnare",
    "manager": "Förvaltningschef",
    "board": "Ledamot i kommunstyrelsen",
    "auditor": "Förtroendevald revisor",
    "municipal_admin": "Systemförvaltare",
    "sip": "Psykolog, BUP",
}
_SCHOOL_FORMS = (
    [SchoolForm.PRESCHOOL],
    [SchoolForm.PRESCHOOL_CLASS, SchoolForm.COMPULSORY, SchoolForm.AFTER_SCHOOL],
    [SchoolForm.COMPULSORY],
    [SchoolForm.UPPER_SECONDARY],
)


@dataclass
class Place:
    """One generated municipality: its size and the ids of its units and staff."""

    index: int
    id: int
    name: str
    slug: str
    reports: int
    school_count: int
    user_count: int
    units: dict[str, int] = field(default_factory=dict)
    schools: list[int] = field(default_factory=list)
    school_pupils: list[int] = field(default_factory=list)
    # Role key -> user ids; teachers and principals also by school index.
    staff: dict[str, list[int]] = field(default_factory=dict)
    teachers_by_school: list[list[int]] = field(default_factory=list)
    principal_by_school: list[int] = field(default_factory=list)
    usernames: dict[int, str] = field(default_factory=dict)
    # user id -> (role, unit id) of the membership that lets them read children's data.
    membership_of: dict[int, tuple[str, int]] = field(default_factory=dict)


def _staff_numbers(users: int, schools: int) -> dict[str, int]:
    numbers = {
        "intake": max(2, round(users * 0.04)),
        "principal": schools,
        "student_health": max(1, schools // 3),
        "nurse": max(1, schools // 4),
        "coordinator": 1 + (users > 2_000),
        "manager": 2,
        "board": 3,
        "auditor": 2,
        "municipal_admin": 1 + (users > 2_000),
        "sip": max(1, round(users * 0.01)),
    }
    numbers["teacher"] = max(schools, users - sum(numbers.values()))
    return numbers


class OrganisationWriter:
    """Writes municipalities, units, users, memberships, terms and breaks."""

    def __init__(self, loader: Loader, *, as_of: datetime.date, years: int, password: str) -> None:
        self.loader = loader
        self.as_of = as_of
        self.years = years
        self.password = password
        self.joined = datetime.datetime(as_of.year - years - 1, 1, 1, 8, tzinfo=datetime.UTC)
        self.municipalities = loader.table(Municipality, ["id", "name", "code"])
        self.units = loader.table(
            Unit,
            [
                "id",
                "municipality_id",
                "parent_id",
                "name",
                "kind",
                "sector",
                "school_forms",
                "pupil_count",
                "staff_count",
                "is_active",
                "path",
            ],
            parents=[self.municipalities],
        )
        self.users = loader.table(
            User,
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "municipality_id",
                "title",
                "phone",
            ],
            parents=[self.municipalities],
        )
        self.memberships = loader.table(
            Membership,
            [
                "id",
                "user_id",
                "unit_id",
                "role",
                "valid_from",
                "valid_to",
                "includes_subtree",
                "state",
                "decided_by_id",
                "decided_at",
                "created_at",
            ],
            parents=[self.users, self.units],
        )
        self.terms = loader.table(
            SchoolTerm, ["id", "municipality_id", "kind", "starts_on", "ends_on"], [self.units]
        )
        self.breaks = loader.table(
            SchoolBreak,
            ["id", "municipality_id", "kind", "name", "starts_on", "ends_on"],
            [self.units],
        )

    def write(self, rng: random.Random, place: Place, code: str) -> None:
        """Write one municipality with everything it has; fills in ``place``."""
        self.municipalities.add((place.id, place.name, code))
        self._units(rng, place)
        self._staff(rng, place)
        self._calendar(place)

    def _unit(
        self,
        place: Place,
        key: str,
        name: str,
        kind: str,
        parent: str = "",
        *,
        forms: Sequence[str] = (),
        pupils: int | None = None,
    ) -> int:
        unit_id = self.loader.next_id(Unit)
        parent_id = place.units[parent] if parent else None
        parent_path = self._paths[parent_id] if parent_id else "/"
        path = f"{parent_path}{unit_id}/"
        self._paths[unit_id] = path
        staff = max(10, pupils // 10) if pupils else None
        self.units.add(
            (
                unit_id,
                place.id,
                parent_id,
                name,
                kind,
                DEFAULT_SECTOR_BY_KIND[kind],
                forms or [],
                pupils,
                staff,
                True,
                path,
            )
        )
        place.units[key] = unit_id
        return unit_id

    def _units(self, rng: random.Random, place: Place) -> None:
        self._paths: dict[int, str] = {}
        town = place.name
        self._unit(place, "office", f"{town} kommunledningskontor", UnitKind.MUNICIPAL_OFFICE)
        self._unit(place, "board", "Kommunstyrelsen", UnitKind.MUNICIPAL_OFFICE, "office")
        self._unit(
            place, "education", "Barn- och utbildningsförvaltningen", UnitKind.ADMINISTRATION
        )
        for number in range(place.school_count):
            forms = _SCHOOL_FORMS[number % len(_SCHOOL_FORMS)]
            kind = UnitKind.PRESCHOOL if forms == _SCHOOL_FORMS[0] else UnitKind.SCHOOL
            word = names.SCHOOL_WORDS[number % len(names.SCHOOL_WORDS)]
            name = f"{names.municipality_name(number)}{word} {number + 1}"
            pupils = rng.randint(40, 120) if kind == UnitKind.PRESCHOOL else rng.randint(120, 650)
            unit_id = self._unit(
                place, f"school{number}", name, kind, "education", forms=forms, pupils=pupils
            )
            place.schools.append(unit_id)
            place.school_pupils.append(pupils)
        self._unit(place, "student_health", "Elevhälsan", UnitKind.STUDENT_HEALTH, "education")
        self._unit(
            place, "medical", "Medicinska elevhälsan", UnitKind.MEDICAL_STUDENT_HEALTH, "education"
        )
        self._unit(
            place,
            "social",
            "Socialförvaltningen, individ- och familjeomsorg",
            UnitKind.ADMINISTRATION,
        )
        self._unit(place, "intake", "IFO mottagning barn och unga", UnitKind.INTAKE, "social")
        self._unit(
            place, "youth_unit", "Barn- och ungdomsenheten", UnitKind.SOCIAL_SERVICES_UNIT, "social"
        )
        self._unit(place, "youth_health", "Regionen, Ungdomshälsan", UnitKind.HEALTH_REGION_CLINIC)
        self._unit(
            place, "cap", "Regionen, barn- och ungdomspsykiatrin", UnitKind.HEALTH_REGION_CLINIC
        )
        self._unit(place, "police", f"Polisen, lokalpolisområde {town}", UnitKind.POLICE)
        self._unit(place, "leisure", "Fritidsgården", UnitKind.LEISURE)
        self._unit(place, "auditors", "Kommunens revisorer", UnitKind.AUDITORS)

    def _staff(self, rng: random.Random, place: Place) -> None:
        numbers = _staff_numbers(place.user_count, place.school_count)
        place.teachers_by_school = [[] for _school in place.schools]
        # Teachers in proportion to the pupils, at least one per school.
        pupils = sum(place.school_pupils)
        teacher_school: list[int] = []
        for index, count in enumerate(place.school_pupils):
            teacher_school += [index] * max(1, round(numbers["teacher"] * count / pupils))
        numbers["teacher"] = len(teacher_school)
        for key, count in numbers.items():
            place.staff[key] = []
            for number in range(count):
                school = None
                if key == "teacher":
                    school = teacher_school[number]
                elif key == "principal":
                    school = number
                self._user(rng, place, key, number, school)

    def _user(
        self, rng: random.Random, place: Place, key: str, number: int, school: int | None
    ) -> None:
        user_id = self.loader.next_id(User)
        username = f"{key}{number + 1}.{place.slug}"
        first, last = names.person(rng)
        phone = f"070-174 06 {10 + user_id % 90:02d}"  # the range PTS keeps for fiction
        self.users.add(
            (
                user_id,
                self.password,
                None,
                False,
                username,
                first,
                last,
                f"{username}@example.org",
                False,
                True,
                self.joined,
                place.id,
                _TITLES[key],
                phone,
            )
        )
        place.staff[key].append(user_id)
        place.usernames[user_id] = username
        unit_key = {
            "intake": "intake",
            "student_health": "student_health",
            "nurse": "medical",
            "coordinator": "office",
            "manager": "education",
            "board": "board",
            "auditor": "auditors",
            "municipal_admin": "office",
            "sip": ("cap", "youth_unit", "youth_health")[number % 3],
        }.get(key, "")
        if school is not None:
            unit_id = place.schools[school]
            if key == "teacher":
                place.teachers_by_school[school].append(user_id)
            else:
                place.principal_by_school.append(user_id)
        else:
            unit_id = place.units[unit_key]
        role = STAFF_ROLES[key]
        place.membership_of[user_id] = (role, unit_id)
        self.memberships.add(
            (
                self.loader.next_id(Membership),
                user_id,
                unit_id,
                role,
                self.joined.date(),
                None,
                key == "manager",
                MembershipState.ACTIVE,
                None,
                None,
                self.joined,
            )
        )

    def _calendar(self, place: Place) -> None:
        terms: dict[tuple[str, datetime.date], datetime.date] = {}
        breaks: dict[tuple[str, datetime.date], datetime.date] = {}
        for year in range(self.as_of.year - self.years, self.as_of.year + 1):
            autumn = datetime.date(year, 9, 1)
            for kind, starts_on, ends_on in school_year_terms(autumn):
                terms[(kind, starts_on)] = ends_on
            for kind, starts_on, ends_on in school_year_breaks(autumn, winter_week=9):
                breaks[(kind, starts_on)] = ends_on
        for (kind, starts_on), ends_on in sorted(terms.items(), key=lambda item: item[0][1]):
            self.terms.add((self.loader.next_id(SchoolTerm), place.id, kind, starts_on, ends_on))
        for (kind, starts_on), ends_on in sorted(breaks.items(), key=lambda item: item[0][1]):
            self.breaks.add(
                (self.loader.next_id(SchoolBreak), place.id, kind, "", starts_on, ends_on)
            )
