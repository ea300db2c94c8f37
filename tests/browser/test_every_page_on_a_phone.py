"""Every page at 320 CSS px (WCAG 1.4.10 reflow) with axe, as each role of the demo finds it.

The test walks the pages the way the users do: from each role's start page it follows the
links of the pages it reaches (same site, no downloads, no logging out), and checks each kind
of page (URL name) once. Then every page of our apps must have been reached by some role, or
be named below with the reason it is not a page of its own; a new page is therefore checked
without anyone adding it here.
"""

import datetime
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import import_module
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import Count
from django.test import override_settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize

from access.services import log_sample_create
from audits.models import Audit
from audits.services import round_create
from organisations.demo import DEMO_PASSWORD
from organisations.models import Municipality, Sector, Unit, User
from reports.models import ConcernReport
from reports.policies import HANDLE, report_policy
from sip import services as sip_services
from sip.models import ConsentMethod, Plan
from sip.policies import SipAction, plan_policy
from sip.services_feedback import consent_record_for_report
from sip.services_meetings import MeetingData, meeting_record
from surveys.models import AnalysisMember, QuestionKind, Round
from surveys.policies_results import ANALYSE, results_policy
from surveys.services_analysis import PriorityData, priority_add
from surveys.tests.factories_results import answer_many, make_round, make_version
from surveys.tests.sweep import survey_sweep_seeds
from tests.browser.axe import _RUN_AXE, AXE_TAGS, AXE_URL, format_violations
from tests.browser.conftest import LogIn
from tests.demo_snapshot import load_demo
from training.models import TrainingSession, Vignette
from wheel.feeds import calendar_feed_create
from wheel.models import Occurrence

PHONE: ViewportSize = {"width": 320, "height": 640}
# A phone's header may take at most a fifth of its screen (issue 9).
HEADER_SHARE = 0.2
# The roles in the order they walk; a kind of page is checked by the first role that reaches
# it, so the roles with the most pages of their own come first.
ROLES = (
    "intake.leksand",
    "teacher.leksand",
    "nurse.leksand",
    "principal.leksand",
    "coordinator.leksand",
    "admin.leksand",
    "manager.leksand",
    "board.leksand",
    "auditor.leksand",
    "auditor.eksjo",
    "coordinator.eksjo",
    "counsellor.leksand",
)
APPS = {
    "core",
    "organisations",
    "access",
    "reports",
    "wheel",
    "governance",
    "audits",
    "followup",
    "followup_board",
    "sip",
    "surveys",
    "survey_answer",
    "survey_results",
    "training",
}
# Not pages of their own: files, fragments and actions that only answer a form.
NOT_PAGES = {
    "core:healthz": "a health check for the load balancer",
    "bench:hello": "the benchmark's reference (404 unless BENCH_REFERENCES; no link to it)",
    "bench:query": "the benchmark's reference (404 unless BENCH_REFERENCES; no link to it)",
    "bench:table": "the benchmark's reference (404 unless BENCH_REFERENCES; no link to it)",
    "reports:draft_autosave": "the form's autosave (JSON)",
    "reports:attachment": "a file download",
    "reports:intake_print": "the print version, made for paper",
    "reports:intake_assign": "a form's action (POST only)",
    "access:log_review_filter": "a form's action (POST only)",
    "reports:intake_step": "a form's action (POST only)",
    "organisations:membership_decide": "a form's action (POST only)",
    "governance:measure_status": "a form's action (POST only)",
    "governance:read_confirm": "a form's action (POST only)",
    "wheel:action_close": "a form's action (POST only)",
    "wheel:calendar_feed_create": "a form's action (POST only)",
    "followup_board:create": "a form's action (POST only)",
    "followup_board:comment": "a form's action (POST only)",
    "followup_board:regenerate": "a form's action (POST only)",
    "followup_board:remake_pdf": "a form's action (POST only)",
    "wheel:feed": "a calendar file",
    "wheel:occurrence_ics": "a calendar file",
    "wheel:occurrence_minutes_file": "a file download",
    "wheel:occurrence": "the same address as the occurrence page, for its forms",
    "wheel:text_check": "the form's text check (htmx fragment)",
    "governance:version_file": "a file download",
    "audits:evidence_file": "a file download",
    "audits:report_pdf": "a PDF",
    "audits:report_pdf_request": "a form action",
    "audits:report_pdf_status": "a progress fragment (htmx)",
    "followup_board:pdf": "a PDF",
    "followup_board:progress": "a progress fragment (htmx)",
    "followup:export_csv": "a CSV file",
    "followup:export_xlsx": "an Excel file",
    "sip:family_pdf": "a PDF",
    "sip:family_pdf_request": "a form action",
    "sip:proposal_accept": "a form's action (POST only)",
    "sip:proposal_decline": "a form's action (POST only; errors: tests/browser/test_sip_pages.py)",
    "surveys:builtin_fetch": "a form's action (POST only)",
    "surveys:version_new": "a form's action (POST only)",
    "surveys:section_move": "a form's action (POST only)",
    "surveys:question_move": "a form's action (POST only)",
    "surveys:round_remind": "a form's action (POST only)",
    "survey_results:export_csv": "a CSV file",
    "survey_results:export_xlsx": "an Excel file",
    "survey_results:priority_reorder": "a form's action (POST only)",
    "survey_results:priority_decision": "a form's action on the meeting's page (POST only)",
}
SKIPPED_PATHS = ("/accounts/logout", "/django-admin", "/static/", "/media/", "/api/")
FILE_SUFFIXES = (".pdf", ".csv", ".xlsx", ".ics")
# Pages a role opens at most; most are fetched over HTTP only (see walk_role), so this is cheap.
MAX_PAGES_PER_ROLE = 160
OPENED_PER_KIND = 2


