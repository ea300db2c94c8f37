"""Identical reads fold into groups for the log review: what counts as identical, the count
and the first and last time, and pages that still show every row exactly once."""

import datetime
from itertools import count

from access.grouping import group_rows, page_of_groups, singles
from access.models import AccessAction, AccessLog
from access.tests.conftest import local

_ids = count(1)


def read(
    at: datetime.datetime,
    *,
    user: int = 1,
    obj: str = "1",
    action: str = AccessAction.VIEW,
    rule: str = "intake_of_municipality",
    role: str = "intake",
    unit: int | None = 10,
) -> AccessLog:
    """An unsaved row: grouping needs no database."""
    return AccessLog(
        pk=next(_ids),
        occurred_at=at,
        user_id=user,
        username=f"user{user}",
        role=role,
        unit_id=unit,
        municipality_id=1,
        object_type="reports.concernreport",
        object_id=obj,
        child_ref="c-1",
        action=action,
        rule=rule,
    )


def test_identical_reads_make_one_group_with_count_and_first_and_last_time() -> None:
    rows = [read(local(2025, 3, 3, 15, minute)) for minute in (40, 20, 5)]
    [group] = group_rows(rows)
    assert group.count == 3
    assert group.earliest == local(2025, 3, 3, 15, 5)
    assert group.latest == local(2025, 3, 3, 15, 40)
    assert group.row is rows[0]
    assert not group.within_a_minute


def test_reads_within_one_minute_show_one_time() -> None:
    rows = [read(local(2025, 3, 3, 15, 5) + datetime.timedelta(seconds=s)) for s in (50, 1)]
    assert group_rows(rows)[0].within_a_minute


def test_any_difference_but_the_time_makes_another_group() -> None:
    at = local(2025, 3, 3, 12)
    base = read(at)
    others = [
        read(at, user=2),
        read(at, obj="2"),
        read(at, action=AccessAction.DOWNLOAD),
        read(at, rule="author"),
        read(at, role="principal"),
        read(at, unit=11),
        read(local(2025, 3, 4, 12)),  # another day
    ]
    assert [group.count for group in group_rows([base, *others])] == [1] * 8


def test_the_local_day_splits_at_midnight_stockholm_time() -> None:
    before = read(local(2025, 3, 3, 23, 59))
    after = read(local(2025, 3, 4, 0, 1))
    assert len(group_rows([after, before])) == 2


def test_interleaved_repeats_fold_in_the_order_of_their_newest_read() -> None:
    # A list of two reports shown three times: A B A B A B, newest first.
    rows = []
    for minute in (50, 40, 30):
        rows += [read(local(2025, 3, 3, 9, minute), obj="A")]
        rows += [read(local(2025, 3, 3, 9, minute - 1), obj="B")]
    groups = group_rows(rows)
    assert [(group.row.object_id, group.count) for group in groups] == [("A", 3), ("B", 3)]
    assert groups[1].earliest == local(2025, 3, 3, 9, 29)
    assert groups[1].latest == local(2025, 3, 3, 9, 49)


def test_a_sample_is_shown_row_by_row() -> None:
    rows = [read(local(2025, 3, 3, 12)) for _ in range(3)]
    assert [group.count for group in singles(rows)] == [1, 1, 1]


def _pages(rows: list[AccessLog], *, groups: int, read_limit: int) -> list[list[list[int]]]:
    """Walk ``rows`` as the keyset pages would: each page reads ``read_limit`` + 1 rows after
    the previous page's last row."""
    pages = []
    start = 0
    while True:
        chunk = rows[start : start + read_limit + 1]
        page = page_of_groups(chunk, groups=groups, read_limit=read_limit)
        pages.append([[row.pk for row in group.rows] for group in page.groups])
        if page.last_shown is None:
            return pages
        start = rows.index(page.last_shown) + 1


def test_pages_show_every_row_once_in_order_whatever_the_limits() -> None:
    rows = []
    for minute in range(59, 0, -1):
        for obj in "ABC" if minute % 3 else "AD":
            rows.append(read(local(2025, 3, 3, 10, minute), obj=obj))
    for groups, read_limit in ((2, 200), (3, 7), (50, 5), (1, 1), (4, 4)):
        pages = _pages(rows, groups=groups, read_limit=read_limit)
        shown = [pk for page in pages for group in page for pk in group]
        assert sorted(shown) == sorted(row.pk for row in rows), (groups, read_limit)
        assert len(shown) == len(set(shown))
        # Each page is a stretch of the log: its rows come before the next page's.
        firsts = [min(pk for group in page for pk in group) for page in pages]
        lasts = [max(pk for group in page for pk in group) for page in pages]
        assert all(last < first for last, first in zip(lasts, firsts[1:], strict=False))
        assert all(len(page) <= groups for page in pages)


def test_a_page_ends_before_the_group_that_would_be_one_too_many() -> None:
    rows = [read(local(2025, 3, 3, 10, 59 - index), obj=obj) for index, obj in enumerate("AABBC")]
    page = page_of_groups(rows, groups=2, read_limit=200)
    assert [group.count for group in page.groups] == [2, 2]
    assert page.last_shown is rows[3]


def test_a_page_reads_no_more_than_its_limit() -> None:
    rows = [read(local(2025, 3, 3, 10, 59 - index)) for index in range(6)]
    page = page_of_groups(rows, groups=50, read_limit=5)
    assert [group.count for group in page.groups] == [5]
    assert page.last_shown is rows[4]
    assert page_of_groups(rows[:5], groups=50, read_limit=5).last_shown is None
