"""Every URL of the project needs login, except the few on the allow-list below.

Statically: the views marked ``login_not_required`` (the only ones ``LoginRequiredMiddleware``
lets through) are exactly the allow-list, name for name. Dynamically: the test walks all URL
patterns (through namespaced includes too), fills in each pattern's parameters, and requests
the URL as an anonymous visitor. Acceptable answers are a redirect to a login page (ours, or the
Django admin's own), 401, 403, 404 and
405. Anything else, above all a 2xx page, fails the test
unless the pattern's name is on the allow-list. A URL that answers GET with 405 is also tried
with POST, so a POST-only view can not slip through. Last, every URL name of our apps must be
requested by at least one permission-matrix test (``tests.matrix``).
"""

import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, re_path, resolve, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.exceptions import Resolver404
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.views.decorators.http import require_POST

from config import urls as project_urls
from tests.matrix import matrix_covered_url_names, matrix_url_names

ROOT = Path(__file__).resolve().parent.parent

# URL names (with namespace) that anonymous visitors may reach, and why.
PUBLIC: dict[str, str] = {
    "account_login": "the login page",
    "admin:login": "the Django admin's own login form (the admin itself needs staff login)",
    "account_reset_password": "password reset: for someone who can not log in",
    "account_reset_password_done": "password reset: 'check your e-mail' page",
    "account_reset_password_from_key": "password reset: the link from the e-mail",
    "account_reset_password_from_key_done": "password reset: 'your password is changed' page",
    "account_inactive": "tells a deactivated user, right after a failed login, why",
    "account_signup": "only says that sign-up is closed (AccountAdapter.is_open_for_signup)",
    "account_email_verification_sent": "allauth's 'e-mail sent' notice, shown before login",
    "account_confirm_email": "the link from a verification e-mail, opened before login",
    "socialaccount_login_cancelled": "where the e-identification provider sends a cancelled login",
    "core:healthz": "load balancer health check: JSON with the database status, no data",
    "metrics": "Prometheus has no session: the bearer token is the credential; without the "
    "configured token the answer is 404, the same as for a page that does not exist",
    "core:accessibility": "the accessibility statement and its report form are public by law",
    "set_language": "the language switch in every page's header, the login page included",
    "account_logout": "logging out; anonymous visitors are sent on to the login page",
    "account_confirm_login_code": "the code e-mailed for login, typed in before login",
    "mfa_authenticate": "the two-factor step of the login, between password and session",
    "socialaccount_signup": "allauth's sign-up after an e-identification login (closed)",
    "openid_connect_login": "starts the login at the municipality's identity provider",
    "openid_connect_callback": "where the identity provider returns the user to log in",
    "wheel:feed": "the calendar feed for calendar apps, which have no session: its token is "
    "the credential, an unknown or revoked token is a 404",
    "reports:draft_autosave": "the draft's autosave checks the login itself and answers 401 "
    "(not the login page) when the session has ended, so the form keeps what was typed",
    "survey_answer:answer": "answering a survey: the single-use link's token is the credential "
    "(respondents have no account); an unknown, used or closed link gets a page saying so",
    "survey_answer:thanks": "the thank-you page after answering a survey (shows nothing)",
    # The benchmark's references (bench/views.py): 404 unless BENCH_REFERENCES is on, which no
    # installation sets; even then they show nothing but fixed text.
    "bench:hello": "the benchmark's R_hello: 'ok'; 404 unless BENCH_REFERENCES is on",
    "bench:query": "the benchmark's R_q: one lookup of a content type; 404 unless the setting",
    "bench:table": "the benchmark's R_tpl: a fixed table; 404 unless BENCH_REFERENCES is on",
}

FIXED_UUID = "2f1c8a52-6d1e-4c1b-9a57-0c1d2e3f4a5b"
# Values tried, in order, for a parameter that is not an int or a uuid.
CANDIDATES = ("x", "1", FIXED_UUID, "2026", "x-1")
REDIRECTS = {301, 302, 303, 307, 308}
# 401 is "log in first" without the redirect: what an htmx endpoint answers after the session
# ended (reports:draft_autosave), so that its page can keep what was typed.
HARMLESS = {401, 403, 404, 405}


