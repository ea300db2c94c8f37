"""The periodic commands and when they run: the one list that the systemd timers
(``deploy/systemd/``), the crontab (``deploy/crontab``) and the Kubernetes CronJobs
(``deploy/kubernetes/cronjobs.yaml``) follow. ``deploy/local-stack`` runs each once, and
``tests/ops/test_deploy_files.py`` checks that the three schedules say the same as this list.

Each command is safe to run twice, and in parallel on two machines: the watchdogs and
reminders dedupe what they send (one notification per key), the follow-up refresh recomputes,
and the requeue takes only rows whose worker is gone.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    command: str
    cron: str  # minute hour day month weekday, in the server's local time
    on_calendar: str  # the same for systemd (OnCalendar=)
    why: str

    @property
    def unit(self) -> str:
        return "samverkan-" + self.command.replace("_", "-")


JOBS = (
    Job(
        "report_watchdog",
        "*/15 * * * *",
        "*:0/15",
        "reports not received in time, overdue steps, a silent intake",
    ),
    Job(
        "requeue_stale_tasks",
        "*/5 * * * *",
        "*:0/5",
        "background tasks whose worker died run again",
    ),
    Job(
        "access_log_partitions",
        "30 5 * * *",
        "*-*-* 05:30",
        "the access log's monthly partitions for the coming months",
    ),
    Job("followup_refresh", "5 * * * *", "*:05", "the follow-up's summary tables"),
    Job(
        "governance_watchdog",
        "0 6 * * *",
        "*-*-* 06:00",
        "governance documents due for review or expired",
    ),
    Job("sip_reminders", "10 6 * * *", "*-*-* 06:10", "SIP meetings and follow-ups due"),
    Job(
        "survey_reminders",
        "20 6 * * *",
        "*-*-* 06:20",
        "unanswered invitations of rounds closing soon",
    ),
)