@pytest.fixture
def demo(transactional_db: None) -> Iterator[None]:  # noqa: ARG001 - committed data for the live server
    """The whole demo, as ``manage.py demo_data`` loads it: every app's ``demo`` module."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith(("django", "allauth")) and config.module is not None:
            try:
                modules.append(import_module(f"{config.name}.demo"))
            except ModuleNotFoundError:
                continue
    load_demo(tuple(modules), today=timezone.localdate())
    with override_settings(DEMO_MODE=True):
        yield


@dataclass
class Walk:
    checked: dict[str, str] = field(default_factory=dict)  # URL name -> the role that checked it
    problems: list[str] = field(default_factory=list)


def url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace not in APPS:
        return None
    return f"{match.namespace}:{match.url_name}"


def followable(href: str, origin: str) -> str | None:
    """The path of a link the walk follows, or None."""
    parts = urlsplit(href)
    if parts.scheme not in {"http", "https"} or f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    path = parts.path
    if path.startswith(SKIPPED_PATHS) or path.endswith(FILE_SUFFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def check_page(page: Page, role: str, walk: Walk) -> None:
    where = f"{role} {page.url}"
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        walk.problems.append(f"{where}: scrolls sideways ({width} px wide at 320 px)")
    header = page.evaluate(
        "() => { const h = document.querySelector('body > header');"
        " return h ? h.getBoundingClientRect().height : 0; }"
    )
    if header > PHONE["height"] * HEADER_SHARE:
        walk.problems.append(f"{where}: the header is {header:.0f} px high on a phone")
    if page.locator("h1").count() != 1:
        walk.problems.append(f"{where}: has {page.locator('h1').count()} h1 headings")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)
    violations = page.evaluate(_RUN_AXE, AXE_TAGS)
    if violations:
        walk.problems.append(f"{role}: " + format_violations(page.url, violations))


class _Links(HTMLParser):
    """The ``href`` of every ``<a>`` of a page, as the browser would resolve it."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.found.append(urljoin(self.base, href))