class CannotBuildUrlError(ValueError):
    pass


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern text, for messages
    name: str | None  # with namespace, e.g. "core:start"
    url: str | None  # None when no URL could be built
    problem: str = ""


def _first_matching(regex: str) -> str:
    for candidate in CANDIDATES:
        if re.fullmatch(regex, candidate):
            return candidate
    # An alternation of literals, e.g. (?P<app_label>auth|mfa): take the first that matches.
    for alternative in regex.split("|"):
        if re.fullmatch(regex, alternative):
            return alternative
    raise CannotBuildUrlError(f"no sample value matches {regex!r}")


def _route_sample(pattern: RoutePattern) -> str:
    def fill(match: re.Match[str]) -> str:
        converter = pattern.converters[match["name"]]
        if isinstance(converter, IntConverter):
            return "1"
        if isinstance(converter, UUIDConverter):
            return FIXED_UUID
        return _first_matching(converter.regex)

    return re.sub(r"<(?:[^>:]+:)?(?P<name>[^>]+)>", fill, str(pattern))


def _group_end(regex: str, start: int) -> int:
    """Index of the parenthesis that closes the group opened at ``start``."""
    depth = 0
    in_class = False
    i = start
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise CannotBuildUrlError(f"unbalanced group in {regex!r}")


def _group_body_start(regex: str, i: int) -> int | None:
    """Where the pattern inside a (named, plain or non-capturing) group opened at ``i`` starts."""
    if regex.startswith("(?P<", i):
        return regex.index(">", i) + 1
    if regex.startswith("(?:", i):
        return i + 3
    if regex.startswith("(", i) and not regex.startswith("(?", i):
        return i + 1
    return None


def _regex_sample(regex: str) -> str:
    parts = []
    i = 0
    while i < len(regex):
        body = _group_body_start(regex, i)
        if body is not None:
            end = _group_end(regex, i)
            parts.append(_first_matching(regex[body:end]))
            i = end + 1
        else:
            parts.append(regex[i])
            i += 1
    text = "".join(parts).removeprefix("^").removesuffix("$")
    if re.search(r"(?<!\\)[()\[\]?*+{}|]", text):
        raise CannotBuildUrlError(f"unnamed regex syntax left in {regex!r}")
    return re.sub(r"\\(.)", r"\1", text)


def _sample(pattern: object) -> str:
    if isinstance(pattern, RoutePattern):
        return _route_sample(pattern)
    if isinstance(pattern, RegexPattern):
        return _regex_sample(str(pattern))
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix
    raise CannotBuildUrlError(f"unknown pattern type {type(pattern).__name__}")


def walk(
    patterns: Iterable[URLPattern | URLResolver],
    url: str = "/",
    text: str = "",
    namespace: str | None = None,
) -> Iterator[Route]:
    """Every URL pattern below ``patterns``, with a concrete URL for each."""
    for entry in patterns:
        pattern_text = text + str(entry.pattern)
        try:
            segment: str | None = _sample(entry.pattern)
            problem = ""
        except CannotBuildUrlError as error:
            segment, problem = None, str(error)
        full_url = None if segment is None else url + segment
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            if full_url is None:
                yield Route(pattern_text, None, None, problem)
                continue
            yield from walk(entry.url_patterns, full_url, pattern_text, inner)
        else:
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Route(pattern_text, name, full_url, problem)


def project_routes() -> list[Route]:
    return list(walk(get_resolver().url_patterns))


def _login_paths() -> set[str]:
    return {reverse("account_login"), reverse("admin:login")}


def _anonymous_outcome(client: Client, url: str, method: str) -> str | None:
    """None when the URL is protected; otherwise what went wrong."""
    response = getattr(client, method)(url)
    trail = [url]
    for _hop in range(5):
        status = response.status_code
        if status in HARMLESS:
            return None
        if status not in REDIRECTS:
            via = f" (via {' -> '.join(trail)})" if len(trail) > 1 else ""
            return f"{method.upper()} answers {status} without login{via}"
        location = urlsplit(response["Location"])
        if location.netloc and location.netloc != "testserver":
            return f"{method.upper()} redirects off-site to {response['Location']}"
        if location.path in _login_paths():
            return None
        # Another redirect (e.g. logout -> start page): follow it; it must end at a login page.
        next_url = location.path + (f"?{location.query}" if location.query else "")
        trail.append(next_url)
        response = client.get(next_url)
    return f"{method.upper()} redirects too many times: {' -> '.join(trail)}"


