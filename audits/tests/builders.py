"""Small builders for audit tests: an Eksjö-like letter with questions, recommendations,
a response and measures, made through the services by the right roles."""

import datetime
from typing import Any

from audits import services
from audits.models import Audit, AuditKind, AuditMeasure, Recommendation
from organisations.models import Role
from tests.world import World

DUE = datetime.date(2022, 3, 24)


def audit(world: World, place: str = "leksand", **overrides: Any) -> Audit:
    values: dict[str, Any] = {
        "title": "Granskning av samverkan",
        "year": 2022,
        "kind": AuditKind.LETTER,
        "auditors": "KomRedo",
        "committees": "Kommunstyrelsen",
    } | overrides
    return services.audit_create(
        actor=world.user(Role.AUDITOR, place), municipality=world.municipality(place), **values
    )


def recommendation(
    world: World, audit_: Audit, number: int = 1, response_due=DUE, place: str = "leksand"
) -> Recommendation:
    return services.recommendation_add(
        actor=world.user(Role.AUDITOR, place),
        audit=audit_,
        number=number,
        text=f"Rekommendation {number}",
        response_due=response_due,
    )


def respond(world: World, recommendation_: Recommendation, place: str = "leksand"):
    return services.response_record(
        actor=world.user(Role.COORDINATOR, place),
        audit=recommendation_.audit,
        recommendation=recommendation_,
        text="Svar",
        decision_body="Kommunstyrelsen",
        decision_reference="KS 2022-03-10 § 45",
        decided_on=datetime.date(2022, 3, 10),
    )


def measure(
    world: World,
    recommendation_: Recommendation,
    due_on: datetime.date | None = None,
    status: str = "planned",
    place: str = "leksand",
) -> AuditMeasure:
    return services.measure_add(
        actor=world.user(Role.COORDINATOR, place),
        recommendation=recommendation_,
        what="Åtgärd",
        owner="Samordnaren",
        due_on=due_on,
        status=status,
    )
