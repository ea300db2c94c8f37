"""Double submit and concurrent edit across the two app processes (real HTTP, real gunicorn).

The same form post (one submission key) sent many times at once, spread by the kernel over
both processes, submits one report; saves of one draft made from the same version, over both
processes at once, save once and tell every other sender of the conflict (the draft form's
version check), so nothing is overwritten in silence.
"""

import threading
from typing import Any

from deploy.http_client import Browser, Response, find_form
from tests.ops.helpers import sql
from tests.ops.test_stack_scale_out import WEB, counts

PARALLEL = 12
CONFLICT = "Utkastet har ändrats i ett annat fönster"


def together(calls: list[Any]) -> list[Response]:
    """Run the calls in threads released at the same moment; their answers in order."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all(isinstance(answer, Response) for answer in answers), answers
    return answers


def new_draft(browser: Browser) -> tuple[str, Response]:
    started = browser.submit(browser.get("/anmalan/new/"), has="school")
    assert started.status == 302
    return started.location, browser.get(started.location)


FILLED = {
    "child_identity_number": "201203159809",
    "what_happened": "Eleven berättade om bråk hemma.",
    "categories": ["neglect"],
    "acute_danger": "no",
    "guardians_informed": "yes",
}


def clone(browser: Browser) -> Browser:
    """The same session on its own connection (one tab's double click, or two tabs)."""
    return Browser(browser.base_url, cookies=dict(browser.cookies))


def test_one_form_posted_to_both_processes_at_once_submits_one_report(
    stack: Any, reporter: Browser
) -> None:
    path, draft = new_draft(reporter)
    public_id = path.rstrip("/").rsplit("/", 1)[-1]
    data = find_form(draft.text, "version").values({**FILLED, "submit": ""})
    before = counts(stack, rf'"POST {path}"')

    answers = together([lambda: clone(reporter).post(path, data) for _ in range(PARALLEL)])

    after = counts(stack, rf'"POST {path}"')
    assert all(after[name] > before[name] for name in WEB), (before, after)
    assert {answer.status for answer in answers} == {302}, [a.status for a in answers]
    rows = sql(
        stack,
        "SELECT r.status, (SELECT count(*) FROM reports_submissionkey k WHERE k.report_id = r.id),"
        " (SELECT count(*) FROM access_auditevent e WHERE e.event_type = 'report_submitted'"
        "  AND e.object_id = r.id::text) "
        "FROM reports_concernreport r WHERE r.public_id = %s",
        public_id,
    )
    assert rows == [("submitted", 1, 1)]


def test_concurrent_saves_of_one_version_save_once_and_tell_the_others(
    stack: Any, reporter: Browser
) -> None:
    path, draft = new_draft(reporter)
    public_id = path.rstrip("/").rsplit("/", 1)[-1]
    form = find_form(draft.text, "version")
    [(version_before,)] = sql(
        stack, "SELECT version FROM reports_concernreport WHERE public_id = %s", public_id
    )
    texts = [f"Version {index} av det som hände." for index in range(PARALLEL)]
    before = counts(stack, rf'"POST {path}"')

    def save(text: str) -> Any:
        data = form.values({"what_happened": text, "save": ""})
        return lambda: clone(reporter).post(path, data)

    answers = together([save(text) for text in texts])

    after = counts(stack, rf'"POST {path}"')
    assert all(after[name] > before[name] for name in WEB), (before, after)
    saved = [text for text, answer in zip(texts, answers, strict=True) if answer.status == 302]
    refused = [answer for answer in answers if answer.status != 302]
    assert len(saved) == 1, [answer.status for answer in answers]
    assert all(answer.status == 200 and CONFLICT in answer.text for answer in refused)
    [(version, what_happened)] = sql(
        stack,
        "SELECT version, what_happened FROM reports_concernreport WHERE public_id = %s",
        public_id,
    )
    assert version == version_before + 1
    assert what_happened == saved[0]
