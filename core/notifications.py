"""In-app notifications and the e-mails that announce them (a link only, never child data)."""

import datetime
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import Notification
from organisations.models import User

logger = logging.getLogger(__name__)

_emails_held: ContextVar[bool] = ContextVar("notification_emails_held", default=False)


@contextmanager
def without_emails() -> Iterator[None]:
    """Notifications made inside the block are in the app only, not e-mailed: the demo loader
    writes months of history at once, and nobody should get a mail for each step of it."""
    token = _emails_held.set(True)
    try:
        yield
    finally:
        _emails_held.reset(token)


def notify(
    *,
    users: Iterable[User],
    text: str,
    url: str,
    dedupe_key: str,
    severity: str = "info",
    email_subject: str = "",
) -> list[Notification]:
    """Create the notification once per user and key; e-mail the new ones a link.

    Running the same job twice creates nothing new (the unique key), so periodic jobs can be
    retried freely.
    """
    users = list(users)
    # One query skips the people who already have it (a periodic job's rerun); the unique key
    # still catches a concurrent run.
    already = (
        set(
            Notification.objects.filter(user__in=users, dedupe_key=dedupe_key).values_list(
                "user_id", flat=True
            )
        )
        if users
        else set()
    )
    created = []
    for user in users:
        if user.pk in already:
            continue
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        user=user, text=text, url=url, severity=severity, dedupe_key=dedupe_key
                    )
                )
        except IntegrityError:
            continue
    if email_subject and not _emails_held.get():
        link = settings.SITE_URL.rstrip("/") + url
        recipients = [n.user.email for n in created if n.user.email]
        if recipients:
            # One message per person: recipients must not see each other's addresses.
            transaction.on_commit(
                lambda: _send_each(email_subject, f"{text}\n\n{link}\n", recipients)
            )
    return created


# The count in the page header is kept in the shared cache: every page shows it, few change
# it. Each change forgets it (below); the short life bounds what a lost forget (Redis going
# away between two processes' writes) can leave: a wrong count, never anyone's content.
UNREAD_CACHE_SECONDS = 60


def _unread_key(user_id: int) -> str:
    return f"unread-notifications:{user_id}"


def unread_count(user: User) -> int:
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return int(count)


def unread_forget(user_ids: Iterable[int]) -> None:
    """Forget the kept counts of these users, now and again when the transaction commits (a
    page counting in between would keep the count from before it)."""
    keys = [_unread_key(user_id) for user_id in set(user_ids)]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def notification_changed(instance: Notification, **_signal: Any) -> None:
    unread_forget([instance.user_id])


# The notifications page shows this many, newest first; older ones are rarely looked for.
SHOWN = 100


def notifications_of(user: User) -> list[Notification]:
    """The user's latest notifications, newest first (only ever the user's own)."""
    return list(Notification.objects.filter(user=user).order_by("-created_at", "-id")[:SHOWN])


def notification_mark_read(
    *, user: User, notification_id: int | None = None, now: datetime.datetime | None = None
) -> int:
    """Mark one of the user's notifications (or, without an id, all of them) as read.

    Returns how many changed; raises ``Notification.DoesNotExist`` for an id that is not one
    of the user's own, so that "not yours" and "not there" look the same.
    """
    now = now or timezone.now()
    mine = Notification.objects.filter(user=user)
    if notification_id is not None:
        mine = mine.filter(pk=notification_id)
        if not mine.exists():
            raise Notification.DoesNotExist
    return mine.filter(read_at__isnull=True).update(read_at=now)


def _send_each(subject: str, body: str, recipients: list[str]) -> None:
    for recipient in recipients:
        try:
            send_mail(subject, body, None, [recipient])
        except OSError:  # smtplib's errors included: the in-app notification is the record
            logger.warning("Could not e-mail a notification.", exc_info=True)
