"""The Python side of a run: log in as each role, find the endpoints, sample their SQL figures.

Logging in and forms reuse ``deploy/http_client.py`` (the smoke test's client).
"""

import re
import statistics
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from deploy.http_client import Browser, Response, find_form, fresh_totp_code

# The smoke test's made-up identity number (valid checksum, no real person).
CHILD_IDENTITY_NUMBER = "201203159809"


def log_in(url: str, username: str, password: str, totp_secret: str | None) -> Browser:
    """allauth's login; the authenticator code when the manifest gives a secret."""
    browser = Browser(url)
    page = browser.get("/accounts/login/")
    answer = browser.submit(page, has="login", values={"login": username, "password": password})
    if answer.status != 302:
        raise RuntimeError(f"the login of {username} answered {answer.status}")
    if totp_secret:
        page = browser.follow(answer)
        answer = browser.submit(page, has="code", values={"code": fresh_totp_code(totp_secret)})
        if answer.status != 302 or "/2fa/" in answer.location:
            raise RuntimeError(f"the authenticator code of {username} was refused")
    return browser


def cookie_header(browser: Browser) -> str:
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


@dataclass
class Sample:
    """What the Python client saw of an endpoint (the bench middleware's headers)."""

    statuses: list[int] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    render_ms: list[float] = field(default_factory=list)
    bytes: int = 0

    def summary(self) -> dict[str, Any]:
        def median(values: list[Any]) -> Any:
            return statistics.median(values) if values else None

        return {
            "statuses": sorted(set(self.statuses)),
            "queries": median(self.queries),
            "queries_max": max(self.queries) if self.queries else None,
            "sql_ms": median(self.sql_ms),
            "render_ms": median(self.render_ms),
            "bytes": self.bytes,
        }


def sample(browser: Browser, paths: list[str], times: int) -> Sample:
    """GET the paths ``times`` times in all (cycling), reading the SQL headers."""
    found = Sample()
    for number in range(times):
        answer = browser.get(paths[number % len(paths)])
        found.statuses.append(answer.status)
        found.bytes = len(answer.body)
        if "x-bench-queries" in answer.headers:
            found.queries.append(int(answer.headers["x-bench-queries"]))
            found.sql_ms.append(float(answer.headers["x-bench-sql-ms"]))
            found.render_ms.append(float(answer.headers["x-bench-render-ms"]))
    return found


def next_link(page: Response) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next"', page.text)
    if not found:
        return None
    href = found.group(1).replace("&amp;", "&")
    path = urllib.parse.urlsplit(page.url).path
    return urllib.parse.urljoin(path, href)


def deep_page(browser: Browser, first: str, pages: int) -> tuple[str, int]:
    """Follow the list's "next page" links up to ``pages`` times; the deepest page reached and
    its number (1 = the first page)."""
    path, number = first, 1
    while number < pages:
        following = next_link(browser.get(path))
        if following is None:
            break
        path, number = following, number + 1
    return path, number


def first_link(browser: Browser, page: str, pattern: str) -> str | None:
    """The first link on ``page`` whose path matches ``pattern`` (a board report's page)."""
    answer = browser.get(page)
    found = re.search(rf'href="({pattern})"', answer.text)
    return found.group(1) if found else None


def figures(*answers: Response) -> dict[str, Any]:
    """The bench headers of several requests, summed (the write's two POSTs)."""
    found: dict[str, Any] = {"statuses": sorted({answer.status for answer in answers})}
    for header, key, kind in (
        ("x-bench-queries", "queries", int),
        ("x-bench-sql-ms", "sql_ms", float),
        ("x-bench-render-ms", "render_ms", float),
    ):
        values = [kind(answer.headers[header]) for answer in answers if header in answer.headers]
        found[key] = sum(values) if values else None
    found["queries_max"] = found["queries"]
    return found


def filing_bodies(browser: Browser) -> tuple[str, str, dict[str, Any]]:
    """File one report with the client, keeping the two forms' bodies for wrk's write script:
    the start of a draft, and a fresh draft's form with "submit" (the same for every fresh
    draft but for its address); and the two POSTs' SQL figures, summed."""
    page = browser.get("/anmalan/new/")
    form = find_form(page.text, "school")
    new_data = form.values({})
    started = browser.post("/anmalan/new/", new_data)
    if started.status != 302 or "/drafts/" not in started.location:
        raise RuntimeError(f"starting a draft answered {started.status}")
    draft = browser.get(started.location)
    form = find_form(draft.text, "version")
    submit_data = form.values(
        {
            "child_identity_number": CHILD_IDENTITY_NUMBER,
            "child_class": "5B",
            "what_happened": "Eleven berättade om bråk hemma (prestandamätning).",
            "categories": ["neglect"],
            "acute_danger": "no",
            "guardians_informed": "yes",
            "submit": "",
        }
    )
    action = urllib.parse.urljoin(draft.url, form.action or draft.url)
    answer = browser.post(action, submit_data)
    if answer.status != 302 or "/drafts/" in answer.location:
        raise RuntimeError(f"submitting the draft answered {answer.status} {answer.location}")
    return (
        urllib.parse.urlencode(new_data, doseq=True),
        urllib.parse.urlencode(submit_data, doseq=True),
        figures(started, answer),
    )
