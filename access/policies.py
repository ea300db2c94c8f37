"""The one access layer. A policy turns a user and an action into *grants*: a named rule, the
membership it came from, and a ``Q`` object. The same grants give the list filter
(``visible``), the object check (``find`` / ``can`` / ``require``) and the page flags
(``actions_for``), so they can not drift apart.

- Default deny: no grant, no rows. Grants must filter on single-valued relations (or use
  ``pk__in`` subqueries) so that a row appears at most once.
- Actions are an enum per policy: a bare string, or another policy's action, is a ``TypeError``.
- A tenant backstop: whatever its grants say, a policy never returns a row outside the
  municipalities where the user holds a membership in force today.
- Loading through a policy gives a :class:`Permit` (object, action, grant). Only a policy
  makes permits; services that change protected data ask the policy for one (``require``), so
  an outsider's call is refused in the same place as an outsider's page.
- A policy whose objects hold an identified child's data (``logs_reads``) hands out lists
  that write their access-log rows when they are read (:class:`LoggedQuerySet`): a view can
  not show such a list without logging it.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Self, override

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.query import ModelIterable
from django.utils.functional import Promise

from access.models import AccessAction
from organisations.models import Membership, Municipality, User
from organisations.selectors import memberships_of

GRANT_INDEX = "_access_grant_index"
GRANT_DETAIL = "_access_grant_detail"


@dataclass(frozen=True)
class Grant:
    """Why a user may see some rows: the rule's name (logged), the membership and the filter.

    ``detail`` is an expression giving, per row, what the rule rests on when that differs
    from row to row (the consent that lets a party see a plan): it is logged with the rule
    as ``rule:detail``, so a log review can name the consent behind every read."""

    rule: str
    q: Q
    membership: Membership | None = None
    detail: Any = None

    @property
    def municipality_id(self) -> int | None:
        return self.membership.unit.municipality_id if self.membership else None


_PERMIT_TOKEN = object()


@dataclass(frozen=True)
class Permit[M: Model]:
    """An object loaded through a policy for one action, with the grant that allowed it.

    Only :class:`Policy` makes permits (the private token), so holding one proves the check
    was made; a service asks for the action it needs with :meth:`require`."""

    obj: M
    action: StrEnum
    grant: Grant
    user: User
    _token: object = field(default=None, repr=False, compare=False)
    detail: str = ""

    def __post_init__(self) -> None:
        if self._token is not _PERMIT_TOKEN:
            raise TypeError("Permits are made by a policy only.")

    def require(self, *actions: StrEnum) -> M:
        """The object, when this permit is for one of ``actions``; otherwise refused."""
        if self.action not in actions:
            raise NotPermitted
        return self.obj

    @property
    def logged_rule(self) -> str:
        """The rule as the access log records it (with its detail, when it has one)."""
        return _logged_rule(self.grant.rule, self.detail)


class NotPermitted(PermissionDenied):
    """A service was called by someone the policy does not allow. Views never get here for a
    user's own mistakes (they load through the policy first and answer 404); reaching it means
    a caller forgot the check, so it is an error, not a message for the user."""


# Every policy class, in the order defined: the log review finds a rule's words among them.
_policy_classes: list[type["Policy[Any, Any]"]] = []


class Policy[M: Model, A: StrEnum](ABC):
    """Subclass per model: set ``model`` and ``actions`` and implement ``grants``."""

    model: ClassVar[type[Model]]
    actions: ClassVar[type[StrEnum]]
    # Objects of this policy hold data about an identified child: every read is logged.
    logs_reads: ClassVar[bool] = False
    # The fields that name a row's municipality, for the tenant backstop: a row is within
    # the user's municipalities when any of them is.
    tenant_fields: ClassVar[tuple[str, ...]] = ("municipality_id",)
    # Every rule name the policy's grants can carry, in words: the log review shows why a read
    # was allowed, and a code such as "principal_of_school" means nothing to the admin.
    rule_labels: ClassVar[Mapping[str, str | Promise]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _policy_classes.append(cls)

    @abstractmethod
    def grants(self, user: User, action: A) -> list[Grant]:
        """The grants ``user`` has for ``action``: an empty list means no access."""

    def base_queryset(self) -> QuerySet[M]:
        return self.model._default_manager.all()  # type: ignore[return-value]

    # --- grants --------------------------------------------------------------------------------

    def _grants(self, user: User, action: A) -> list[Grant]:
        if not isinstance(action, self.actions):
            raise TypeError(f"{type(self).__name__} has no action {action!r}")
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return []
        return self.grants(user, action)

    def allows_any(self, user: User, action: A) -> bool:
        """Whether the user may take ``action`` anywhere (no query: memberships are cached)."""
        return bool(self._grants(user, action))

    def municipalities(self, user: User, action: A) -> list[Municipality]:
        """The municipalities where a grant lets the user take ``action``, by name (no query)."""
        found: dict[int, Municipality] = {}
        for grant in self._grants(user, action):
            if grant.membership is not None:
                unit = grant.membership.unit
                found.setdefault(unit.municipality_id, unit.municipality)
        return sorted(found.values(), key=lambda municipality: municipality.name)

    def municipality_ids(self, user: User, action: A) -> set[int]:
        return {municipality.pk for municipality in self.municipalities(user, action)}

    def grant_for_municipality(self, user: User, action: A, municipality_id: int) -> Grant | None:
        """The first grant for ``action`` that comes from a membership in the municipality."""
        for grant in self._grants(user, action):
            if grant.municipality_id == municipality_id:
                return grant
        return None

    # --- rows ------------------------------------------------------------------------------------

    def _tenant(self, user: User) -> Q:
        municipality_ids = sorted({m.unit.municipality_id for m in memberships_of(user)})
        backstop = Q(pk__in=[])
        for name in self.tenant_fields:
            backstop |= Q(**{f"{name}__in": municipality_ids})
        return backstop

    def _filtered(self, user: User, grants: list[Grant]) -> QuerySet[M]:
        if not grants:
            return self.base_queryset().none()
        combined = Q()
        for grant in grants:
            combined |= _condition(grant)
        return self.base_queryset().filter(combined).filter(self._tenant(user))

    def visible(self, user: User, action: A, *, log_action: str = AccessAction.VIEW) -> QuerySet[M]:
        """The rows ``user`` may take ``action`` on. For a child-data policy the rows write
        their access-log rows (``log_action``) when they are read; counting or testing for
        existence reads no child's data and logs nothing."""
        grants = self._grants(user, action)
        rows = self._filtered(user, grants)
        if not self.logs_reads or not grants:
            return rows
        rows = rows.annotate(**_grant_annotations(grants))
        logged: LoggedQuerySet[M] = LoggedQuerySet(
            model=rows.model, query=rows.query, using=rows.db
        )
        logged._access_log = _LogSpec(user=user, grants=tuple(grants), log_action=log_action)
        return logged

    def find(
        self, user: User, action: A, *, with_related: Sequence[str] = (), **lookup: object
    ) -> Permit[M] | None:
        """Load one object and the first grant that allows it, in one query. Nothing is
        logged: a page that shows the object loads it with ``access.loaders``, or logs the
        permit's object once it has shown it. ``with_related`` names foreign keys to load in
        the same query (``select_related``), so that a page does not load the object twice."""
        grants = self._grants(user, action)
        if not grants:
            return None
        rows = self._filtered(user, grants).filter(**lookup)
        if with_related:  # (``select_related()`` without names would follow every key)
            rows = rows.select_related(*with_related)
        row = rows.annotate(**_grant_annotations(grants)).first()
        if row is None:
            return None
        grant = grants[getattr(row, GRANT_INDEX)]
        return Permit(
            obj=row,
            action=action,
            grant=grant,
            user=user,
            _token=_PERMIT_TOKEN,
            detail=getattr(row, GRANT_DETAIL, None) or "",
        )

    def can(self, user: User, action: A, obj: M) -> bool:
        return self.find(user, action, pk=obj.pk) is not None

    def require(self, user: User | None, action: A, obj: M) -> Permit[M]:
        """A permit for ``obj``, or :class:`NotPermitted`: the check services make before
        they change protected data."""
        permit = self.find(user, action, pk=obj.pk) if user is not None else None
        if permit is None:
            raise NotPermitted
        return permit

    def actions_for(self, user: User, obj: M) -> frozenset[A]:
        """Every action the user may take on ``obj``, in one query (for buttons and flags)."""
        flags: dict[str, Case] = {}
        wanted: dict[str, A] = {}
        for action in self.actions:
            grants = self._grants(user, action)  # type: ignore[arg-type]
            if not grants:
                continue
            combined = Q()
            for grant in grants:
                combined |= _condition(grant)
            name = f"_may_{action.value}"
            flags[name] = Case(When(combined, then=Value(True)), default=Value(False))
            wanted[name] = action  # type: ignore[assignment]
        if not flags:
            return frozenset()
        row = (
            self.base_queryset()
            .filter(pk=obj.pk)
            .filter(self._tenant(user))
            .values(**{name: _boolean(case) for name, case in flags.items()})
            .first()
        )
        if row is None:
            return frozenset()
        return frozenset(action for name, action in wanted.items() if row[name])


