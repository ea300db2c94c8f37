"""Governance documents for tests, made through the services as in real use."""

import datetime
from typing import Any

from governance import services
from governance.models import DocumentKind, DocumentVersion, GovernanceDocument
from organisations.models import Role, UnitKind
from tests.world import World


def document(
    world: World,
    place: str = "leksand",
    *,
    kind: str = DocumentKind.ROUTINE,
    title: str = "Samverkansrutin",
    **values: Any,
) -> GovernanceDocument:
    return services.document_create(
        actor=world.user(Role.COORDINATOR, place),
        municipality=world.municipality(place),
        kind=kind,
        title=title,
        owner_unit=values.pop("owner_unit", world.unit(UnitKind.MUNICIPAL_OFFICE, place)),
        **values,
    )


def version(
    world: World,
    doc: GovernanceDocument,
    *,
    text: str = "<p>Rutinens text.</p>",
    approved_on: datetime.date | None = datetime.date(2026, 1, 15),
    **values: Any,
) -> DocumentVersion:
    place = "leksand" if doc.municipality == world.municipality("leksand") else "eksjo"
    return services.version_add(
        actor=world.user(Role.COORDINATOR, place),
        document=doc,
        text=text,
        approved_on=approved_on,
        **values,
    )
