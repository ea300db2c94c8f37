"""How many staff have confirmed the current version of a document: per unit, per sector and in
the whole municipality — aggregates only, with small numbers protected.

Who counts: the distinct active users with a membership in force today, in one of the staff
roles (``governance.rules.STAFF_ROLES``: the people the start page asks to confirm), at an
active unit of the document's municipality. A person with memberships at two units counts at
both units, but once in a sector and once in the total.

Protection (DESIGN.md §2, "aggregates protect individuals"), per column (members, confirmed):

1. A count under 5 (0 included) is shown as "<5" (*suppressed*).
2. A total — a sector over its units, the municipality over its sectors — is *hidden* when it
   would give a suppressed count away: when exactly one of the counts it is made of is
   unknown (suppressed, or itself hidden and then standing for its own unknown counts), since
   the total minus the shown counts is that one count.
3. A share (per cent) is shown only when both counts of its row are shown.

The decision depends only on which counts are suppressed, never on their values, so that
hiding a total tells nothing more. Two or more unknown counts in a total are left to their
sum; when that sum is 0, or 4 for each of them, it does fix them all — a rare case that we
accept for counts of read confirmations, which say little about anyone. A person counts once
per unit, sector and municipality (distinct users), so the units of a sector may add up to
more than the sector: that only makes working back harder. What the rules can not hide is
what a reader already knows, e.g. who works at a unit.

Three aggregate queries (units, sectors, total) whatever the number of units or people.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.utils.functional import Promise

from governance.models import DocumentVersion, GovernanceDocument
from governance.rules import SMALL_COUNT, STAFF_ROLES
from governance.selectors import confirmed_filter
from organisations.models import Membership, Sector, active_on


@dataclass(frozen=True)
class CountCell:
    value: int
    suppressed: bool = False  # under SMALL_COUNT: shown as "<5"
    hidden: bool = False  # would give a suppressed count away: not shown at all
    # The suppressed counts a hidden total stands for (its unknowns at the next level up).
    unknowns: tuple[int, ...] = ()

    @property
    def shown(self) -> bool:
        return not self.suppressed and not self.hidden


def count_cell(value: int) -> CountCell:
    return CountCell(value=value, suppressed=value < SMALL_COUNT)


def _unknowns(cell: CountCell) -> tuple[int, ...]:
    if cell.suppressed:
        return (cell.value,)
    return cell.unknowns if cell.hidden else ()


def gives_away(unknowns: tuple[int, ...]) -> bool:
    """Whether a shown total would give its unknown counts away (rule 2)."""
    return len(unknowns) == 1


def protect_total(parts: list[CountCell], total: CountCell) -> CountCell:
    """``total`` as shown, given the ``parts`` it is made of (rule 2)."""
    if total.suppressed:
        return total
    unknowns = tuple(value for part in parts for value in _unknowns(part))
    if gives_away(unknowns):
        return CountCell(value=total.value, hidden=True, unknowns=unknowns)
    return total


@dataclass(frozen=True)
class ShareRow:
    key: str
    label: str | Promise
    members: CountCell
    confirmed: CountCell
    sector: str = ""
    sector_label: str | Promise = ""

    @property
    def percent(self) -> int | None:
        """The share in whole per cent, or None when it is not shown (rule 3)."""
        if not (self.members.shown and self.confirmed.shown) or not self.members.value:
            return None
        return round(100 * self.confirmed.value / self.members.value)


@dataclass(frozen=True)
class ReadShares:
    document: GovernanceDocument
    version: DocumentVersion
    units: list[ShareRow]
    sectors: list[ShareRow]
    total: ShareRow

    @property
    def anything_protected(self) -> bool:
        rows = [*self.units, *self.sectors, self.total]
        return any(not (row.members.shown and row.confirmed.shown) for row in rows)


def _sector_label(sector: str) -> str | Promise:
    try:
        return Sector(sector).label
    except ValueError:
        return sector


def protect(
    unit_counts: list[tuple[str, str, str, int, int]],
    sector_counts: dict[str, tuple[int, int]],
    total_counts: tuple[int, int],
) -> tuple[list[ShareRow], list[ShareRow], ShareRow]:
    """Apply the protection rules to raw counts.

    ``unit_counts``: (key, name, sector, members, confirmed) per unit; ``sector_counts``:
    sector -> (members, confirmed); ``total_counts``: (members, confirmed).
    """
    units = [
        ShareRow(
            key=key,
            label=name,
            sector=sector,
            sector_label=_sector_label(sector),
            members=count_cell(members),
            confirmed=count_cell(confirmed),
        )
        for key, name, sector, members, confirmed in unit_counts
    ]
    sectors = []
    for sector, (members, confirmed) in sector_counts.items():
        own = [row for row in units if row.sector == sector]
        sectors.append(
            ShareRow(
                key=sector,
                label=_sector_label(sector),
                sector=sector,
                sector_label=_sector_label(sector),
                members=protect_total([row.members for row in own], count_cell(members)),
                confirmed=protect_total([row.confirmed for row in own], count_cell(confirmed)),
            )
        )
    sectors.sort(key=lambda row: str(row.label))
    total = ShareRow(
        key="total",
        label="",
        members=protect_total([row.members for row in sectors], count_cell(total_counts[0])),
        confirmed=protect_total([row.confirmed for row in sectors], count_cell(total_counts[1])),
    )
    return units, sectors, total


def read_shares(
    document: GovernanceDocument, version: DocumentVersion, *, today: datetime.date
) -> ReadShares:
    """The protected read shares of ``version`` of ``document`` (three aggregate queries)."""
    members = Membership.objects.filter(
        active_on(today),
        role__in=STAFF_ROLES,
        unit__municipality_id=document.municipality_id,
        unit__is_active=True,
        user__is_active=True,
    )
    confirmed = confirmed_filter(version)
    unit_rows = (
        members.values("unit_id", "unit__name", "unit__sector")
        .annotate(
            members=Count("user_id", distinct=True),
            confirmed=Count("user_id", distinct=True, filter=confirmed),
        )
        .order_by("unit__sector", "unit__name")
    )
    sector_rows = (
        members.values("unit__sector")
        .annotate(
            members=Count("user_id", distinct=True),
            confirmed=Count("user_id", distinct=True, filter=confirmed),
        )
        .order_by("unit__sector")
    )
    total = members.aggregate(
        members=Count("user_id", distinct=True),
        confirmed=Count("user_id", distinct=True, filter=confirmed),
    )
    units, sectors, total_row = protect(
        [
            (
                str(row["unit_id"]),
                row["unit__name"],
                row["unit__sector"],
                row["members"],
                row["confirmed"],
            )
            for row in unit_rows
        ],
        {row["unit__sector"]: (row["members"], row["confirmed"]) for row in sector_rows},
        (total["members"] or 0, total["confirmed"] or 0),
    )
    units.sort(key=lambda row: (str(row.sector_label), str(row.label)))
    return ReadShares(
        document=document, version=version, units=units, sectors=sectors, total=total_row
    )
