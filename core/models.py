"""Models of the web shell: reports of accessibility problems from the public statement page."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
