"""The smoke test of a running production stack (``deploy/local-stack``), over real HTTP.

    deploy/local-stack up --state-dir /tmp/stack
    .venv/bin/python deploy/smoke.py --state-dir /tmp/stack

It checks, in this order, and stops at the first failure (exit status 1):

1. ``/healthz`` answers "ok" with the database reachable, through the shared address;
2. ``/metrics`` answers with the token, and refuses without it;
3. a school reporter logs in (password and authenticator code), files a report of concern;
4. the intake worker of the municipality logs in, sees it and marks it received; the
   intake of the other municipality can not open it;
5. a coordinator asks for a board report; a background worker (not the web process) makes its
   PDF, and the page offers it;
6. the web processes' access logs hold no query string, no identity number and no survey link;
7. ``manage.py check --deploy`` is clean with the stack's settings.

The people come from ``deploy/smoke_data.py``. No step needs a browser.
"""

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deploy.http_client import Browser, Response  # noqa: E402
from deploy.local_stack import Stack  # noqa: E402

# A made-up identity number of a kind the tests use (valid checksum, no real person).
CHILD_IDENTITY_NUMBER = "201203159809"
BOARD_REPORT_SECONDS = 180


class SmokeFailure(AssertionError):
    pass


def expect(condition: object, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def shell(stack: Stack, code: str) -> str:
    """The last line ``code`` prints, run by ``manage.py shell`` in the stack."""
    done = stack.manage("shell", "--no-imports", "-c", code)
    return done.stdout.strip().splitlines()[-1]


def people(stack: Stack) -> dict:
    """Make (or refresh) the smoke test's people in the stack's database."""
    return dict(json.loads(shell(stack, "from deploy.smoke_data import main; main()")))


def logged_in(stack: Stack, who: dict, username: str) -> Browser:
    browser = Browser(stack.url)
    browser.log_in(username, who["password"], who["people"][username]["secret"])
    return browser


def check_health(stack: Stack) -> None:
    answer = Browser(stack.url).get("/healthz")
    expect(answer.status == 200, f"/healthz answered {answer.status}")
    expect(json.loads(answer.text) == {"status": "ok", "database": "ok"}, answer.text)


def check_metrics(stack: Stack) -> None:
    token = stack.env().get("METRICS_TOKEN", "")
    expect(token, "the stack has no METRICS_TOKEN")
    refused = Browser(stack.url).get("/metrics")
    expect(refused.status in (401, 403, 404), f"/metrics without token: {refused.status}")
    answer = Browser(stack.url).get("/metrics", headers={"Authorization": f"Bearer {token}"})
    expect(answer.status == 200, f"/metrics with the token answered {answer.status}")
    expect("# TYPE" in answer.text, "/metrics is not in Prometheus' text format")


def file_report(browser: Browser) -> str:
    """Start a draft, fill it in and submit it; the report's public id."""
    started = browser.submit(browser.get("/anmalan/new/"), has="school")
    expect(started.status == 302 and "/drafts/" in started.location, "no draft was started")
    public_id = started.location.rstrip("/").rsplit("/", 1)[-1]
    draft = browser.get(started.location)
    answer = browser.submit(
        draft,
        has="version",
        values={
            "child_identity_number": CHILD_IDENTITY_NUMBER,
            "child_class": "5B",
            "what_happened": "Eleven berättade om bråk hemma (röktest av driftmiljön).",
            "categories": ["neglect"],
            "acute_danger": "no",
            "guardians_informed": "yes",
            "submit": "",
        },
    )
    expect(
        answer.status == 302 and public_id in answer.location,
        f"submitting the report answered {answer.status} {answer.location}",
    )
    status = browser.follow(answer)
    expect(status.status == 200, f"the receipt answered {status.status}")
    return public_id


def receive_report(stack: Stack, intake: Browser, outsider: Browser, public_id: str) -> None:
    inbox = intake.get("/anmalan/intake/")
    expect(inbox.status == 200 and public_id in inbox.text, "the report is not in the inbox")
    detail = f"/anmalan/intake/{public_id}/"
    expect(outsider.get(detail).status == 404, "another municipality's intake opened it")
    page = intake.get(detail)
    expect(page.status == 200, f"the intake's page answered {page.status}")
    answer = intake.post(f"{detail}steps/receive/", _csrf(page))
    expect(answer.status == 302, f"receiving answered {answer.status}")
    state = shell(
        stack,
        "from reports.models import ConcernReport as R; "
        f"print(R.objects.get(public_id='{public_id}').status)",
    )
    expect(state == "received", f"the report's status is {state!r}, not received")


def _csrf(page: Response) -> dict[str, str]:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    expect(found, "no CSRF token on the page")
    assert found is not None
    return {"csrfmiddlewaretoken": found.group(1)}


def board_report(coordinator: Browser, stack: Stack) -> None:
    listing = coordinator.get("/aterrapportering/")
    expect(listing.status == 200, f"the board reports' page answered {listing.status}")
    answer = coordinator.submit(listing, has="period_kind")
    expect(answer.status == 302, f"asking for a board report answered {answer.status}")
    detail = answer.location
    pdf = detail.rstrip("/") + "/pdf/"
    deadline = time.monotonic() + BOARD_REPORT_SECONDS
    while time.monotonic() < deadline:
        got = coordinator.get(pdf)
        if got.status == 200:
            expect(got.body.startswith(b"%PDF"), "the board report's file is not a PDF")
            break
        time.sleep(1)
    else:
        raise SmokeFailure(f"no board report PDF after {BOARD_REPORT_SECONDS} s")
    ran = shell(
        stack,
        "from django_tasks_db.models import DBTaskResult as T; "
        "print(sorted({w for t in T.objects.filter("
        "task_path__endswith='generate_board_report', status='SUCCESSFUL') "
        "for w in t.worker_ids}))",
    )
    expect("worker" in ran, f"no worker ran the board report: {ran}")


def check_access_logs(stack: Stack) -> None:
    for name in ("web1", "web2"):
        text = stack.log(name).read_text(errors="replace")
        # Any request line: the kernel spreads connections over the two processes
        # (SO_REUSEPORT), so a given path such as /healthz may all have gone to the other one.
        expect(re.search(r'"(GET|POST) /', text), f"{name} logged no requests")
        expect(CHILD_IDENTITY_NUMBER not in text, f"{name}'s log holds the identity number")
        expect(not re.search(r'"[A-Z]+ [^" ]*\?', text), f"{name} logged a query string")
        expect(not re.search(r"/svar/(?!…|tack/)[^/\s]+", text), f"{name} logged a survey link")


def check_deploy(stack: Stack) -> None:
    output = stack.check_deploy()
    expect("no issues" in output, output)


def run(stack: Stack) -> None:
    """Every check in order; raises :class:`SmokeFailure` at the first that fails."""
    check_health(stack)
    print("ok: /healthz", flush=True)
    check_metrics(stack)
    print("ok: /metrics with its token (and not without)", flush=True)
    who = people(stack)
    public_id = file_report(logged_in(stack, who, "reporter.leksand"))
    print("ok: a school reporter (password + authenticator code) files a report", flush=True)
    intake = logged_in(stack, who, "intake.leksand")
    receive_report(stack, intake, logged_in(stack, who, "intake.eksjo"), public_id)
    print("ok: the intake receives it; another municipality's intake gets a 404", flush=True)
    board_report(logged_in(stack, who, "coordinator.leksand"), stack)
    print("ok: a background worker makes the board report's PDF", flush=True)
    check_access_logs(stack)
    print("ok: the access logs hold no query string, identity number or survey link")
    check_deploy(stack)
    print("ok: check --deploy is clean", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description="Smoke-test a running local stack.")
    parser.add_argument("--state-dir", type=Path, required=True)
    arguments = parser.parse_args()
    stack = Stack.load(arguments.state_dir)
    try:
        run(stack)
    except SmokeFailure as failure:
        print(f"SMOKE TEST FAILED: {failure}", file=sys.stderr)
        return 1
    print("Smoke test passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
