"""Scale out: two gunicorn processes on one address and two task workers against one
PostgreSQL (the production stack of deploy/local_stack.py, real processes, real HTTP).

Every task is claimed by exactly one worker; each periodic command run twice at the same
moment sends one set of notifications and e-mails; nothing lives in an app process: a
session made while one process serves works on the other, and the failed-login limit counts
the attempts of both (the shared Redis cache).
"""

import re
import subprocess
from functools import partial
from pathlib import Path
from typing import Any

from deploy.http_client import Browser
from deploy.local_stack import PYTHON, ROOT
from deploy.schedule import JOBS
from deploy.smoke import file_report
from tests.ops.helpers import sql, wait_for

WEB = ("web1", "web2")


def log_count(stack: Any, name: str, pattern: str) -> int:
    return len(re.findall(pattern, stack.log(name).read_text(errors="replace")))


def counts(stack: Any, pattern: str) -> dict[str, int]:
    return {name: log_count(stack, name, pattern) for name in WEB}


def logged_once_more(stack: Any, name: str, before: int) -> bool:
    return log_count(stack, name, r'"GET /anmalan/mine/" 200') == before + 1


def restart_web(stack: Any, name: str) -> None:
    booted = log_count(stack, name, "Booting worker")
    stack.start_web(name)
    wait_for(lambda: log_count(stack, name, "Booting worker") > booted, timeout=60)
    stack.wait_healthy()


def test_both_processes_serve_the_one_address(stack: Any) -> None:
    before = counts(stack, r'"GET /healthz" 200')
    for _ in range(30):
        # A new connection each time: the kernel spreads them over both listeners.
        assert Browser(stack.url).get("/healthz").status == 200

    # The access log reaches its file a moment after the answer: wait for all 30 lines.
    def all_logged() -> dict[str, int] | None:
        after = counts(stack, r'"GET /healthz" 200')
        return after if sum(after.values()) - sum(before.values()) >= 30 else None

    after = wait_for(all_logged, timeout=15)
    assert all(after[name] > before[name] for name in WEB), (before, after)


def test_a_session_made_on_one_process_works_on_the_other(stack: Any, reporter: Browser) -> None:
    browser = reporter
    for gone, serving in (("web1", "web2"), ("web2", "web1")):
        stack.stop(gone)
        try:
            before = log_count(stack, serving, r'"GET /anmalan/mine/" 200')
            page = browser.get("/anmalan/mine/")
            assert page.status == 200, f"{serving} did not know the session made earlier"
            # The access log reaches its file a moment after the answer (more so on a busy
            # machine).
            wait_for(partial(logged_once_more, stack, serving, before), timeout=15)
        finally:
            # Whatever happened, the next tests find both processes serving.
            restart_web(stack, gone)


def test_the_failed_login_limit_counts_both_processes(stack: Any, people: dict) -> None:
    username = "principal.leksand"
    login_line = r'"POST /accounts/login/"'
    before = counts(stack, login_line)

    def attempt(password: str) -> int:
        browser = Browser(stack.url)  # a new connection: the kernel picks the process
        page = browser.get("/accounts/login/")
        values = {"login": username, "password": password}
        return browser.submit(page, has="login", values=values).status

    def served(total: int) -> dict[str, int] | None:
        after = counts(stack, login_line)
        found = {name: after[name] - before[name] for name in WEB}
        # Every attempt's line has reached the access logs (they are written a moment later).
        return found if sum(found.values()) >= total else None

    # The limit is 5 failures per account in 5 minutes (LOGIN_RATE_LIMIT).
    assert [attempt("not the password") for _ in range(5)] == [200] * 5
    # Now even the right password is refused, on whichever process answers. Both processes
    # must have answered some of the attempts for that to say anything: the kernel spreads
    # new connections at random, so (rarely) ten in a row go to one; try on until both have
    # (at most 20 posts in all: the login's own limit is 30 a minute per address).
    attempts = 5
    for _ in range(3):
        assert [attempt(people["password"]) for _ in range(5)] == [200] * 5
        attempts += 5
        found: dict[str, int] = wait_for(partial(served, attempts), timeout=15)
        if all(found.values()):
            break
    assert sum(found.values()) == attempts
    assert all(found.values()), f"one process served every attempt: {found}"


def test_every_task_is_claimed_by_exactly_one_worker(stack: Any) -> None:
    stack.manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import transaction\n"
        "from reports.tasks import run_watchdog\n"
        "with transaction.atomic():\n"
        "    ids = [run_watchdog.enqueue().id for _ in range(24)]\n"
        "print(len(ids))",
    )
    query = (
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s"
    )
    pattern = "%reports.tasks.run_watchdog"

    def finished() -> list[tuple] | None:
        rows = sql(stack, query, pattern)
        done = [row for row in rows if row[0] in ("SUCCESSFUL", "FAILED")]
        return rows if len(rows) >= 24 and len(done) == len(rows) else None

    rows = wait_for(finished, timeout=120)
    assert {status for status, _ in rows} == {"SUCCESSFUL"}
    assert all(len(worker_ids) == 1 for _, worker_ids in rows), rows
    workers = {worker_ids[0].split("-")[0] for _, worker_ids in rows}
    assert workers == {"worker1", "worker2"}


def emails_to(stack: Any, address: str) -> int:
    mail: Path = stack.mail_directory
    marker = f"X-Sink-Recipient: {address}"
    return sum(marker in path.read_text(errors="replace") for path in mail.glob("*.eml"))


def test_each_periodic_command_run_twice_at_once_notifies_once(
    stack: Any, people: dict, reporter: Browser
) -> None:
    public_id = file_report(reporter)
    # Submitted five hours ago and still not received: the report watchdog's alert.
    sql(
        stack,
        "UPDATE reports_concernreport SET submitted_at = now() - interval '5 hours' "
        "WHERE public_id = %s",
        public_id,
    )
    address = people["people"]["intake.leksand"]["email"]
    emails_before = emails_to(stack, address)
    # Every command twice, all at the same moment (two machines' timers firing together).
    runs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [PYTHON, "manage.py", job.command],
            cwd=ROOT,
            env=stack.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for job in JOBS
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0] * len(runs), outputs
    notifications = sql(
        stack,
        "SELECT n.dedupe_key, count(*) FROM core_notification n "
        "JOIN organisations_user u ON u.id = n.user_id "
        "WHERE u.username = 'intake.leksand' AND n.dedupe_key LIKE 'watchdog:unreceived:%%' "
        "GROUP BY n.dedupe_key",
    )
    assert len(notifications) == 1, notifications
    assert notifications[0][1] == 1
    # One e-mail for the one notification, although two processes ran the watchdog.
    wait_for(lambda: emails_to(stack, address) > emails_before, timeout=30)
    assert emails_to(stack, address) == emails_before + 1
