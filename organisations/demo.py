"""Demo organisations: Leksand and Eksjö with the units their audits describe, school terms and
school breaks for the past, current and next school year, the numbers of the intake and the
emergency line, and one user per role named ``<role>.<municipality>``.

Everything is invented (the school names too); loading twice changes nothing.
"""

import datetime
from dataclasses import dataclass

from dateutil.easter import easter
from django.db import transaction

from organisations import services, services_breaks, services_contacts
from organisations.models import (
    BreakKind,
    Membership,
    Municipality,
    MunicipalityContacts,
    Role,
    SchoolBreak,
    SchoolForm,
    SchoolTerm,
    TermKind,
    Unit,
    UnitKind,
    User,
)
from organisations.services_contacts import ContactValues

DEMO_PASSWORD = "samverkan-demo"  # noqa: S105 - documented demo password


@dataclass(frozen=True)
class UnitSpec:
    key: str
    name: str
    kind: str
    parent: str = ""
    forms: tuple[str, ...] = ()
    pupils: int | None = None


@dataclass(frozen=True)
class UserSpec:
    name: str  # the part before the dot: teacher, nurse, ...
    first_name: str
    last_name: str
    title: str
    role: str
    unit: str
    subtree: bool = False


def _units(town: str, region: str, schools: list[UnitSpec]) -> list[UnitSpec]:
    return [
        UnitSpec("office", f"{town} kommunledningskontor", UnitKind.MUNICIPAL_OFFICE),
        UnitSpec("board", "Kommunstyrelsen", UnitKind.MUNICIPAL_OFFICE, parent="office"),
        UnitSpec("education", "Barn- och utbildningsförvaltningen", UnitKind.ADMINISTRATION),
        *schools,
        UnitSpec("student_health", "Elevhälsan", UnitKind.STUDENT_HEALTH, parent="education"),
        UnitSpec(
            "medical", "Medicinska elevhälsan", UnitKind.MEDICAL_STUDENT_HEALTH, parent="education"
        ),
        UnitSpec(
            "social", "Socialförvaltningen, individ- och familjeomsorg", UnitKind.ADMINISTRATION
        ),
        UnitSpec("intake", "IFO mottagning barn och unga", UnitKind.INTAKE, parent="social"),
        UnitSpec(
            "youth_unit", "Barn- och ungdomsenheten", UnitKind.SOCIAL_SERVICES_UNIT, parent="social"
        ),
        UnitSpec("youth_health", f"{region}, Ungdomshälsan", UnitKind.HEALTH_REGION_CLINIC),
        UnitSpec("cap", f"{region}, barn- och ungdomspsykiatrin", UnitKind.HEALTH_REGION_CLINIC),
        UnitSpec("police", f"Polisen, lokalpolisområde {town}", UnitKind.POLICE),
        UnitSpec("leisure", "Fritidsgården", UnitKind.LEISURE),
        UnitSpec("auditors", "Kommunens revisorer", UnitKind.AUDITORS),
    ]


_LEKSAND_SCHOOLS = [
    UnitSpec(
        "preschool",
        "Solgläntans förskola",
        UnitKind.PRESCHOOL,
        "education",
        (SchoolForm.PRESCHOOL,),
        64,
    ),
    UnitSpec(
        "school_f6",
        "Västanviks skola F–6",
        UnitKind.SCHOOL,
        "education",
        (SchoolForm.PRESCHOOL_CLASS, SchoolForm.COMPULSORY, SchoolForm.AFTER_SCHOOL),
        236,
    ),
    UnitSpec(
        "school_79", "Åkerö skola 7–9", UnitKind.SCHOOL, "education", (SchoolForm.COMPULSORY,), 318
    ),
    UnitSpec(
        "upper",
        "Leksands gymnasium",
        UnitKind.SCHOOL,
        "education",
        (SchoolForm.UPPER_SECONDARY,),
        540,
    ),
]
_EKSJO_SCHOOLS = [
    UnitSpec(
        "preschool",
        "Linnéans förskola",
        UnitKind.PRESCHOOL,
        "education",
        (SchoolForm.PRESCHOOL,),
        72,
    ),
    UnitSpec(
        "school_f6",
        "Norrtulls skola F–6",
        UnitKind.SCHOOL,
        "education",
        (SchoolForm.PRESCHOOL_CLASS, SchoolForm.COMPULSORY, SchoolForm.AFTER_SCHOOL),
        265,
    ),
    UnitSpec(
        "school_79",
        "Furulidsskolan 7–9",
        UnitKind.SCHOOL,
        "education",
        (SchoolForm.COMPULSORY,),
        352,
    ),
    UnitSpec(
        "upper", "Eksjö gymnasium", UnitKind.SCHOOL, "education", (SchoolForm.UPPER_SECONDARY,), 610
    ),
]

