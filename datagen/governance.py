"""Governance documents: each municipality's agreement, routine (its SIP routine), action plan
and one other guiding document, with their approved versions and the staff's read
confirmations of the current routine.

Most municipalities revise on time; about one in seven has let its agreement expire and its
action plan go unrevised for years (the Eksjö case of DESIGN.md 3.3), so the alerts light up.
"""

import datetime
import random

from datagen.loader import Loader, Table
from datagen.organisations import Place
from datagen.timeline import local_moment
from governance.models import (
    DocumentKind,
    DocumentVersion,
    GovernanceDocument,
    ReadConfirmation,
)

_DOCUMENTS = (
    (DocumentKind.AGREEMENT, "Samverkansöverenskommelse barn som far illa", "board"),
    (DocumentKind.ROUTINE, "Samverkansrutin skola och socialtjänst", "office"),
    (DocumentKind.ACTION_PLAN, "Handlingsplan för samverkan", "office"),
    (DocumentKind.OTHER, "Rutin för orosanmälan i förskola och skola", "education"),
)
_TEXT = "<p>Dokumentet beskriver hur skola och socialtjänst samverkar kring barn som far illa.</p>"


class GovernanceWriter:
    """Writes documents, versions and read confirmations; remembers the document ids."""

    def __init__(self, loader: Loader, parents: list[Table], *, as_of: datetime.date) -> None:
        self.loader = loader
        self.as_of = as_of
        self.documents = loader.table(
            GovernanceDocument,
            [
                "id",
                "municipality_id",
                "kind",
                "title",
                "owner_unit_id",
                "owner_person_id",
                "is_sip_routine",
                "created_at",
                "created_by_id",
            ],
            parents,
        )
        self.versions = loader.table(
            DocumentVersion,
            [
                "id",
                "document_id",
                "number",
                "text",
                "file",
                "file_name",
                "approving_body",
                "approval_reference",
                "approved_on",
                "valid_from",
                "valid_to",
                "revision_interval_months",
                "created_at",
                "created_by_id",
            ],
            [self.documents],
        )
        self.reads = loader.table(
            ReadConfirmation, ["id", "version_id", "user_id", "confirmed_at"], [self.versions]
        )
        self.ids: dict[int, list[int]] = {}

    def write(self, rng: random.Random, place: Place) -> None:
        """The municipality's four documents; one in seven municipalities neglects them."""
        neglected = rng.random() < 0.15
        coordinator = place.staff["coordinator"][0]
        for kind, title, owner in _DOCUMENTS:
            document_id = self.loader.next_id(GovernanceDocument)
            self.ids.setdefault(place.id, []).append(document_id)
            versions = 1 + rng.randrange(4)
            first = self.as_of - datetime.timedelta(days=365 * versions + rng.randrange(200))
            if neglected and kind in (DocumentKind.AGREEMENT, DocumentKind.ACTION_PLAN):
                first -= datetime.timedelta(days=365 * 4)
            self.documents.add(
                (
                    document_id,
                    place.id,
                    kind,
                    title,
                    place.units[owner],
                    coordinator,
                    kind == DocumentKind.ROUTINE,
                    local_moment(first, 600),
                    coordinator,
                )
            )
            version_id = 0
            for number in range(1, versions + 1):
                approved = first + datetime.timedelta(days=365 * (number - 1))
                valid_to = None
                if kind == DocumentKind.AGREEMENT:
                    valid_to = approved + datetime.timedelta(days=365 * 4)
                version_id = self.loader.next_id(DocumentVersion)
                self.versions.add(
                    (
                        version_id,
                        document_id,
                        number,
                        _TEXT,
                        "",
                        "",
                        "Kommunstyrelsen",
                        f"KS {approved:%Y-%m-%d} § {10 + number}",
                        approved,
                        approved,
                        valid_to,
                        12,
                        local_moment(approved, 540),
                        coordinator,
                    )
                )
            if kind == DocumentKind.ROUTINE:
                self._reads(
                    rng, place, version_id, first + datetime.timedelta(days=365 * (versions - 1))
                )

    def _reads(
        self, rng: random.Random, place: Place, version_id: int, approved: datetime.date
    ) -> None:
        # About half of the staff have confirmed reading the routine in force.
        days = max(1, (self.as_of - approved).days)
        for user_id in sorted(place.usernames):
            if rng.random() < 0.5:
                day = approved + datetime.timedelta(days=rng.randrange(days))
                self.reads.add(
                    (
                        self.loader.next_id(ReadConfirmation),
                        version_id,
                        user_id,
                        local_moment(day, 480 + rng.randrange(540)),
                    )
                )
