"""Personal calendar feeds: the token a calendar app subscribes with, and what the feed holds.

The token is the only credential a calendar app has (it can not log in), so it is long and
random (``secrets.token_urlsafe(32)``, 256 bits), it is never written to the audit log, and it
can be revoked at once; a revoked or unknown token is a 404. A feed of a deactivated user, or of
a user without memberships, is a 404 too.

A feed holds the occurrences relevant to its user: series of the user's municipalities that one
of the user's units organises or is invited to (a membership "including units below" covers the
units under it), or that invite the sector of one of the user's units; a coordinator gets all
of the municipality's series. From three months back to fifteen months ahead.
"""

import datetime
import secrets

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.policies import NotPermitted
from access.services import audit_event_record
from organisations.models import Membership, Role, User
from organisations.selectors import memberships_of
from wheel.models import ActivitySeries, CalendarFeed, Occurrence

MAX_ACTIVE_FEEDS = 5
FEED_MONTHS_BACK = 3
FEED_MONTHS_AHEAD = 15


def new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_create(*, user: User) -> CalendarFeed:
    """A new feed for ``user``. At most ``MAX_ACTIVE_FEEDS`` feeds are active at a time (one
    per phone or computer is plenty); the user's row is locked so that two clicks can not pass
    the limit together."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        active = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_FEEDS:
            raise ValidationError(
                _(
                    "You already have %(count)d calendar feeds in use. Revoke one you no longer "
                    "use before you create a new one."
                )
                % {"count": active},
                code="too_many_feeds",
            )
        feed = CalendarFeed.objects.create(user=user, token=new_token())
        audit_event_record(
            actor=user,
            municipality=user.municipality,
            event_type=AuditEventType.CALENDAR_FEED_CREATED,
            obj=feed,
            new={"user": user.pk},
        )
    return feed


def calendar_feed_revoke(*, actor: User, feed: CalendarFeed) -> bool:
    """Revoke ``feed`` at once: its URL answers 404 from now on. Revoking twice changes
    nothing (returns False the second time). A feed is its owner's alone (``NotPermitted``
    for anyone else)."""
    if feed.user_id != actor.pk:
        raise NotPermitted
    with transaction.atomic():
        now = timezone.now()
        changed = CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if changed:
            feed.revoked_at = now
            audit_event_record(
                actor=actor,
                municipality=feed.user.municipality,
                event_type=AuditEventType.CALENDAR_FEED_REVOKED,
                obj=feed,
                old={"revoked_at": None},
                new={"revoked_at": now.isoformat()},
            )
    return bool(changed)


def feeds_of(user: User) -> list[CalendarFeed]:
    """The user's feeds, active ones first, newest first."""
    return sorted(
        CalendarFeed.objects.filter(user=user).order_by("-created_at", "-id"),
        key=lambda feed: feed.revoked_at is not None,
    )


def active_feed(user: User, pk: int) -> CalendarFeed | None:
    """One of the user's own active feeds (None for anyone else's)."""
    return (
        CalendarFeed.objects.filter(pk=pk, user=user, revoked_at__isnull=True)
        .select_related("user__municipality")
        .first()
    )


def feed_by_token(token: str) -> CalendarFeed | None:
    """The active feed with this token, of an active user; None otherwise."""
    if not token or len(token) > 64:
        return None
    return (
        CalendarFeed.objects.filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .first()
    )


def feed_window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    return now - relativedelta(months=FEED_MONTHS_BACK), now + relativedelta(
        months=FEED_MONTHS_AHEAD
    )


def _covers(membership: Membership, unit_id: int, unit_path: str) -> bool:
    if unit_id == membership.unit_id:
        return True
    return membership.includes_subtree and unit_path.startswith(membership.unit.path)


def relevant_series_ids(user: User) -> set[int]:
    """Ids of the series whose occurrences belong in the user's calendar (two queries after
    the user's memberships, however many series there are)."""
    memberships = memberships_of(user)
    if not memberships:
        return set()
    by_municipality: dict[int, list[Membership]] = {}
    for membership in memberships:
        by_municipality.setdefault(membership.unit.municipality_id, []).append(membership)
    coordinated = {
        municipality_id
        for municipality_id, held in by_municipality.items()
        if any(membership.role == Role.COORDINATOR for membership in held)
    }
    series_rows = ActivitySeries.objects.filter(
        municipality_id__in=list(by_municipality)
    ).values_list(
        "id", "municipality_id", "organiser_unit_id", "organiser_unit__path", "invited_sectors"
    )
    invited_units: dict[int, list[tuple[int, str]]] = {}
    through = ActivitySeries.invited_units.through
    for series_id, unit_id, unit_path in through.objects.filter(
        activityseries__municipality_id__in=list(by_municipality)
    ).values_list("activityseries_id", "unit_id", "unit__path"):
        invited_units.setdefault(series_id, []).append((unit_id, unit_path))
    chosen: set[int] = set()
    for series_id, municipality_id, organiser_id, organiser_path, sectors_json in series_rows:
        if municipality_id in coordinated:
            chosen.add(series_id)
            continue
        held = by_municipality[municipality_id]
        units = [(organiser_id, organiser_path), *invited_units.get(series_id, [])]
        sectors = set(sectors_json or [])
        if any(_covers(m, unit_id, path) for m in held for unit_id, path in units) or any(
            m.unit.sector in sectors for m in held
        ):
            chosen.add(series_id)
    return chosen


def feed_occurrences(user: User, *, now: datetime.datetime) -> list[Occurrence]:
    """The occurrences of the user's feed, oldest first, with their series."""
    series_ids = relevant_series_ids(user)
    if not series_ids:
        return []
    start, end = feed_window(now)
    return list(
        Occurrence.objects.filter(
            series_id__in=sorted(series_ids), starts_at__gte=start, starts_at__lt=end
        )
        .select_related("series")
        .order_by("starts_at", "id")
    )