MUNICIPALITIES = {
    "leksand": ("Leksand", "2029", _units("Leksand", "Region Dalarna", _LEKSAND_SCHOOLS)),
    "eksjo": ("Eksjö", "0686", _units("Eksjö", "Region Jönköpings län", _EKSJO_SCHOOLS)),
}

USERS = [
    UserSpec("teacher", "Tove", "Lärare", "Lärare", Role.REPORTER, "school_79"),
    UserSpec(
        "nurse", "Nora", "Skolsköterska", "Skolsköterska", Role.MEDICAL_STUDENT_HEALTH, "medical"
    ),
    UserSpec("counsellor", "Kim", "Kurator", "Skolkurator", Role.STUDENT_HEALTH, "student_health"),
    UserSpec("principal", "Per", "Rektor", "Rektor", Role.PRINCIPAL, "school_79"),
    UserSpec("intake", "Iris", "Mottagning", "Socialsekreterare", Role.INTAKE, "intake"),
    UserSpec("coordinator", "Sam", "Samordnare", "Samordnare", Role.COORDINATOR, "office"),
    UserSpec(
        "manager", "Maja", "Chef", "Förvaltningschef", Role.MANAGER, "education", subtree=True
    ),
    UserSpec("board", "Bo", "Ledamot", "Ledamot i kommunstyrelsen", Role.BOARD_MEMBER, "board"),
    UserSpec("auditor", "Rut", "Revisor", "Förtroendevald revisor", Role.AUDITOR, "auditors"),
    UserSpec("admin", "Ada", "Administratör", "Systemförvaltare", Role.MUNICIPAL_ADMIN, "office"),
    # The health region's child and adolescent psychiatry (BUP): a party to the demo SIPs,
    # who may also convene one (sip.demo).
    UserSpec("bup", "Bea", "Barnpsykiatri", "Psykolog, BUP", Role.SIP_PARTICIPANT, "cap"),
]


def school_year_terms(today: datetime.date) -> list[tuple[str, datetime.date, datetime.date]]:
    """Terms of the past, current and next school year (a school year starts in August); the
    past year gives the demo's annual wheel its history."""
    first = today.year if today.month >= 7 else today.year - 1
    terms: list[tuple[str, datetime.date, datetime.date]] = []
    for year in (first - 1, first, first + 1):
        terms.append((TermKind.AUTUMN, datetime.date(year, 8, 18), datetime.date(year, 12, 18)))
        terms.append(
            (TermKind.SPRING, datetime.date(year + 1, 1, 8), datetime.date(year + 1, 6, 11))
        )
    return terms


# Sportlov differs by county: Dalarna (Leksand) has it in week 9, Jönköping county (Eksjö) in
# week 7. Keyed by municipality code.
WINTER_BREAK_WEEK = {"2029": 9, "0686": 7}


def _weekdays_of(year: int, week: int) -> tuple[datetime.date, datetime.date]:
    monday = datetime.date.fromisocalendar(year, week, 1)
    return monday, monday + datetime.timedelta(days=4)


def school_year_breaks(
    today: datetime.date, *, winter_week: int
) -> list[tuple[str, datetime.date, datetime.date]]:
    """Plausible breaks for the school years of :func:`school_year_terms`: höstlov in week 44,
    jullov between the terms, sportlov in ``winter_week`` and påsklov in the week after Easter
    Sunday (Easter Monday to Friday)."""
    first = today.year if today.month >= 7 else today.year - 1
    breaks: list[tuple[str, datetime.date, datetime.date]] = []
    for year in (first - 1, first, first + 1):
        breaks.append((BreakKind.AUTUMN, *_weekdays_of(year, 44)))
        breaks.append(
            (BreakKind.CHRISTMAS, datetime.date(year, 12, 19), datetime.date(year + 1, 1, 7))
        )
        breaks.append((BreakKind.WINTER, *_weekdays_of(year + 1, winter_week)))
        easter_monday = easter(year + 1) + datetime.timedelta(days=1)
        breaks.append((BreakKind.EASTER, easter_monday, easter_monday + datetime.timedelta(days=4)))
    return breaks