def links_of(html: str, url: str) -> list[str]:
    parser = _Links(url)
    parser.feed(html)
    return parser.found


def walk_role(page: Page, role: str, origin: str, walk: Walk, seeds: list[str]) -> None:
    """Breadth first from the start page (and the role's ``seeds``). A kind of page already
    checked is still fetched (at most ``OPENED_PER_KIND`` times per role) to find the links on
    it, but not checked again. Only a page to check is rendered in the browser; the others are
    fetched over HTTP with the browser's cookies and their links read from the HTML, which
    costs a fraction of a render (the walk opens several hundred pages)."""
    queue = deque(["/", *seeds])
    seen_paths: set[str] = set()
    opened: dict[str, int] = {}
    while queue and sum(opened.values()) < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        name = url_name(path.split("?")[0])
        if path in seen_paths or name is None or name in NOT_PAGES:
            continue
        seen_paths.add(path)
        if opened.get(name, 0) >= OPENED_PER_KIND:
            continue
        opened[name] = opened.get(name, 0) + 1
        # The start page is each role's own; every other kind of page is checked once.
        to_check = name not in walk.checked or (name == "core:start" and opened[name] == 1)
        status, links = _open(page, path, origin, check=to_check)
        if status != 200:
            walk.problems.append(f"{role} {path}: answered {status}")
            continue
        if to_check:
            walk.checked.setdefault(name, role)
            check_page(page, role, walk)
        for href in links:
            found = followable(href, origin)
            if found is not None and found not in seen_paths:
                queue.append(found)


def _open(page: Page, path: str, origin: str, *, check: bool) -> tuple[object, list[str]]:
    """The status the page at ``path`` answers with (after redirects, as a user would follow
    them) and its links; rendered in the browser when it is to be checked."""
    if check:
        response = page.goto(path)
        if response is None or response.status != 200:
            return (response.status if response else "no answer"), []
        return 200, page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    fetched = page.request.get(origin + path)
    if fetched.status != 200:
        return fetched.status, []
    return 200, links_of(fetched.text(), fetched.url)


