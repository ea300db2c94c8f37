"""Models of the web shell: reports of accessibility problems from the public statement page."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.querysets import WatchedQuerySet


class AccessibilityReport(models.Model):
    """A problem someone reported from the accessibility statement (DOS-lagen requires a way)."""

    created_at = models.DateTimeField(auto_now_add=True)
    page = models.CharField(_("page with the problem"), max_length=300, blank=True)
    description = models.TextField(_("describe the problem"), max_length=4000)
    contact = models.CharField(_("how can we reach you? (optional)"), max_length=200, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("accessibility report")
        verbose_name_plural = _("accessibility reports")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.page}"


class Notification(models.Model):
    """A message in a user's in-app inbox. Never holds child data: a short text and a link.

    ``dedupe_key`` makes periodic jobs idempotent: the same alert is created once.
    """

    user = models.ForeignKey(
        "organisations.User", on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    severity = models.CharField(max_length=10, default="info")
    dedupe_key = models.CharField(max_length=200)
    read_at = models.DateTimeField(null=True, blank=True)

    # Bulk changes drop the kept unread counts of the users (core.notifications).
    objects = WatchedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once")
        ]
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]

    def __str__(self) -> str:
        return self.text

    @staticmethod
    def rows_changed(pks: list[Any]) -> None:
        from core.notifications import unread_forget

        unread_forget(
            Notification.objects.filter(pk__in=pks).values_list("user_id", flat=True).distinct()
        )

    @staticmethod
    def rows_created(objs: list["Notification"]) -> None:
        from core.notifications import unread_forget

        unread_forget(obj.user_id for obj in objs)


class StartPageVisit(models.Model):
    """When a user last came to the start page, so that it can show what is new since then
    (the principal's new reports and feedback). A visit is a working session: reloading the
    page soon after does not start a new one (``core.visits``), so what was new stays shown."""

    user = models.OneToOneField(
        "organisations.User",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="start_page_visit",
    )
    # When the current visit began, and when the one before it did ("since your last visit").
    started_at = models.DateTimeField()
    previous_started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"


class CacheFallbackEntry(models.Model):
    """The shared cache while Redis is unreachable (``core.cache.FallbackRedisCache``): the
    rows of Django's database cache (the same columns as ``createcachetable`` makes), so that
    rate limits and the once-per-form guards stay shared between the app processes."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "core_cache_fallback"

    def __str__(self) -> str:
        return self.cache_key
