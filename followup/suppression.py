"""Small numbers protect children (DESIGN.md §2, "aggregates protect individuals").

- A count of children or reports from 1 to 4 is shown as "<5" (*suppressed*). Zero is shown:
  "no report" says nothing about any child, and a silent school must be visible.
- A total made of parts must not give a suppressed part away. When exactly one part of a
  shown total is suppressed, the smallest other non-zero part is *hidden* as well (secondary
  suppression), so the headline total stays visible and no single part can be worked back.
- A share is shown only when both its counts are shown (its numerator and denominator), and
  for outcomes about children (an investigation opened) also the complement. For other
  shares about children (decided in time, say) a small complement hides the two counts
  ("12 of 15" would tell that 3 were late) but not the share: a municipality that decides
  nearly every report in time must still see that it does.
- A monthly trend's months are protected as parts of the totals shown beside them: the
  period's, the previous period's, and the earlier months' own sum.
- Within one page, report or export nothing hidden can be worked back. Across two periods a
  user chooses (January–June and January–May, say) a difference can still point at a small
  month: closing that needs rounding or noise on every count, a cost to the board's exact
  numbers that is the product owner's decision (see docs/followup.md).
- Counts of staff (who read a routine, who attended a meeting) are not about children: they
  are shown as they are.

The decisions depend only on which counts are small, never on their exact values, so hiding
tells nothing more.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.formats import number_format

SMALL_LOW, SMALL_HIGH = 1, 4


class Protection(StrEnum):
    """How an indicator's counts are protected."""

    CHILDREN = "children"  # counts of children or reports: 1–4 suppressed
    CHILDREN_OUTCOME = "children_outcome"  # as CHILDREN, and the complement of a share too
    STAFF = "staff"  # counts of staff or meetings: shown as they are


def is_small(value: int) -> bool:
    return SMALL_LOW <= value <= SMALL_HIGH


@dataclass(frozen=True)
class Cell:
    """A count as shown: its value, and whether it is suppressed ("<5") or hidden ("–")."""

    value: int
    suppressed: bool = False
    hidden: bool = False

    @property
    def shown(self) -> bool:
        return not (self.suppressed or self.hidden)

    @property
    def token(self) -> str:
        """The cell as stored in a frozen report: "<5", "–" or the plain number."""
        return str(self) if not self.shown else str(self.value)

    def __str__(self) -> str:
        if self.suppressed:
            return "<5"
        if self.hidden:
            return "–"
        # Grouped as the language writes it: "28 av 1 299" in Swedish.
        return number_format(self.value, force_grouping=True)


def cell(value: int, protection: Protection) -> Cell:
    if protection == Protection.STAFF:
        return Cell(value)
    return Cell(value, suppressed=is_small(value))


def protect_parts(parts: list[int], total: int, protection: Protection) -> tuple[list[Cell], Cell]:
    """The parts and their total as shown (primary and secondary suppression)."""
    cells = [cell(value, protection) for value in parts]
    total_cell = cell(total, protection)
    if protection == Protection.STAFF or not total_cell.shown:
        return cells, total_cell
    suppressed = [index for index, part in enumerate(cells) if part.suppressed]
    if len(suppressed) == 1:
        candidates = [index for index, part in enumerate(cells) if part.shown and part.value > 0]
        if candidates:
            smallest = min(candidates, key=lambda index: (cells[index].value, index))
            cells[smallest] = Cell(cells[smallest].value, hidden=True)
        else:
            # The suppressed part is the whole total: the total must not be shown.
            total_cell = Cell(total, hidden=True)
    return cells, total_cell


def share_shown(numerator: Cell, denominator: Cell, protection: Protection) -> bool:
    """Whether a share of these two counts may be shown."""
    if protection == Protection.STAFF:
        return denominator.value > 0
    if not (numerator.shown and denominator.shown) or denominator.value == 0:
        return False
    if protection == Protection.CHILDREN_OUTCOME:
        return not is_small(denominator.value - numerator.value)
    return True


# --- breakdowns by group (survey answers by sector) -----------------------------------------------

MIN_GROUP = SMALL_HIGH + 1


@dataclass(frozen=True)
class Grouping:
    """How a breakdown by group may be shown: the groups shown on their own, the groups merged
    into one "others" group (shown only when it too has at least five), and whether the
    breakdown must be hidden altogether (fewer than two groups would be shown)."""

    shown: tuple[str, ...]
    merged: tuple[str, ...]
    hidden: bool

    @property
    def merged_shown(self) -> bool:
        return bool(self.merged) and not self.hidden


def group_for_breakdown(counts: dict[str, int]) -> Grouping:
    """Groups with fewer than five answers are merged into "others". When "others" itself
    has fewer than five, the smallest shown group is merged into it as well (again until it
    has five), so that no small group can be worked back from the total. A breakdown with
    fewer than two groups left says nothing the total does not, and is hidden."""
    present = {key: value for key, value in counts.items() if value > 0}
    shown = sorted(
        (key for key, value in present.items() if value >= MIN_GROUP),
        key=lambda key: (-present[key], key),
    )
    merged = sorted(key for key in present if key not in shown)
    while merged and sum(present[key] for key in merged) < MIN_GROUP and shown:
        merged.append(shown.pop())
    groups = len(shown) + (1 if merged else 0)
    return Grouping(shown=tuple(shown), merged=tuple(merged), hidden=groups < 2)
