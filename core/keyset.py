"""The one keyset condition every list of unbounded size pages with: the rows strictly after a
cursor in the list's order, written as a row comparison ``(a, b, id) > (x, y, z)``.

Why not ``a > x OR (a = x AND id > z)``: the database can not read an OR of two conditions as
one range of an index, so a deep page scans and discards every earlier row (page 7,000 of the
access log took 1.4 s that way); a row comparison is one index range on PostgreSQL (and on
SQLite a plain row-value comparison). Every field of the order must run the same way, and none
may be NULL: a list sorted with NULLs last sorts on a non-null key instead (see the inbox's
``inbox_due``).
"""

from collections.abc import Sequence

from django.db.models import F, Q
from django.db.models.fields.tuple_lookups import (
    Tuple,
    TupleGreaterThan,
    TupleLessThan,
    TupleLessThanOrEqual,
)


def rows_after(fields: Sequence[str], values: Sequence[object], *, descending: bool) -> Q:
    """The rows after ``values`` in the order of ``fields``: all ascending, or all descending
    (newest first), as the list's ``order_by`` runs."""
    if len(fields) != len(values) or not fields:
        raise ValueError("a keyset cursor needs one value per field of the order")
    lookup = TupleLessThan if descending else TupleGreaterThan
    return Q(lookup(Tuple(*(F(name) for name in fields)), tuple(values)))


def rows_up_to(fields: Sequence[str], values: Sequence[object]) -> Q:
    """The rows up to and including ``values`` in the ascending order of ``fields``: the start
    of the list, as one index range (the inbox's "today": every urgent report, then those due
    by tonight, is the start of the inbox's own order)."""
    if len(fields) != len(values) or not fields:
        raise ValueError("a keyset bound needs one value per field of the order")
    return Q(TupleLessThanOrEqual(Tuple(*(F(name) for name in fields)), tuple(values)))