def unprotected(routes: Iterable[Route]) -> tuple[list[str], int]:
    """The problems found, and how many URLs were checked."""
    client = Client(raise_request_exception=False)
    failures = []
    checked = 0
    for route in routes:
        label = f"{route.pattern} ({route.name or 'unnamed'})"
        if route.url is None:
            failures.append(f"{label}: can not build a URL: {route.problem}")
            continue
        try:
            resolve(route.url)
        except Resolver404:
            failures.append(f"{label}: the built URL {route.url} does not resolve")
            continue
        if route.name in PUBLIC:
            continue
        checked += 1
        problem = _anonymous_outcome(client, route.url, "get")
        if problem is None and client.get(route.url).status_code == 405:
            problem = _anonymous_outcome(client, route.url, "post")
        if problem:
            failures.append(f"{label} {route.url}: {problem}")
    return failures, checked


@pytest.mark.usefixtures("world")
def test_every_url_needs_login_except_the_public_ones() -> None:
    failures, checked = unprotected(project_routes())
    assert checked > 20, f"the walk checked only {checked} URLs; is it broken?"
    assert not failures, "Reachable without login:\n" + "\n".join(failures)


@login_not_required
def _leaky_view(_request: HttpRequest, **_url_kwargs: object) -> HttpResponse:
    return HttpResponse("a page about a child")


@login_not_required
@require_POST
def _leaky_post_view(_request: HttpRequest) -> HttpResponse:
    return HttpResponse("changed")


def _protected_view(_request: HttpRequest, **_url_kwargs: object) -> HttpResponse:
    return HttpResponse("fine")


# The project's URLs plus deliberate mistakes: used as ROOT_URLCONF to show the walk finds them.
urlpatterns = [
    *project_urls.urlpatterns,
    path("leak/<int:pk>/", _leaky_view, name="leak"),
    path("leak-post/", _leaky_post_view, name="leak_post"),
    path("fine/<int:pk>/", _protected_view, name="fine"),
]


@pytest.mark.django_db
def test_the_walk_finds_a_public_view(settings: Any) -> None:
    baseline, _checked = unprotected(project_routes())
    settings.ROOT_URLCONF = __name__
    failures, _checked = unprotected(project_routes())
    assert [failure for failure in failures if failure not in baseline] == [
        "leak/<int:pk>/ (leak) /leak/1/: GET answers 200 without login",
        "leak-post/ (leak_post) /leak-post/: POST answers 200 without login",
    ]


def views_without_login(
    patterns: Iterable[URLPattern | URLResolver], namespace: str | None = None, text: str = ""
) -> Iterator[str]:
    """The name (or, unnamed, the pattern) of every view that ``LoginRequiredMiddleware``
    lets through: those marked ``login_not_required``. Read from the view callables, so a
    view is found whatever it answers an anonymous request with."""
    for entry in patterns:
        pattern_text = text + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from views_without_login(entry.url_patterns, inner, pattern_text)
        elif getattr(entry.callback, "login_required", True) is False:
            if entry.name:
                yield f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                yield f"unnamed {pattern_text}"


def test_the_views_without_login_are_exactly_the_allow_list() -> None:
    public = set(views_without_login(get_resolver().url_patterns))
    not_allowed = sorted(public - set(PUBLIC))
    assert not not_allowed, f"views marked login_not_required, not on the allow-list: {not_allowed}"
    needs_login = sorted(set(PUBLIC) - public)
    assert not needs_login, f"on the allow-list but not marked login_not_required: {needs_login}"


