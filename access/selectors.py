"""Reads for the log review (loggkontroll): who may see which access-log rows and samples, the
access-log list in keyset pages of grouped reads, and the start-page reminder of a month not
yet reviewed."""

import datetime
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import override

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.grouping import AccessGroup, page_of_groups, singles
from access.models import AccessLog, LogReviewSample
from access.policies import Grant, Policy
from access.row_words import describe_groups
from core.attention import AttentionItem
from core.keyset import rows_after
from organisations.models import Membership, Municipality, Role, User
from organisations.selectors import memberships_with_role

# Groups of identical reads per page, and the most rows one page reads to make them: with
# every read different a page reads 201 rows to show 50, a bounded cost for the folding.
PAGE_SIZE = 50
GROUP_READ_LIMIT = 4 * PAGE_SIZE
MUNICIPAL_ADMIN_RULE = "municipal_admin"
# The admin's own reads: the log review, and looking up a child's accesses in it.
MUNICIPAL_ADMIN_RULE_LABELS = {MUNICIPAL_ADMIN_RULE: gettext_lazy("Municipal admin's log review")}


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
            q |= Q(staff_municipality_id=municipality_id)
        grants.setdefault(
            municipality_id, Grant(rule=MUNICIPAL_ADMIN_RULE, q=q, membership=membership)
        )
    return list(grants.values())


class AccessLogPolicy(Policy[AccessLog, LogReviewAction]):
    """The municipal admin reads the access log of the municipalities they administer: every
    read of their municipality's data, and every read their own staff made elsewhere."""

    model = AccessLog
    actions = LogReviewAction
    tenant_fields = ("municipality_id", "staff_municipality_id")
    rule_labels = MUNICIPAL_ADMIN_RULE_LABELS

    def grants(self, user: User, action: LogReviewAction) -> list[Grant]:
        if action != LogReviewAction.VIEW:
            return []
        return _municipal_admin_grants(user, readers_too=True)


class LogReviewSamplePolicy(Policy[LogReviewSample, LogReviewAction]):
    """The municipal admin views and reviews the samples of the municipalities they administer."""

    model = LogReviewSample
    actions = LogReviewAction
    rule_labels = MUNICIPAL_ADMIN_RULE_LABELS

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
    # Words of a person's name or username; every word must match.
    user_text: str = ""
    child_ref: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    action: str = ""
    municipality_id: int | None = None


@dataclass
class AccessLogPage:
    groups: list[AccessGroup] = field(default_factory=list)
    next_cursor: Cursor | None = None


def access_log_filtered(user: User, filters: AccessLogFilters) -> QuerySet[AccessLog]:
    """The access-log rows the user may review, narrowed by the filters, newest first."""
    rows = access_log_policy.visible(user, LogReviewAction.VIEW)
    if filters.municipality_id is not None:
        rows = rows.filter(
            Q(municipality_id=filters.municipality_id)
            | Q(staff_municipality_id=filters.municipality_id)
        )
    if filters.user_text:
        people = _matching_people(user, filters.user_text)
        rows = rows.filter(user_id__in=people.values("pk"))
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


def _matching_people(user: User, text: str) -> QuerySet[User]:
    """The people of the admin's municipalities whose name or username holds every word (a
    subquery: the log is then read by its index on the user)."""
    municipality_ids = access_log_policy.municipality_ids(user, LogReviewAction.VIEW)
    people = log_review_users(sorted(municipality_ids))
    for word in text.split()[:5]:
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
        )
    return people


def access_log_page(
    user: User,
    filters: AccessLogFilters,
    *,
    before: Cursor | None = None,
    page_size: int = PAGE_SIZE,
) -> AccessLogPage:
    """One page of the access log in groups of identical reads (``access.grouping``): a keyset
    page (no OFFSET, no COUNT) of at most ``page_size`` groups, read in one query of at most
    ``GROUP_READ_LIMIT`` rows, plus one query per kind of object shown (their references)."""
    rows = access_log_filtered(user, filters)
    if before is not None:
        # A row comparison, which the database can use as a range of its index.
        rows = rows.filter(
            rows_after(("occurred_at", "id"), (before.occurred_at, before.pk), descending=True)
        )
    fetched = _newest_reads(user, rows, GROUP_READ_LIMIT + 1)
    grouped = page_of_groups(fetched, groups=page_size, read_limit=GROUP_READ_LIMIT)
    page = AccessLogPage(groups=grouped.groups)
    if grouped.last_shown is not None:
        last = grouped.last_shown
        page.next_cursor = Cursor(occurred_at=last.occurred_at, pk=last.pk)
    describe_groups(page.groups)
    return page


def _newest_reads(user: User, rows: QuerySet[AccessLog], limit: int) -> list[AccessLog]:
    """The newest ``limit`` of ``rows``, read as two ranges of two indexes and merged: the
    reads of the administered municipalities' data, and (rare) their staff's reads of other
    municipalities' data. One query with "this municipality's data OR this municipality's
    staff" can use neither index, and reads the whole log's time index backwards until it has
    found ``limit`` rows: for a small municipality in a national log, nearly every row."""
    ids = sorted(access_log_policy.municipality_ids(user, LogReviewAction.VIEW))
    shown = with_people_and_places(rows)
    own = list(shown.filter(municipality_id__in=ids)[:limit])
    elsewhere = shown.filter(staff_municipality_id__in=ids).exclude(municipality_id__in=ids)
    merged = own + list(elsewhere[:limit])
    merged.sort(key=lambda row: (row.occurred_at, row.pk), reverse=True)
    return merged[:limit]


# What the review shows of a row's person, unit and municipality: their names only (a page
# reads up to 201 rows; the accounts' other columns would be read for nothing).
_SHOWN_RELATED = (
    "user__username",
    "user__first_name",
    "user__last_name",
    "unit__name",
    "municipality__name",
)


def with_people_and_places(rows: QuerySet[AccessLog]) -> QuerySet[AccessLog]:
    """The rows with the names ``access.row_words`` shows, in the same query."""
    own = [field.name for field in AccessLog._meta.concrete_fields]
    return rows.select_related("user", "unit", "municipality").only(*own, *_SHOWN_RELATED)


def log_review_users(municipality_ids: list[int]) -> QuerySet[User]:
    """The people whose reads a log review may look for: accounts the municipalities administer
    and everyone who holds or held a role at one of their units."""
    members = Membership.objects.filter(unit__municipality_id__in=municipality_ids)
    return User.objects.filter(
        Q(municipality_id__in=municipality_ids) | Q(pk__in=members.values("user_id"))
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


def log_sample_entries(sample: LogReviewSample) -> list[AccessGroup]:
    """The sampled rows, oldest first, each on its own (a random draw has no runs)."""
    rows = with_people_and_places(sample.entries.order_by("occurred_at", "id"))
    groups = singles(list(rows))
    describe_groups(groups)
    return groups


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
