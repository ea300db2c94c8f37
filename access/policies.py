"""The one access layer. A policy turns a user and an action into *grants*: a named rule, the
membership it came from, and a ``Q`` object. The same grants give the list filter
(``visible``) and the object check (``can`` / ``find``), so the two can not drift apart.

Default deny: no grant, no rows. Grants must filter on single-valued relations (or use
``pk__in`` subqueries) so that a row appears at most once.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from django.db.models import Case, CharField, Model, Q, QuerySet, Value, When

from organisations.models import Membership, User


@dataclass(frozen=True)
class Grant:
    """Why a user may see some rows: the rule's name (logged), the membership and the filter."""

    rule: str
    q: Q
    membership: Membership | None = None


@dataclass(frozen=True)
class Found[M: Model]:
    """An object loaded through a policy, with the grant that allowed it."""

    obj: M
    grant: Grant


class Policy[M: Model](ABC):
    """Subclass per model: set ``model`` and implement ``grants``."""

    model: ClassVar[type[Model]]
    # Objects of this policy hold data about an identified child: every read is logged.
    logs_reads: ClassVar[bool] = False

    @abstractmethod
    def grants(self, user: User, action: str) -> list[Grant]:
        """The grants ``user`` has for ``action``: an empty list means no access."""

    def base_queryset(self) -> QuerySet[M]:
        return self.model._default_manager.all()  # type: ignore[return-value]

    def _grants(self, user: User, action: str) -> list[Grant]:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return []
        return self.grants(user, action)

    def visible(self, user: User, action: str) -> QuerySet[M]:
        grants = self._grants(user, action)
        if not grants:
            return self.base_queryset().none()
        combined = Q()
        for grant in grants:
            combined |= _condition(grant)
        return self.base_queryset().filter(combined)

    def find(self, user: User, action: str, **lookup: object) -> Found[M] | None:
        """Load one object and the first grant that allows it, in one query."""
        grants = self._grants(user, action)
        if not grants:
            return None
        whens = [
            When(_condition(grant), then=Value(str(index))) for index, grant in enumerate(grants)
        ]
        row = (
            self.visible(user, action)
            .filter(**lookup)
            .annotate(_grant_index=Case(*whens, output_field=CharField()))
            .first()
        )
        if row is None:
            return None
        return Found(obj=row, grant=grants[int(row._grant_index)])  # type: ignore[attr-defined]

    def can(self, user: User, action: str, obj: M) -> bool:
        return self.find(user, action, pk=obj.pk) is not None


def _condition(grant: Grant) -> Q:
    """The grant's filter, with an empty ``Q()`` ("every row") spelled out: ``Q() | q`` is just
    ``q`` (the empty grant would vanish from ``visible``) and ``When(Q())`` is an error."""
    return grant.q if grant.q else Q(pk__isnull=False)
