"""In-app notifications and the e-mails that announce them (a link only, never child data)."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from core.models import Notification
from organisations.models import User


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
    created = []
    for user in users:
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        user=user, text=text, url=url, severity=severity, dedupe_key=dedupe_key
                    )
                )
        except IntegrityError:
            continue
    if email_subject:
        link = settings.SITE_URL.rstrip("/") + url
        recipients = [n.user.email for n in created if n.user.email]
        if recipients:
            # One message per person: recipients must not see each other's addresses.
            transaction.on_commit(
                lambda: _send_each(email_subject, f"{text}\n\n{link}\n", recipients)
            )
    return created


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def _send_each(subject: str, body: str, recipients: list[str]) -> None:
    for recipient in recipients:
        send_mail(subject, body, None, [recipient], fail_silently=True)
