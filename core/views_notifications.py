"""The user's own notifications: the latest, newest first, and marking them as read."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from core.models import Notification
from core.notifications import SHOWN, notification_mark_read, notifications_of
from organisations.models import User


@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """GET: the list. POST ``notification=<id>`` marks one as read, ``all`` marks every one."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        return _mark_read(request, user)
    rows = [Row(item, _local_link(item.url)) for item in notifications_of(user)]
    return render(
        request,
        "core/notifications.html",
        {
            "rows": rows,
            "any_unread": any(row.notification.read_at is None for row in rows),
            "shown": SHOWN,
            "truncated": len(rows) >= SHOWN,
        },
    )


@dataclass(frozen=True)
class Row:
    notification: Notification
    link: str


def _local_link(url: str) -> str:
    """Only links within this site are shown (a notification never sends anyone elsewhere)."""
    return url if url.startswith("/") and not url.startswith("//") else ""


def _mark_read(request: HttpRequest, user: User) -> HttpResponse:
    if "all" in request.POST:
        changed = notification_mark_read(user=user)
        messages.success(
            request,
            ngettext(
                "%(count)s notification marked as read.",
                "%(count)s notifications marked as read.",
                changed,
            )
            % {"count": changed},
        )
        return redirect("core:notifications")
    raw = request.POST.get("notification", "")
    if not raw.isdigit():
        raise Http404
    try:
        notification_mark_read(user=user, notification_id=int(raw))
    except Notification.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The notification is marked as read."))
    return redirect("core:notifications")