# The numbers school staff call (the intake, the emergency line). Invented: every number is
# in the range the Swedish Post and Telecom Authority (PTS) keeps for fiction, 070-174 06 05
# to 070-174 06 99, so a demo user who dials one reaches nobody; the hours say it is a demo.
# 05 to 08: the guardians of the demo reports have numbers from 10 on (reports.demo).
_DEMO_NUMBER = "påhittat nummer i demon"
DEMO_CONTACTS = {
    "2029": ContactValues(
        intake_phone="070-174 06 05",
        intake_hours=f"Vardagar 8.00–16.30, lunchstängt 12.00–13.00 ({_DEMO_NUMBER})",
        emergency_name="Socialjouren Dalarna",
        emergency_phone="070-174 06 06",
        emergency_hours=f"Vardagar 16.30–8.00, helger dygnet runt ({_DEMO_NUMBER})",
    ),
    "0686": ContactValues(
        intake_phone="070-174 06 07",
        intake_hours=f"Måndag–torsdag 8.00–16.30, fredag 8.00–15.00 ({_DEMO_NUMBER})",
        emergency_name="Socialjouren Höglandet",
        emergency_phone="070-174 06 08",
        emergency_hours=f"Kvällar, nätter, helger och helgdagar ({_DEMO_NUMBER})",
    ),
}


def load(*, today: datetime.date) -> list[str]:
    """Create (or find) the demo organisations; returns the demo usernames."""
    usernames = []
    with transaction.atomic():
        for key, (name, code, unit_specs) in MUNICIPALITIES.items():
            municipality, _ = Municipality.objects.get_or_create(code=code, defaults={"name": name})
            units = _load_units(municipality, unit_specs)
            _load_terms(municipality, today)
            _load_breaks(municipality, today)
            _load_contacts(municipality)
            for spec in USERS:
                usernames.append(_load_user(municipality, key, spec, units))
    return usernames


def _load_contacts(municipality: Municipality) -> None:
    # Only the first time: numbers an admin has changed in the demo are kept.
    if not MunicipalityContacts.objects.filter(municipality=municipality).exists():
        services_contacts.municipality_contacts_update(
            actor=None,
            municipality=municipality,
            values=DEMO_CONTACTS[municipality.code],
            expected_version=0,
        )


def _load_units(municipality: Municipality, specs: list[UnitSpec]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for spec in specs:
        unit = Unit.objects.filter(municipality=municipality, name=spec.name).first()
        if unit is None:
            unit = services.unit_create(
                actor=None,
                municipality=municipality,
                name=spec.name,
                kind=spec.kind,
                parent=units[spec.parent] if spec.parent else None,
                school_forms=list(spec.forms),
                pupil_count=spec.pupils,
            )
        units[spec.key] = unit
    return units


def _load_terms(municipality: Municipality, today: datetime.date) -> None:
    for kind, starts_on, ends_on in school_year_terms(today):
        if not SchoolTerm.objects.filter(
            municipality=municipality, kind=kind, starts_on=starts_on
        ).exists():
            services.term_create(
                actor=None,
                municipality=municipality,
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
            )


def _load_breaks(municipality: Municipality, today: datetime.date) -> None:
    week = WINTER_BREAK_WEEK.get(municipality.code, 9)
    for kind, starts_on, ends_on in school_year_breaks(today, winter_week=week):
        if not SchoolBreak.objects.filter(
            municipality=municipality, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).exists():
            services_breaks.school_break_create(
                actor=None,
                municipality=municipality,
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
            )


def _load_user(municipality: Municipality, key: str, spec: UserSpec, units: dict[str, Unit]) -> str:
    username = f"{spec.name}.{key}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.user_create(
            actor=None,
            municipality=municipality,
            username=username,
            password=DEMO_PASSWORD,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{username}@example.org",
            title=spec.title,
            check_password_strength=False,
        )
    unit = units[spec.unit]
    if not Membership.objects.filter(user=user, unit=unit, role=spec.role).exists():
        services.membership_create(
            actor=None,
            user=user,
            unit=unit,
            role=spec.role,
            valid_from=datetime.date(2020, 1, 1),
            includes_subtree=spec.subtree,
        )
    return username