def policy_classes() -> list[type[Policy[Any, Any]]]:
    return list(_policy_classes)


def rule_label(rule: str) -> str:
    """The rule's name in the reader's language; the code itself for a rule no policy names
    (a retired rule in an old log row: the row must still be readable). A rule logged with its
    detail (``rule:detail``) names the detail where its label has a ``%(detail)s``."""
    name, _separator, detail = rule.partition(":")
    for policy_class in _policy_classes:
        label = policy_class.rule_labels.get(name)
        if label is not None:
            text = str(label)
            return text % {"detail": detail} if "%(detail)s" in text else text
    return rule


def _logged_rule(rule: str, detail: str) -> str:
    return f"{rule}:{detail}" if detail else rule


def _boolean(case: Case) -> Case:
    case.output_field = BooleanField()
    return case


def _condition(grant: Grant) -> Q:
    """The grant's filter, with an empty ``Q()`` ("every row") spelled out: ``Q() | q`` is just
    ``q`` (the empty grant would vanish from ``visible``) and ``When(Q())`` is an error."""
    return grant.q if grant.q else Q(pk__isnull=False)


def _grant_case(grants: list[Grant]) -> Case:
    """Which grant (its index) allows each row: the first that matches."""
    return Case(
        *[When(_condition(grant), then=Value(index)) for index, grant in enumerate(grants)],
        output_field=IntegerField(),
    )


