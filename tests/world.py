"""A small two-municipality world for tests: Leksand and Eksjö, each with the usual units and
one user per role, so that every view test can try the right user and the outsiders."""

from dataclasses import dataclass, field

from organisations import services
from organisations.models import Municipality, Role, SchoolForm, Unit, UnitKind, User
from tests.factories import MunicipalityFactory, UnitFactory, UserFactory

# Where each role's test user sits.
ROLE_UNIT_KIND: dict[str, str] = {
    Role.REPORTER: UnitKind.SCHOOL,
    Role.STUDENT_HEALTH: UnitKind.STUDENT_HEALTH,
    Role.MEDICAL_STUDENT_HEALTH: UnitKind.MEDICAL_STUDENT_HEALTH,
    Role.PRINCIPAL: UnitKind.SCHOOL,
    Role.INTAKE: UnitKind.INTAKE,
    Role.SIP_PARTICIPANT: UnitKind.HEALTH_REGION_CLINIC,
    Role.COORDINATOR: UnitKind.MUNICIPAL_OFFICE,
    Role.MANAGER: UnitKind.MUNICIPAL_OFFICE,
    Role.BOARD_MEMBER: UnitKind.MUNICIPAL_OFFICE,
    Role.AUDITOR: UnitKind.AUDITORS,
    Role.MUNICIPAL_ADMIN: UnitKind.MUNICIPAL_OFFICE,
}


@dataclass
class Place:
    municipality: Municipality
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


@dataclass
class World:
    places: dict[str, Place]

    def user(self, role: str, place: str = "leksand") -> User:
        return self.places[place].users[role]

    def unit(self, kind: str, place: str = "leksand") -> Unit:
        return self.places[place].units[kind]

    def municipality(self, place: str = "leksand") -> Municipality:
        return self.places[place].municipality


# The two municipalities: the key a test names a place by, the name and the municipality code.
PLACES = (("leksand", "Leksand", "2029"), ("eksjo", "Eksjö", "0686"))


def build_world() -> World:
    """Build the world through the services. The ``world`` fixtures take it from a copy
    (``tests.world_snapshot``) when this process has built it in the same minute."""
    places = {}
    for key, name, code in PLACES:
        municipality = MunicipalityFactory.create(name=name, code=code)
        place = Place(municipality=municipality)
        office = UnitFactory.create(
            municipality=municipality, name=f"{name} kommunkansli", kind=UnitKind.MUNICIPAL_OFFICE
        )
        place.units[UnitKind.MUNICIPAL_OFFICE] = office
        for kind in set(ROLE_UNIT_KIND.values()) - {UnitKind.MUNICIPAL_OFFICE}:
            place.units[kind] = UnitFactory.create(
                municipality=municipality,
                name=f"{name} {kind}",
                kind=kind,
                school_forms=[SchoolForm.COMPULSORY] if kind == UnitKind.SCHOOL else [],
                pupil_count=300 if kind == UnitKind.SCHOOL else None,
            )
        for role, kind in ROLE_UNIT_KIND.items():
            user = UserFactory.create(username=f"{role}.{key}", municipality=municipality)
            services.membership_create(actor=None, user=user, unit=place.units[kind], role=role)
            place.users[role] = user
        places[key] = place
    return World(places=places)
