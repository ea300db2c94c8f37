from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicRun(models.Model):
    """When each periodic job (a watchdog, the reminders) last finished without error, whether
    cron ran its command here or a worker ran its task. The metrics endpoint exports it, so
    that an alert fires when the scheduler has stopped: nothing else notices a job that never
    runs. One row per job, overwritten; no personal data."""

    job = models.CharField(_("job"), max_length=200, unique=True)
    last_success_at = models.DateTimeField(_("last successful run"))

    class Meta:
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")

    def __str__(self) -> str:
        return self.job
