"""What the admin is looking at in the log review, kept in the session between pages.

The filters may hold a person's name and the child filter stands for an identity number, so
neither goes into the address (browser histories, proxy logs): they are posted, kept here,
and only the keyset cursor travels in the URL. The identity number itself is never kept:
only the child's reference computed from it.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.sessions.backends.base import SessionBase

FILTERS_KEY = "access_log_review_filters"
CHILD_KEY = "access_log_review_child"


class ChildSource(StrEnum):
    LOOKUP = "lookup"  # the admin typed the child's identity number
    ROW = "row"  # the admin chose a row of the log: "the same child as there"


@dataclass(frozen=True)
class ChildFilter:
    ref: str
    source: ChildSource


def saved_filters(session: SessionBase) -> dict[str, str]:
    stored = session.get(FILTERS_KEY)
    return dict(stored) if isinstance(stored, dict) else {}


def save_filters(session: SessionBase, filters: dict[str, str]) -> None:
    if filters:
        session[FILTERS_KEY] = filters
    else:
        session.pop(FILTERS_KEY, None)


def saved_child(session: SessionBase) -> ChildFilter | None:
    stored = session.get(CHILD_KEY)
    if not isinstance(stored, dict):
        return None
    try:
        return ChildFilter(ref=str(stored["ref"]), source=ChildSource(stored["source"]))
    except (KeyError, ValueError):
        return None


def save_child(session: SessionBase, child: ChildFilter | None) -> None:
    if child is None:
        session.pop(CHILD_KEY, None)
    else:
        session[CHILD_KEY] = {"ref": child.ref, "source": child.source.value}