def _grant_annotations(grants: list[Grant]) -> dict[str, Any]:
    """The grant index of each row and, when a grant has one, the detail of the first grant
    that matches (the same order as the index)."""
    annotations: dict[str, Any] = {GRANT_INDEX: _grant_case(grants)}
    if any(grant.detail is not None for grant in grants):
        annotations[GRANT_DETAIL] = Case(
            *[
                When(_condition(grant), then=Value("") if grant.detail is None else grant.detail)
                for grant in grants
            ],
            default=Value(""),
            output_field=CharField(),
        )
    return annotations


@dataclass(frozen=True)
class _LogSpec:
    user: User
    grants: tuple[Grant, ...]
    log_action: str


class LoggedQuerySet[M: Model](QuerySet[M]):
    """Rows of a child-data policy: reading them writes one access-log row per row, in one
    insert, with the grant that allowed each. Only model rows can be read (``values()`` or
    ``iterator()`` would show data without a log row, so they are refused)."""

    _access_log: "_LogSpec | None" = None

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._access_log = self._access_log
        return clone

    def _fetch_all(self) -> None:
        if self._result_cache is not None or self._access_log is None:
            super()._fetch_all()
            return
        if self._iterable_class is not ModelIterable:
            raise TypeError("A logged list gives model rows only (use a list of objects).")
        super()._fetch_all()
        _write_log(self._access_log, self._result_cache or [])

    @override
    def iterator(self, chunk_size: int | None = None) -> Any:
        raise TypeError("A logged list is read whole, so that its access-log rows are written.")


