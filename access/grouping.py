"""Folding the access log's rows into groups for the log review.

Every page that shows children's data writes a row per child it shows: a principal who goes
back and forth between the school's list and its reports writes the same 25 rows each time,
and a worker who reloads a report writes a row per reload. The raw log is then dozens of
identical rows, interleaved. The review shows the identical reads of one stretch of the log
as one group with a count and its first and last time, so that the admin reads what people
did instead of scrolling past repeats. Nothing is merged in the database: the log stays one
row per read, and grouping is only a way of showing a page of it.

A page is a contiguous stretch of the log (newest first), so keyset paging still shows every
row exactly once: a group counts the identical reads within its page, and the same reads on
the next (older) page make a group there.
"""

import datetime
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from access.models import AccessLog


@dataclass(frozen=True)
class RowWords:
    """What the review shows of a group's reads, in words (see ``access.row_words``)."""

    user: str
    role: str
    unit: str
    object: str
    rule: str


@dataclass
class AccessGroup:
    """Reads of one page that differ only in their time (and request): the same person in the
    same role and unit, the same object, the same action and rule, on the same local day.
    ``rows`` are in the list's order (newest first in the log review)."""

    rows: list[AccessLog] = field(default_factory=list)
    words: RowWords | None = None

    @property
    def row(self) -> AccessLog:
        """The row whose facts the group shows (all rows share them)."""
        return self.rows[0]

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def earliest(self) -> datetime.datetime:
        return min(self.rows[0].occurred_at, self.rows[-1].occurred_at)

    @property
    def latest(self) -> datetime.datetime:
        return max(self.rows[0].occurred_at, self.rows[-1].occurred_at)

    @property
    def within_a_minute(self) -> bool:
        """Whether the first and last time read the same (the page shows minutes): then one
        time is shown, not "12:05–12:05"."""
        return _minute(self.earliest) == _minute(self.latest)


def _minute(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment).replace(second=0, microsecond=0)


def group_key(row: AccessLog) -> Hashable:
    """What makes two reads "the same" for the review. The day is the local day: reads on
    either side of midnight are two groups, as the admin reads the log day by day."""
    return (
        row.user_id,
        row.role,
        row.unit_id,
        row.municipality_id,
        row.object_type,
        row.object_id,
        row.child_ref,
        row.action,
        row.rule,
        timezone.localdate(row.occurred_at),
    )


def group_rows(rows: Sequence[AccessLog]) -> list[AccessGroup]:
    """Fold the identical reads among ``rows`` (see :func:`group_key`) into groups, in the
    order of each group's first row (newest first in the log review)."""
    groups: dict[Hashable, AccessGroup] = {}
    for row in rows:
        groups.setdefault(group_key(row), AccessGroup()).rows.append(row)
    return list(groups.values())


def singles(rows: Sequence[AccessLog]) -> list[AccessGroup]:
    """Each row a group of its own (a sample is a random draw: nothing there is a repeat)."""
    return [AccessGroup(rows=[row]) for row in rows]


@dataclass(frozen=True)
class GroupedPage:
    groups: list[AccessGroup]
    # The page's oldest row, when older rows follow it: the next page starts after it.
    last_shown: AccessLog | None


def page_of_groups(rows: Sequence[AccessLog], *, groups: int, read_limit: int) -> GroupedPage:
    """The longest stretch from the start of ``rows`` whose reads make at most ``groups``
    groups, and no more than ``read_limit`` rows. ``rows`` were read with a limit of
    ``read_limit`` + 1, so a longer list means that more rows follow in the log."""
    taken = _stretch_length(rows[:read_limit], groups)
    more = taken < len(rows)
    return GroupedPage(
        groups=group_rows(rows[:taken]), last_shown=rows[taken - 1] if more else None
    )


def _stretch_length(rows: Sequence[AccessLog], groups: int) -> int:
    """How many rows from the start make at most ``groups`` groups."""
    seen: set[Hashable] = set()
    for index, row in enumerate(rows):
        key = group_key(row)
        if key not in seen:
            if len(seen) == groups:
                return index
            seen.add(key)
    return len(rows)
