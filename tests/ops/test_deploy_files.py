"""The deployment files say the same thing: every periodic command of deploy/schedule.py is a
real management command with a systemd service and timer, a crontab line and a Kubernetes
CronJob, on the same schedule; and gunicorn's access log keeps query strings, cookies,
referrers and survey links out. No database and no processes: collected on SQLite too."""

import datetime
import re
import runpy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import get_commands
from gunicorn.config import Config
from gunicorn.glogging import SafeAtoms

from deploy.schedule import JOBS

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.mark.parametrize("job", JOBS, ids=[job.command for job in JOBS])
def test_each_periodic_command_is_scheduled_alike_everywhere(job: Any) -> None:
    assert job.command in get_commands()
    service = (DEPLOY / "systemd" / f"{job.unit}.service").read_text()
    timer = (DEPLOY / "systemd" / f"{job.unit}.timer").read_text()
    assert f"manage.py {job.command}\n" in service
    assert "Type=oneshot" in service
    assert f"OnCalendar={job.on_calendar}\n" in timer
    crontab = (DEPLOY / "crontab").read_text()
    assert f'{job.cron} bash -c "$RUN {job.command}"' in crontab
    cronjobs = (DEPLOY / "kubernetes" / "cronjobs.yaml").read_text()
    assert f'schedule: "{job.cron}"\n' in cronjobs
    assert f'command: ["python", "manage.py", "{job.command}"]' in cronjobs


def test_no_schedule_names_a_command_that_is_not_in_the_list() -> None:
    listed = {job.command for job in JOBS}
    crontab = (DEPLOY / "crontab").read_text()
    cronjobs = (DEPLOY / "kubernetes" / "cronjobs.yaml").read_text()
    timers = {path.stem for path in (DEPLOY / "systemd").glob("*.timer")}
    assert set(re.findall(r'\$RUN (\w+)"', crontab)) == listed
    assert set(re.findall(r'"manage.py", "(\w+)"', cronjobs)) == listed
    assert timers == {job.unit for job in JOBS}


def test_the_worker_units_run_the_worker_that_recovers_tasks() -> None:
    for text in (
        (DEPLOY / "systemd" / "samverkan-worker@.service").read_text(),
        (DEPLOY / "Containerfile").read_text(),
    ):
        assert "manage.py task_worker" in text
        assert "db_worker" not in text
    assert "task_worker" in get_commands()
    assert "requeue_stale_tasks" in get_commands()


def _access_line(log_format: str, environ: dict[str, str]) -> str:
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    logger = settings["RedactingLogger"](Config())
    response = SimpleNamespace(
        status="200 OK",
        sent=1234,
        headers=[("X-Request-ID", "req-42"), ("Set-Cookie", "sessionid=s3cr3t")],
    )
    request = SimpleNamespace(headers=[("COOKIE", "sessionid=s3cr3t"), ("X-TOKEN", "abc")])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=7))
    return log_format % SafeAtoms(atoms)


SURVEY_REQUEST = {
    "REQUEST_METHOD": "GET",
    "RAW_URI": "/svar/Tok3nFromAnEmail/?q=201203159809",
    "PATH_INFO": "/svar/Tok3nFromAnEmail/",
    "QUERY_STRING": "q=201203159809",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_REFERER": "https://samverkan.example/svar/Tok3nFromAnEmail/?q=201203159809",
    "HTTP_USER_AGENT": "Mozilla/5.0 anna.andersson@example.org",
    "HTTP_COOKIE": "sessionid=s3cr3t",
    "REMOTE_ADDR": "10.1.2.3",
}


def test_the_access_log_has_the_path_without_query_or_survey_token() -> None:
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    line = _access_line(settings["access_log_format"], SURVEY_REQUEST)
    assert '"GET /svar/…/" 200 1234 7ms req-42' in line
    for secret in ("Tok3nFromAnEmail", "201203159809", "s3cr3t", "anna.andersson"):
        assert secret not in line


def test_even_a_careless_log_format_can_not_write_them() -> None:
    # An operator who adds the request line, query, referrer, agent and headers.
    careless = (
        "%(r)s %(q)s %(f)s %(a)s %(u)s %({cookie}i)s %({x-token}i)s %({set-cookie}o)s "
        "%({http_cookie}e)s %({query_string}e)s"
    )
    line = _access_line(careless, SURVEY_REQUEST)
    assert line.startswith("GET /svar/…/ HTTP/1.1 ")
    for secret in ("Tok3nFromAnEmail", "201203159809", "s3cr3t", "anna.andersson", "abc"):
        assert secret not in line
