"""Reads for the log review (loggkontroll): who may see which access-log rows and samples, the
keyset-paginated access-log list, and the start-page reminder of a month not yet reviewed."""

import datetime
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import override

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from access.models import AccessLog, LogReviewSample
from access.policies import Grant, Policy
from core.attention import AttentionItem
from organisations.models import Membership, Municipality, Role, User
from organisations.selectors import memberships_with_role

PAGE_SIZE = 50
# Lazy labels: translated when rendered, in the language of that request.
ROLE_LABELS: dict[str, str | Promise] = {str(value): label for value, label in Role.choices}


class LogReviewAction(StrEnum):
    VIEW = "view"
    REVIEW = "review"


def _municipal_admin_grants(user: User, *, readers_too: bool = False) -> list[Grant]:
    """One grant per municipality the user administers, so the log names the membership.
    With ``readers_too`` a grant also covers the reads its municipality's own staff made of
    another municipality's data (a report routed to the child's home municipality)."""
    grants: dict[int, Grant] = {}
    for membership in memberships_with_role(user, [Role.MUNICIPAL_ADMIN]):
        municipality_id = membership.unit.municipality_id
        q = Q(municipality_id=municipality_id)
        if readers_too:
            q |= Q(unit__municipality_id=municipality_id)
        grants.setdefault(
            municipality_id, Grant(rule="municipal_admin", q=q, membership=membership)
        )
    return list(grants.values())


class AccessLogPolicy(Policy[AccessLog, LogReviewAction]):
    """The municipal admin reads the access log of the municipalities they administer: every
    read of their municipality's data, and every read their own staff made elsewhere."""

    model = AccessLog
    actions = LogReviewAction
    tenant_fields = ("municipality_id", "unit__municipality_id")

    def grants(self, user: User, action: LogReviewAction) -> list[Grant]:
        if action != LogReviewAction.VIEW:
            return []
        return _municipal_admin_grants(user, readers_too=True)


class LogReviewSamplePolicy(Policy[LogReviewSample, LogReviewAction]):
    """The municipal admin views and reviews the samples of the municipalities they administer."""

    model = LogReviewSample
    actions = LogReviewAction

    def base_queryset(self) -> QuerySet[LogReviewSample]:
        return LogReviewSample.objects.select_related("municipality", "created_by", "reviewed_by")

    @override
    def grants(self, user: User, action: LogReviewAction) -> list[Grant]:
        return _municipal_admin_grants(user)


access_log_policy = AccessLogPolicy()
log_sample_policy = LogReviewSamplePolicy()


# --- months ---------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    """The first day of the month before ``today`` (local date by default)."""
    today = today or timezone.localdate()
    return (month_start(today) - datetime.timedelta(days=1)).replace(day=1)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month as [start, end) instants in the local time zone."""
    first = month_start(month)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return _local_midnight(first), _local_midnight(following)


def month_label(month: datetime.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- the access-log list ----------------------------------------------------------------------

_CURSOR = re.compile(r"(\d{1,20})_(\d{1,20})")
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Cursor:
    """Where the next (older) page starts: strictly before this (occurred_at, id)."""

    occurred_at: datetime.datetime
    pk: int

    def encode(self) -> str:
        delta = self.occurred_at - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return f"{micros}_{self.pk}"

    @classmethod
    def decode(cls, text: str) -> "Cursor | None":
        match = _CURSOR.fullmatch(text)
        if match is None:
            return None
        try:
            occurred_at = _EPOCH + datetime.timedelta(microseconds=int(match[1]))
        except OverflowError:
            return None
        return cls(occurred_at=occurred_at, pk=int(match[2]))


@dataclass(frozen=True)
class AccessLogFilters:
    user_id: int | None = None
    child_ref: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    action: str = ""
    municipality_id: int | None = None


@dataclass
class AccessLogPage:
    rows: list[AccessLog] = field(default_factory=list)
    next_cursor: Cursor | None = None


def access_log_filtered(user: User, filters: AccessLogFilters) -> QuerySet[AccessLog]:
    """The access-log rows the user may review, narrowed by the filters, newest first."""
    rows = access_log_policy.visible(user, LogReviewAction.VIEW)
    if filters.municipality_id is not None:
        rows = rows.filter(
            Q(municipality_id=filters.municipality_id)
            | Q(unit__municipality_id=filters.municipality_id)
        )
    if filters.user_id is not None:
        rows = rows.filter(user_id=filters.user_id)
    if filters.child_ref:
        rows = rows.filter(child_ref=filters.child_ref)
    if filters.date_from is not None:
        rows = rows.filter(occurred_at__gte=_local_midnight(filters.date_from))
    if filters.date_to is not None:
        following = filters.date_to + datetime.timedelta(days=1)
        rows = rows.filter(occurred_at__lt=_local_midnight(following))
    if filters.action:
        rows = rows.filter(action=filters.action)
    return rows.order_by("-occurred_at", "-id")


def access_log_page(
    user: User,
    filters: AccessLogFilters,
    *,
    before: Cursor | None = None,
    page_size: int = PAGE_SIZE,
) -> AccessLogPage:
    """One page of the access log: a keyset page (no OFFSET, no COUNT), one query."""
    rows = access_log_filtered(user, filters)
    if before is not None:
        rows = rows.filter(
            Q(occurred_at__lt=before.occurred_at)
            | Q(occurred_at=before.occurred_at, id__lt=before.pk)
        )
    fetched = list(rows.select_related("unit")[: page_size + 1])
    page = AccessLogPage(rows=fetched[:page_size])
    if len(fetched) > page_size:
        last = page.rows[-1]
        page.next_cursor = Cursor(occurred_at=last.occurred_at, pk=last.pk)
    describe_rows(page.rows)
    return page


def describe_rows(rows: list[AccessLog]) -> None:
    """Attach display labels that need no query: the role and the object type's name."""
    for row in rows:
        row.role_label = ROLE_LABELS.get(row.role, row.role)  # type: ignore[attr-defined]
        row.object_type_label = _object_type_label(row.object_type)  # type: ignore[attr-defined]


