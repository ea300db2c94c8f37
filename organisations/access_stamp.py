"""The access stamp: what lets a user's memberships be kept in the shared cache safely.

Every page needs the user's memberships (the navigation, every policy). They change seldom, so
they are kept in the shared cache (Redis) under a key that names the state they were read in:
the user, the account's creation time, the user's ``access_stamp`` and the day. The stamp is a
column of the user's row, which the login middleware reads on every request anyway, and every
change that can alter the list gives the users it touches a new random stamp **in the same
transaction**. So:

- a revoked or ended role is gone on the user's next request (the old key is never asked for
  again), and a rolled-back change leaves the old stamp and the old list, which still hold;
- an entry can never be wrong, only unused: Redis going away (the database cache then stands in,
  core/cache.py), an evicted entry, two processes or a restored backup (a random stamp is never
  reused) all cost a query at most;
- a membership ending tonight is gone tomorrow: the day is part of the key.

What changes the list: a membership saved, deleted or changed in bulk, and a unit or a
municipality saved (its name, whether it is active, its place in the tree). The receivers below
and the models' hooks (``core.querysets.WatchedQuerySet``) catch all of these through the ORM;
a change in raw SQL must call ``users_restamp`` itself.
"""

import secrets
from collections.abc import Iterable
from typing import Any

# The largest stamp that fits a signed 64-bit column; 0 is what the database gives a new row.
_STAMP_BITS = 62


def new_access_stamp() -> int:
    return secrets.randbits(_STAMP_BITS) + 1


def users_restamp(user_ids: Iterable[int]) -> None:
    """Give these users a new stamp: their cached memberships are not used again."""
    from organisations.models import User

    ids = sorted(set(user_ids))
    if ids:
        User.objects.filter(pk__in=ids).update(access_stamp=new_access_stamp())


def _member_ids(**unit_filter: Any) -> list[int]:
    from organisations.models import Membership

    return list(
        Membership.objects.filter(**unit_filter).values_list("user_id", flat=True).distinct()
    )


def units_restamp(unit_ids: Iterable[int]) -> None:
    users_restamp(_member_ids(unit_id__in=list(unit_ids)))


def municipalities_restamp(municipality_ids: Iterable[int]) -> None:
    users_restamp(_member_ids(unit__municipality_id__in=list(municipality_ids)))


def memberships_changed(pks: list[Any]) -> None:
    from organisations.models import Membership

    users_restamp(
        Membership.objects.filter(pk__in=pks).values_list("user_id", flat=True).distinct()
    )


def memberships_created(objs: list[Any]) -> None:
    users_restamp(obj.user_id for obj in objs)


def nothing_to_restamp(_objs: list[Any]) -> None:
    """A new unit or municipality has no members yet."""


def membership_changed(instance: Any, **_signal: Any) -> None:
    users_restamp([instance.user_id])


def unit_changed(instance: Any, **_signal: Any) -> None:
    units_restamp([instance.pk])


def municipality_changed(instance: Any, **_signal: Any) -> None:
    municipalities_restamp([instance.pk])