def page_names() -> set[str]:
    """Every URL name of our apps."""
    names: set[str] = set()

    def collect(patterns: list[URLPattern | URLResolver], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                collect(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace in APPS and pattern.name:
                names.add(f"{namespace}:{pattern.name}")

    collect(get_resolver().url_patterns, None)
    return names


@pytest.mark.usefixtures("demo")
def test_every_page_reflows_on_a_phone_and_passes_axe(
    page: Page, log_in: LogIn, live_server: object
) -> None:
    origin = str(live_server).rstrip("/")
    page.set_viewport_size(PHONE)
    walk = Walk()
    seeds = pages_after_actions()
    for role in ROLES:
        page.context.clear_cookies()
        log_in(role, DEMO_PASSWORD)
        walk_role(page, role, origin, walk, seeds.get(role, []))
    assert not walk.problems, "\n".join(walk.problems)
    unreached = sorted(page_names() - set(walk.checked) - set(NOT_PAGES) - set(FORMS_ONLY))
    assert not unreached, f"pages no role reached from its start page: {unreached}"


def pages_after_actions() -> dict[str, list[str]]:
    """Pages a user reaches after doing something, done here as they would, as a role's extra
    starting points: the receipt after sending a report, a calendar subscription to revoke, a
    log sample to review, a meeting with decisions and actions to follow up, and a follow-up
    round of an audit still open for assessments."""
    teacher = User.objects.get(username="teacher.leksand")
    admin = User.objects.get(username="admin.leksand")
    coordinator = User.objects.get(username="coordinator.leksand")
    sent = ConcernReport.objects.filter(author=teacher).exclude(submitted_at=None).first()
    assert sent is not None, "the demo teacher has sent reports"
    feed = calendar_feed_create(user=coordinator)
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    leksand = Municipality.objects.get(name="Leksand")
    sample = log_sample_create(actor=admin, municipality=leksand, month=last_month)
    followed_up = (
        Occurrence.objects.filter(municipality=leksand, actions__isnull=False)
        .filter(decisions__isnull=False)
        .first()
    )
    assert followed_up is not None, "the demo has a meeting with decisions and actions"
    auditor = User.objects.get(username="auditor.eksjo")
    audit = Audit.objects.get(municipality__name="Eksjö")
    round_create(actor=auditor, audit=audit, title="Uppföljning", held_on=timezone.localdate())
    plan, proposal = sip_plan_and_proposal()
    survey_seeds = _survey_seeds(leksand)
    sip_seeds = _sip_seeds(leksand)
    sip_seeds["nurse.leksand"] += [
        reverse("sip:plan_detail", args=[plan.public_id]),
        reverse("sip:proposal_detail", args=[proposal.public_id]),
    ]
    return {
        **sip_seeds,
        **survey_seeds,
        "teacher.leksand": [reverse("reports:receipt", args=[sent.public_id])],
        "coordinator.leksand": [
            reverse("wheel:calendar_feed_revoke", args=[feed.pk]),
            reverse("wheel:occurrence_detail", args=[followed_up.pk]),
            *survey_sweep_seeds(),
        ],
        "admin.leksand": [reverse("access:log_sample_detail", args=[sample.pk])],
        # The Eksjö auditor's new round is on the audit's page, with its questions to assess.
        "auditor.eksjo": [reverse("audits:audit_detail", args=[audit.pk])],
        "coordinator.eksjo": _training_seeds(),
    }


def _survey_seeds(leksand: Municipality) -> dict[str, list[str]]:
    """A sent Leksand round with at least five answers and a free text (the demo's latest
    such round; one made here if the demo has none), the school counsellor in its analysis
    group and a priority not yet sent: every results page is then a link away."""
    counsellor = User.objects.get(username="counsellor.leksand")
    found = (
        Round.objects.filter(municipality=leksand, sent_at__isnull=False)
        .annotate(answers=Count("responses", distinct=True))
        .filter(answers__gte=5, responses__answers__question__kind=QuestionKind.TEXT)
        .exclude(responses__answers__text="")
        .order_by("-opens_on", "-pk")
        .first()
    )
    round_: Round
    if found is None:
        round_ = make_round(make_version(leksand, title="Lägesbild (telefontest)"), invitations=8)
        answer_many(round_, 6)
    else:
        round_ = found
    AnalysisMember.objects.get_or_create(
        round=round_, user=counsellor, defaults={"sector": Sector.SCHOOL}
    )
    permit = results_policy.find(counsellor, ANALYSE, pk=round_.pk)
    assert permit is not None
    priority_add(
        permit=permit,
        actor=counsellor,
        data=PriorityData(
            what="Fältassistenter kvällstid (telefontest)",
            why="Oron vid resecentrum.",
            responsible_unit=Unit.objects.filter(municipality=leksand).order_by("pk").first(),
        ),
    )
    return {
        "counsellor.leksand": [
            reverse("survey_results:round_results", args=[round_.pk]),
            reverse("survey_results:free_texts", args=[round_.pk]),
            reverse("survey_results:analysis", args=[round_.pk]),
        ],
    }


def _training_seeds() -> list[str]:
    """The training forms of Eksjö's coordinator (Leksand's walk is full before it gets there)."""
    session = TrainingSession.objects.filter(municipality__name="Eksjö").first()
    case = Vignette.objects.filter(municipality__name="Eksjö").first()
    assert session is not None, "the demo has a training session in Eksjö"
    assert case is not None, "the demo has cases in Eksjö's library"
    return [
        reverse("training:session_create"),
        reverse("training:session_edit", args=[session.pk]),
        reverse("training:vignette_edit", args=[case.pk]),
    ]


def _sip_seeds(leksand: Municipality) -> dict[str, list[str]]:
    """A plan the Leksand school nurse convened, with a network meeting; a consent to feedback
    in own words on a Leksand report whose feedback the intake has given."""
    nurse = User.objects.get(username="nurse.leksand")
    plan = sip_services.plan_start(
        actor=nurse,
        unit=sip_services.convening_units(nurse)[0],
        child=sip_services.ChildData(name="Telefon Testsson", birth_date=datetime.date(2016, 4, 1)),
    )
    permit = plan_policy.find(nurse, SipAction.EDIT, pk=plan.pk)
    assert permit is not None
    meeting = meeting_record(
        permit=permit,
        actor=nurse,
        expected_version=plan.version,
        data=MeetingData(held_on=timezone.localdate(), minutes="Första mötet."),
    )
    intake = User.objects.get(username="intake.leksand")
    report = (
        ConcernReport.objects.filter(municipality=leksand, school_unit__isnull=False)
        .exclude(feedback="")
        .first()
    )
    assert report is not None, "the demo has a Leksand report with feedback given"
    report_permit = report_policy.find(intake, HANDLE, pk=report.pk)
    assert report_permit is not None
    consent = consent_record_for_report(
        permit=report_permit,
        actor=intake,
        data=sip_services.ConsentData(
            guardians=["Vera Testsson"],
            child_gave=True,
            method=ConsentMethod.WRITTEN,
            parties=[],
            valid_from=timezone.localdate(),
        ),
    )
    return {
        "nurse.leksand": [
            reverse("sip:meetings", args=[plan.public_id]),
            reverse("sip:meeting", args=[plan.public_id, meeting.pk]),
        ],
        "intake.leksand": [
            reverse("sip:report_consent_create", args=[report.public_id]),
            reverse("sip:report_feedback_message", args=[report.public_id]),
            reverse("sip:report_consent_withdraw", args=[report.public_id, consent.pk]),
        ],
    }


def sip_plan_and_proposal() -> tuple[Plan, Plan]:
    """A draft plan of the school nurse with a participant, a consent and an action (so that
    every link of the plan page is there), and a counsellor's proposal to the nurses."""
    nurse = User.objects.get(username="nurse.leksand")
    intake = User.objects.get(username="intake.leksand")
    counsellor = User.objects.get(username="counsellor.leksand")
    medical = nurse.memberships.get().unit
    plan = sip_services.plan_start(
        actor=nurse,
        unit=medical,
        child=sip_services.ChildData(name="Alva Andersson", birth_date=datetime.date(2014, 4, 14)),
    )
    permit = plan_policy.require(nurse, SipAction.MANAGE, plan)
    sip_services.participant_add(
        permit=permit,
        actor=nurse,
        data=sip_services.ParticipantData(
            kind="professional", name="Iris Mottagning", unit=intake.memberships.get().unit
        ),
    )
    sip_services.consent_record(
        permit=permit,
        actor=nurse,
        data=sip_services.ConsentData(
            guardians=["Karin Andersson"],
            method="written",
            parties=[intake.memberships.get().unit],
            valid_from=timezone.localdate(),
        ),
    )
    sip_services.action_add(
        permit=plan_policy.require(nurse, SipAction.EDIT, plan),
        actor=nurse,
        data=sip_services.ActionData(what="Samtal varannan vecka", party=medical),
    )
    proposal = sip_services.plan_propose(
        actor=counsellor,
        from_unit=counsellor.memberships.get().unit,
        to_unit=medical,
        child=sip_services.ChildData(name="Nils Nilsson", birth_date=datetime.date(2013, 2, 2)),
        reason="Många kontakter: skolan, kliniken och socialtjänsten.",
    )
    return plan, proposal


# Pages that a form's POST answers with (no address to follow): each is checked at 320 px
# with axe in the browser test named beside it.
FORMS_ONLY: dict[str, str] = {
    "access:log_review_child": "tests/browser/test_log_review_pages.py",
    "access:log_review_follow": "tests/browser/test_log_review_pages.py",
}
assert settings.LANGUAGE_CODE == "sv"
