"""One sector's view of the follow-up ("Visa för": the whole municipality or a sector).

The indicators that break down by sector (``Level.SECTOR`` in the catalogue) get the
sector's value; the others are not reported per sector and have no value in the view. The
values come from the sums the municipality's dashboard already loaded
(``Dashboard.sums``), so a sector costs no query more, and they are protected with the same
helpers as the municipality's (``followup.values``, ``followup.suppression``).
"""

from dataclasses import replace
from decimal import Decimal

from followup.catalogue import CATALOGUE, Indicator, Level
from followup.selectors import Dashboard, SchoolRow, Sums, attendance_shown
from followup.suppression import Cell, Protection, protect_parts
from followup.values import Shown, compute_shown, shown_share
from organisations.models import Membership, Municipality, Role, Sector, Unit

# Units of these sectors oversee the whole municipality rather than one part of its work.
OVERSEEING = frozenset({Sector.MANAGEMENT, Sector.AUDIT})


def sector_choices() -> list[tuple[str, str]]:
    """The sectors one can choose, in the language of the request: every value the summary
    tables' sector column may hold."""
    return [(str(value), str(label)) for value, label in Sector.choices]


def is_sector(value: str) -> bool:
    return value in Sector.values


def reported_by_sector(indicator: Indicator) -> bool:
    return Level.SECTOR in indicator.levels


def sector_view(dash: Dashboard, sector: str) -> Dashboard:
    """The dashboard with ``sector``'s values in place of the municipality's (no query)."""
    if not sector:
        return dash
    if dash.sums is None:
        raise ValueError("A sector's view needs the sums of the municipality's dashboard.")
    pupils = sum(row.unit.pupil_count or 0 for row in dash.schools)
    sums = dash.sums
    return replace(
        dash,
        sector=sector,
        values=_values(sums.current, sums.snapshot, sector, pupils, dash.targets),
        previous=_values(sums.previous, sums.previous_snapshot, sector, pupils, dash.targets),
    )


def _values(
    sums: Sums, snapshot: Sums, sector: str, pupils: int, targets: dict[str, Decimal | None]
) -> dict[str, Shown]:
    values: dict[str, Shown] = {}
    for key, indicator in CATALOGUE.items():
        if not reported_by_sector(indicator) or indicator.compute is None:
            continue
        source = snapshot if indicator.snapshot else sums
        metrics = source.by_sector.get(sector, {})
        values[key] = compute_shown(indicator, metrics, target=targets.get(key))
    rate = CATALOGUE["reports_per_100_pupils"]
    values[rate.key] = shown_share(
        rate, _sent(sums, sector), Cell(pupils), target=targets.get(rate.key)
    )
    values["attendance_by_sector"] = attendance_shown(
        sums, sector, target=targets.get("attendance_by_sector")
    )
    return values


def _sent(sums: Sums, sector: str) -> Cell:
    """The reports the sector's staff sent from the schools, protected as one part of all
    the reports sent: the other sectors' and those of no sector are the other parts. The
    municipality's total is on the page (the schools) and on the municipality's view, so a
    sector's count must not give away a small count of the others."""
    sectors = sorted(sums.by_sector)
    parts = [sums.by_sector[name].get("sent", 0) for name in sectors]
    total = sums.total.get("sent", 0)
    parts.append(max(total - sum(parts), 0))  # reports whose author's sector is not known
    cells, _total = protect_parts(parts, total, Protection.CHILDREN)
    return cells[sectors.index(sector)] if sector in sectors else Cell(0)


# --- the manager's sector ------------------------------------------------------------------


def schools_below(unit: Unit, rows: list[SchoolRow]) -> list[SchoolRow]:
    """The schools under ``unit`` in the tree, when it has any (no query: paths)."""
    return [row for row in rows if row.unit.pk != unit.pk and row.unit.path.startswith(unit.path)]


def unit_sector(unit: Unit, schools: list[SchoolRow]) -> str:
    """The sector a manager at ``unit`` sees first: the unit's own; for an administration
    or office registered as overseeing the municipality (an administration's default), the
    one sector of the schools below it; otherwise "" (the whole municipality)."""
    if unit.sector not in OVERSEEING:
        return str(unit.sector)
    below = {str(row.unit.sector) for row in schools_below(unit, schools)}
    return below.pop() if len(below) == 1 else ""


def manager_sector(
    memberships: list[Membership], municipality: Municipality, schools: list[SchoolRow]
) -> str:
    """The sector of the user's first manager membership in ``municipality``, or ""."""
    for membership in memberships:
        if membership.role == Role.MANAGER and membership.unit.municipality_id == municipality.pk:
            return unit_sector(membership.unit, schools)
    return ""