def _object_type_label(label_lower: str) -> str:
    try:
        model = apps.get_model(label_lower)
    except (LookupError, ValueError):
        return label_lower
    return str(model._meta.verbose_name).capitalize()


def log_review_users(municipality_ids: list[int]) -> QuerySet[User]:
    """The people whose reads a log review may look for: accounts the municipalities administer
    and everyone who holds or held a role at one of their units."""
    members = Membership.objects.filter(unit__municipality_id__in=municipality_ids)
    return (
        User.objects.filter(
            Q(municipality_id__in=municipality_ids) | Q(pk__in=members.values("user_id"))
        )
        .only("id", "username", "first_name", "last_name")
        .order_by("last_name", "first_name", "username")
    )


def administered_municipalities(user: User) -> list[Municipality]:
    """The municipalities whose access log the user reviews (no query)."""
    return access_log_policy.municipalities(user, LogReviewAction.VIEW)


# --- samples ----------------------------------------------------------------------------------


def log_sample_size() -> int:
    """How many rows a monthly sample draws at most (``ACCESS_LOG_SAMPLE_SIZE``, default 20)."""
    return int(getattr(settings, "ACCESS_LOG_SAMPLE_SIZE", 20))


def log_samples_visible(
    user: User, action: LogReviewAction = LogReviewAction.VIEW
) -> QuerySet[LogReviewSample]:
    return (
        log_sample_policy.visible(user, action)
        .annotate(entry_count=Count("entries"))
        .order_by("-month", "municipality__name", "-id")
    )


def log_sample_entries(sample: LogReviewSample) -> list[AccessLog]:
    rows = list(sample.entries.select_related("unit").order_by("occurred_at", "id"))
    describe_rows(rows)
    return rows


def log_review_attention(_user: User, memberships: list[Membership]) -> list[AttentionItem]:
    """Start-page reminder for the municipal admin: last month's log review is not done."""
    municipalities = {
        membership.unit.municipality_id: membership.unit.municipality
        for membership in memberships
        if membership.role == Role.MUNICIPAL_ADMIN
    }
    if not municipalities:
        return []
    month = previous_month()
    done = set(
        LogReviewSample.objects.filter(
            municipality_id__in=municipalities, month=month, reviewed_at__isnull=False
        ).values_list("municipality_id", flat=True)
    )
    url = reverse("access:log_sample_list")
    items = []
    for municipality_id, municipality in sorted(
        municipalities.items(), key=lambda item: item[1].name
    ):
        if municipality_id in done:
            continue
        if len(municipalities) == 1:
            text = _("The log review for %(month)s is not done.") % {"month": month_label(month)}
        else:
            text = _("The log review for %(month)s is not done in %(municipality)s.") % {
                "month": month_label(month),
                "municipality": municipality.name,
            }
        items.append(AttentionItem(text=text, url=url, severity="warning"))
    return items