def test_the_static_check_finds_a_view_marked_public(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    public = set(views_without_login(get_resolver().url_patterns))
    assert public - set(PUBLIC) == {"leak", "leak_post"}


def test_allow_list_names_exist() -> None:
    names = {route.name for route in project_routes()}
    missing = sorted(set(PUBLIC) - names)
    assert not missing, f"allow-list names without a URL pattern (remove them): {missing}"


def test_walk_reaches_every_part_of_the_project() -> None:
    routes = {route.name: route.url for route in project_routes() if route.name}
    assert routes["core:start"] == "/"
    assert routes["account_login"] == "/accounts/login/"
    assert routes["admin:index"] == "/django-admin/"
    assert routes["account_reset_password_from_key"] == "/accounts/password/reset/key/x-x/"
    assert routes["admin:app_list"] == "/django-admin/auth/"
    assert routes["admin:auth_group_change"] == "/django-admin/auth/group/x/change/"


def _view(_request: HttpRequest, **_url_kwargs: object) -> HttpResponse:
    return HttpResponse()


def test_url_builder_fills_every_converter_and_regex_group() -> None:
    patterns = [
        path("a/<int:pk>/<slug:slug>/<uuid:key>/<path:rest>", _view, name="route"),
        path("b/<name>/", _view, name="plain"),
        re_path(r"^c/(?P<year>[0-9]{4})/(?P<kind>red|blue)/$", _view, name="regex"),
        re_path(r"^d/([^/]+)/(?:v|w)/(\d+)/$", _view, name="unnamed"),
    ]
    urls = {route.name: route.url for route in walk(patterns)}
    assert urls == {
        "route": f"/a/1/x/{FIXED_UUID}/x",
        "plain": "/b/x/",
        "regex": "/c/2026/red/",
        "unnamed": "/d/x/v/1/",
    }
    assert uuid.UUID(FIXED_UUID)


@pytest.mark.django_db
def test_static_files_are_public(client: Client) -> None:
    response = client.get("/static/css/samverkan.css")
    assert response.status_code == 200


# --- every URL name of our apps is exercised by a permission-matrix test ----------------------


def our_url_names(
    patterns: Iterable[URLPattern | URLResolver], namespace: str | None = None, ours: bool = False
) -> Iterator[str]:
    """The names of the URL patterns our own apps define (their URL modules are in this
    repository), with namespace: a new app is included without a list to update."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            module_file = getattr(entry.urlconf_module, "__file__", None) or ""
            mine = ours or (
                bool(module_file)
                and Path(module_file).resolve().is_relative_to(ROOT)
                and ".venv" not in Path(module_file).parts
                and Path(module_file).resolve() != Path(project_urls.__file__).resolve()
            )
            yield from our_url_names(entry.url_patterns, inner, mine)
        elif ours and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def _test_files() -> list[Path]:
    skip = {".venv", ".tools", "node_modules"}
    return [
        path for path in ROOT.rglob("test_*.py") if not skip & set(path.relative_to(ROOT).parts)
    ]


def test_every_url_name_of_our_apps_is_in_a_permission_matrix_test() -> None:
    # Read statically (no test has to run first), so it holds for any subset of the suite and
    # under pytest-xdist: see tests.matrix.matrix_url_names for what counts.
    names = set(our_url_names(get_resolver().url_patterns))
    assert len(names) > 50, f"only {len(names)} URL names of our apps found; is the walk broken?"
    assert {"core:start", "reports:inbox", "wheel:feed", "governance:version_file"} <= names
    assert not {"account_login", "admin:index", "set_language"} & names
    uncovered = sorted(names - matrix_covered_url_names(_test_files()))
    assert not uncovered, (
        "URL names no permission-matrix test (tests.matrix.assert_matrix) requests; add one "
        "with anonymous, the allowed roles, the wrong roles and the other municipality:\n"
        + "\n".join(uncovered)
    )


MATRIX_SOURCE = """
import pytest
from django.urls import reverse
from tests.matrix import assert_matrix

URL = reverse("app:constant")


@pytest.fixture
def page():
    return reverse("app:fixture")


def helper(pk):
    return reverse("app:helper", args=[pk])


def test_direct(client):
    assert_matrix(client, reverse("app:direct"), [])


@pytest.mark.parametrize("name", ["one", "two"])
def test_parametrized(client, name, page):
    assert_matrix(client, reverse(f"app:{name}"), [])
    assert_matrix(client, helper(1), [])
    assert_matrix(client, URL, [])
    assert_matrix(client, page, [])


def test_without_matrix(client):
    client.get(reverse("app:not_a_matrix_test"))
"""


def test_the_scan_finds_the_names_matrix_tests_request() -> None:
    found: Callable[[str], bool] = matrix_url_names(MATRIX_SOURCE).__contains__
    for name in ("direct", "one", "two", "helper", "constant", "fixture"):
        assert found(f"app:{name}"), name
    assert not found("app:not_a_matrix_test")