_batch: ContextVar[list[tuple[User, str, list[Any]]] | None] = ContextVar(
    "access_log_batch", default=None
)


@contextmanager
def access_log_batch() -> Iterator[None]:
    """Gather the access-log rows of every read inside the block and write them when it ends,
    in one insert per reader. ``access.middleware.AccessLogBatchMiddleware`` wraps
    every request in one, so a page logs what it shows in one insert (per reader) before its
    response leaves the server. Outside a batch every read is written at once."""
    pending: list[tuple[User, str, list[Any]]] = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
        by_user: dict[int, tuple[User, dict[tuple[Any, ...], tuple[str, Any]]]] = {}
        for user, log_action, entries in pending:
            reads = by_user.setdefault(user.pk, (user, {}))[1]
            for entry in entries:
                # A child shown twice on one page under the same rule (the inbox's "today"
                # and its list) was read once: one row, in the order first shown.
                reads.setdefault(_read_key(log_action, entry), (log_action, entry))
        for user, reads in by_user.values():
            _record_reads(user, list(reads.values()))


def _read_key(log_action: str, entry: Any) -> tuple[Any, ...]:
    membership = entry.membership
    return (
        log_action,
        entry.obj._meta.label_lower,
        entry.obj.pk,
        entry.child_ref,
        entry.municipality_id,
        entry.rule,
        membership.pk if membership is not None else None,
    )


def access_log_submit(user: User, log_action: str, entries: list[Any]) -> None:
    """Log reads (``access.services.AccessLogEntry``): into the current batch, or at once."""
    pending = _batch.get()
    if pending is None:
        _record(user, log_action, entries)
        return
    # The response must not be cached even before the batch is written.
    from access.context import mark_child_data_shown

    mark_child_data_shown()
    pending.append((user, log_action, entries))


def _write_log(spec: _LogSpec, rows: list[Any]) -> None:
    access_log_submit(spec.user, spec.log_action, _entries(spec, rows))


def _record(user: User, log_action: str, entries: list[Any]) -> None:
    _record_reads(user, [(log_action, entry) for entry in entries])


def _record_reads(user: User, reads: list[tuple[str, Any]]) -> None:
    # Imported here: the services module imports this module's users.
    from access.services import access_log_record_reads

    access_log_record_reads(user=user, reads=reads)


def _entries(spec: _LogSpec, rows: list[Any]) -> list[Any]:
    from access.services import AccessLogEntry

    return [
        AccessLogEntry(
            obj=row,
            municipality_id=row.access_log_municipality_id,
            child_ref=row.access_log_child_ref,
            rule=_logged_rule(
                spec.grants[getattr(row, GRANT_INDEX)].rule, getattr(row, GRANT_DETAIL, "") or ""
            ),
            membership=spec.grants[getattr(row, GRANT_INDEX)].membership,
        )
        for row in rows
    ]


def read_page[M: Model](rows: QuerySet[M], page_size: int) -> tuple[list[M], bool]:
    """One page of ``rows`` and whether more follow, in one query: a keyset page reads one row
    more than it shows. Only the rows shown are logged when ``rows`` is a logged list."""
    spec = getattr(rows, "_access_log", None)
    if spec is None:
        fetched = list(rows[: page_size + 1])
        return fetched[:page_size], len(fetched) > page_size
    unlogged = rows._clone()  # type: ignore[attr-defined]
    unlogged._access_log = None
    fetched = list(unlogged[: page_size + 1])
    shown = fetched[:page_size]
    _write_log(spec, shown)
    return shown, len(fetched) > page_size
