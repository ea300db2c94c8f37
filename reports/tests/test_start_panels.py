"""The start pages of those who file reports (teacher, student health, nurse) and of the
principal: the button and the numbers first, the latest reports with their steps and the next
expected date, the principal's news since the last visit; a fixed number of queries whatever
the number of reports. Seen on Monday 2 March 2026 at noon, the world built then."""

import datetime
import uuid
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from access.models import AccessLog, AuditEventType
from conftest import give_totp
from organisations.models import Role, UnitKind
from organisations.services_contacts import ContactValues, municipality_contacts_update
from reports import services_intake, services_school
from reports.models import Decision, Feedback, ReportStatus
from reports.start import NEWS_SHOWN, RECENT_SHOWN
from reports.tests.builders import ARRIVAL, advance, draft, submitted
from tests.world import World, build_world

pytestmark = pytest.mark.usefixtures("english")

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=STOCKHOLM)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)
START = reverse("core:start")
NUMBERS = ContactValues(
    intake_phone="0247-802 00",
    intake_hours="Vardagar 8.00–16.30",
    emergency_name="Socialjouren Dalarna",
    emergency_phone="023-123 45",
    emergency_hours="Kvällar och helger",
)


@pytest.fixture
def monday(db) -> Iterator[World]:  # noqa: ARG001 - asks pytest for the database
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        give_totp(*(user for place in world.places.values() for user in place.users.values()))
        yield world


def _start(client, user) -> str:
    client.force_login(user)
    response = client.get(START)
    assert response.status_code == 200
    return response.content.decode()


def _numbers(world: World, place: str = "leksand", values: ContactValues = NUMBERS) -> None:
    municipality_contacts_update(
        actor=None, municipality=world.municipality(place), values=values, expected_version=0
    )


# --- the reporter's start page -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REPORTER, Role.STUDENT_HEALTH, Role.MEDICAL_STUDENT_HEALTH])
def test_the_button_and_the_numbers_come_first(client, monday, role):
    _numbers(monday)
    _numbers(monday, "eksjo", ContactValues(intake_phone="0381-360 00", intake_hours="Vardagar"))
    html = _start(client, monday.user(role))
    button = f'<a class="button button--primary button--large" href="{reverse("reports:new")}">'
    assert button + "Make a report of concern</a>" in html
    assert html.index(button) < html.index("Needs your attention")
    assert '<a href="tel:112">112</a>' in html
    assert '<a class="call-box__phone" href="tel:+4624780200">0247-802 00</a>' in html
    assert "Vardagar 8.00–16.30" in html
    assert "Socialjouren Dalarna" in html
    assert '<a class="call-box__phone" href="tel:+462312345">023-123 45</a>' in html
    assert "0381-360 00" not in html  # another municipality's numbers


def test_without_numbers_staff_are_told_where_to_ask(client, monday):
    html = _start(client, monday.user(Role.REPORTER))
    assert '<a href="tel:112">112</a>' in html
    assert "The intake's number has not been entered here yet" in html
    assert "The emergency line's number has not been entered here yet" in html


def test_roles_that_do_not_report_get_no_button(client, monday):
    for role in (Role.INTAKE, Role.COORDINATOR, Role.MUNICIPAL_ADMIN):
        assert "Make a report of concern" not in _start(client, monday.user(role))


def test_only_the_nurse_is_told_the_principal_does_not_see_her_reports(client, monday):
    assert "the principal, nor by the rest of student health" in _start(
        client, monday.user(Role.MEDICAL_STUDENT_HEALTH)
    )
    for role in (Role.REPORTER, Role.STUDENT_HEALTH, Role.PRINCIPAL):
        assert "the principal, nor by the rest of student health" not in _start(
            client, monday.user(role)
        )


def test_the_latest_reports_with_their_steps_and_the_next_date(client, monday):
    teacher = monday.user(Role.REPORTER)
    report = submitted(monday)  # arrived at 10:00 today
    draft(monday, child_name="Utkast Utkastsson")
    submitted(monday, author=monday.user(Role.REPORTER, "eksjo"), child_name="Annan Annansson")
    html = _start(client, teacher)
    assert "Your latest reports" in html
    assert f'href="{reverse("reports:status", args=[report.public_id])}">Testa Testsson' in html
    assert "Utkast Utkastsson" not in html  # drafts are an attention item, not a report
    assert "Annan Annansson" not in html
    assert '<li class="steps__step steps__step--done">' in html
    assert 'class="steps__step steps__step--current" aria-current="step"' in html
    assert (
        "The social services receive the report and assess at once whether the child needs "
        "protection: by today." in html
    )
    assert "<strong>Feedback:</strong> After the decision" in html
    # Shown: what the author sees anyway; logged like every list of the author's reports.
    row = AccessLog.objects.get(object_id=str(report.pk))
    assert (row.user, row.rule) == (teacher, "author")


def test_at_most_the_five_latest(client, monday):
    reports = [
        submitted(monday, now=ARRIVAL - index * HOUR, child_name=f"Barn {index}")
        for index in range(RECENT_SHOWN + 2)
    ]
    html = _start(client, monday.user(Role.REPORTER))
    for shown in reports[:RECENT_SHOWN]:
        assert shown.reference in html
    for older in reports[RECENT_SHOWN:]:
        assert older.reference not in html
    assert html.index("Barn 0") < html.index("Barn 1")
    assert "All your reports and drafts" in html


# --- a true status -------------------------------------------------------------------------------


def _status(client, user, report) -> str:
    client.force_login(user)
    response = client.get(reverse("reports:status", args=[report.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_feedback_not_requested_is_never_none_yet(client, monday):
    intake = monday.user(Role.INTAKE)
    report = advance(submitted(monday, wants_feedback=False), ReportStatus.DECIDED, intake=intake)
    author, principal = report.author, monday.user(Role.PRINCIPAL)
    for user, url in ((author, "reports:my_reports"), (principal, "reports:school_reports")):
        client.force_login(user)
        page = client.get(reverse(url)).content.decode()
        assert '<span class="muted">Not requested</span>' in page
        assert "None yet" not in page
    assert "You did not ask for feedback." in _status(client, author, report)
    assert "Feedback not requested" in _status(client, author, report)  # the last step
    assert "Not requested" in _status(client, principal, report)


def test_a_report_forwarded_to_another_municipality_says_feedback_comes_from_there(client, monday):
    intake = monday.user(Role.INTAKE)
    report = advance(
        submitted(monday), ReportStatus.DECIDED, intake=intake, decision=Decision.FORWARDED
    )
    page = _status(client, report.author, report)
    assert "have forwarded the report to Rättvik, where the child lives" in page
    assert "The feedback comes from there, not through Samverkan." in page
    assert "It comes from the municipality the report goes to" in page
    assert "You asked for feedback. It is given after" not in page
    client.force_login(report.author)
    listing = client.get(reverse("reports:my_reports")).content.decode()
    assert "Comes from the other municipality" in listing
    assert "have forwarded the report to Rättvik" in _status(
        client, monday.user(Role.PRINCIPAL), report
    )


def test_a_child_living_outside_samverkan_is_forwarded_from_the_start(client, monday):
    report = submitted(monday, home_municipality=None, forward_to_name="Rättvik")
    page = _status(client, report.author, report)
    assert "The child lives in Rättvik, which does not use Samverkan" in page
    assert "the feedback comes from there" in page


def test_a_passed_date_is_said_plainly(client, monday):
    report = submitted(monday, now=ARRIVAL - 3 * DAY)  # Thursday, never received
    page = _status(client, report.author, report)
    assert "were to assess whether the child needs protection by" in page
    assert "3 days ago" in page
    assert "If you are worried about the child, call the intake." in page


# --- the nurse's confidentiality -----------------------------------------------------------------


def test_the_nurses_form_receipt_and_status_say_who_sees_the_report(client, monday):
    nurse = monday.user(Role.MEDICAL_STUDENT_HEALTH)
    text = "The principal and the rest of student health do not see it"
    report = draft(monday, author=nurse, school=monday.unit(UnitKind.SCHOOL))
    client.force_login(nurse)
    page = client.get(reverse("reports:draft_edit", args=[report.public_id])).content.decode()
    assert "Only you and the social services will see this report." in page
    assert text in page
    assert "25 kap. 1 § offentlighets- och sekretesslagen (2009:400)" in page
    report = services_school.report_submit(
        report=report, actor=nurse, submission_key=uuid.uuid4(), now=ARRIVAL
    )
    page = client.get(reverse("reports:receipt", args=[report.public_id])).content.decode()
    assert "Only you and the social services see this report." in page
    assert text in page
    page = _status(client, nurse, report)
    assert "only you and the social services see it" in page

    teacher_report = submitted(monday)
    client.force_login(teacher_report.author)
    for name in ("reports:receipt", "reports:status"):
        page = client.get(reverse(name, args=[teacher_report.public_id])).content.decode()
        assert "school nurse or school doctor" not in page


# --- the numbers where the teacher is told to call -----------------------------------------------


def test_the_new_report_and_an_urgent_receipt_give_the_numbers(client, monday):
    _numbers(monday)
    teacher = monday.user(Role.REPORTER)
    client.force_login(teacher)
    page = client.get(reverse("reports:new")).content.decode()
    assert 'Socialjouren Dalarna: <a href="tel:+462312345">023-123 45</a>' in page
    report = submitted(monday, acute_danger=True)
    page = client.get(reverse("reports:receipt", args=[report.public_id])).content.decode()
    assert "You said the child is in acute danger." in page
    assert '<a href="tel:+462312345">023-123 45</a>' in page
    calm = submitted(monday)
    page = client.get(reverse("reports:receipt", args=[calm.public_id])).content.decode()
    assert "023-123 45" not in page


# --- the principal's news since the last visit ---------------------------------------------------


def test_the_principal_sees_the_schools_news_of_the_last_30_days_on_the_first_visit(client, monday):
    principal = monday.user(Role.PRINCIPAL)
    school = monday.unit(UnitKind.SCHOOL)
    recent = submitted(monday, child_name="Ny Nysson")
    old = submitted(monday, now=ARRIVAL - 40 * DAY, child_name="Gammal Gammalsson")
    nurse_report = submitted(
        monday, author=monday.user(Role.MEDICAL_STUDENT_HEALTH), school=school, child_name="Hemlig"
    )
    html = _start(client, principal)
    assert "New from your school in the last 30 days" in html
    assert "Ny Nysson" in html
    assert '<span class="badge">New report</span>' in html
    assert "Gammal Gammalsson" not in html
    assert "Hemlig" not in html  # medical student health's reports are never the principal's
    assert "<dt>New reports</dt><dd>1</dd>" in html
    assert "Reports made by the school nurse or school doctor are not shown" in html
    row = AccessLog.objects.get(user=principal, object_id=str(recent.pk))
    assert row.rule == "principal_of_school"
    assert not AccessLog.objects.filter(object_id__in=[str(old.pk), str(nurse_report.pk)]).exists()


def test_the_next_visit_shows_what_came_since_the_last(client, monday):
    principal = monday.user(Role.PRINCIPAL)
    intake = monday.user(Role.INTAKE)
    seen = submitted(monday, child_name="Sedd Seddsson")
    _start(client, principal)  # Monday noon
    with time_machine.travel(NOW + DAY, tick=False):
        # The intake's steps an hour apart from Monday noon: the feedback at 17:00.
        advance(seen, ReportStatus.FEEDBACK_GIVEN, intake=intake, now=NOW)
        submitted(monday, now=NOW + 6 * HOUR, child_name="Ny Nysson")
        html = _start(client, principal)
    assert "New from your school since your last visit on March 2, 2026, noon" in html
    assert "<dt>New reports</dt><dd>1</dd>" in html
    assert "<dt>New feedback on reports</dt><dd>1</dd>" in html
    assert "Ny Nysson" in html
    assert "Sedd Seddsson" in html  # its feedback is new
    assert '<span class="badge badge--ok">New feedback</span>' in html
    assert html.index("Ny Nysson") < html.index("Sedd Seddsson")  # newest event first
    with time_machine.travel(NOW + DAY + 10 * MINUTE, tick=False):
        assert "Ny Nysson" in _start(client, principal)  # a reload keeps the news


def test_the_principal_of_another_school_sees_nothing_of_it(client, monday):
    submitted(monday, child_name="Ny Nysson")
    html = _start(client, monday.user(Role.PRINCIPAL, "eksjo"))
    assert "Ny Nysson" not in html
    assert "Nothing new." in html


def test_more_news_than_shown_are_counted(client, monday):
    for index in range(NEWS_SHOWN + 1):
        submitted(monday, now=ARRIVAL - index * HOUR)
    html = _start(client, monday.user(Role.PRINCIPAL))
    assert f"<dt>New reports</dt><dd>{NEWS_SHOWN + 1}</dd>" in html
    assert "More is new than is shown here." in html
    assert html.count('<li class="report-card">') == NEWS_SHOWN


# --- a fixed number of queries -------------------------------------------------------------------

# After the first request of a session: the user (1; the session, the memberships and the
# unread count are in the shared cache);
# the reporter's drafts and feedback (1) and the routine to confirm (governance, 1); the
# numbers to call (1), the latest reports (1), the access log of those shown (1) and the survey
# rounds whose analysis group names the user (1, surveys.attention_results).
REPORTER_QUERIES = 7
# The principal: the same, the principal's own latest reports included, and the last visit
# (1), the news counted (1) and listed (1), the next meeting with the intake (1) and the
# follow-up's term sums (2).
PRINCIPAL_QUERIES = 13


def _queries(client, user, django_assert_num_queries, expected, more) -> None:
    client.force_login(user)
    client.get(START)  # the first request after a login stores the session once more
    with django_assert_num_queries(expected):
        client.get(START)
    more()
    client.get(START)  # the unread count changed with the new reports: counted once
    with django_assert_num_queries(expected):
        client.get(START)


@pytest.mark.parametrize("role", [Role.REPORTER, Role.STUDENT_HEALTH, Role.MEDICAL_STUDENT_HEALTH])
def test_a_reporters_start_page_costs_the_same_for_more_reports(
    client, monday, role, django_assert_num_queries
):
    _numbers(monday)
    user = monday.user(role)
    school = monday.unit(UnitKind.SCHOOL)
    submitted(monday, author=user, school=school)
    draft(monday, author=user, school=school)

    def more() -> None:
        for index in range(12):
            report = submitted(monday, author=user, school=school, now=ARRIVAL - index * DAY)
            if index % 3 == 0:
                advance(report, ReportStatus.FEEDBACK_GIVEN, intake=monday.user(Role.INTAKE))
        draft(monday, author=user, school=school)

    _queries(client, user, django_assert_num_queries, REPORTER_QUERIES, more)


def test_the_principals_start_page_costs_the_same_for_more_reports(
    client, monday, django_assert_num_queries
):
    _numbers(monday)
    submitted(monday)

    def more() -> None:
        intake = monday.user(Role.INTAKE)
        for index in range(15):
            report = submitted(monday, now=ARRIVAL - index * HOUR)
            if index % 4 == 0:
                advance(report, ReportStatus.FEEDBACK_GIVEN, intake=intake, now=NOW - HOUR)

    _queries(
        client, monday.user(Role.PRINCIPAL), django_assert_num_queries, PRINCIPAL_QUERIES, more
    )


# --- the feedback reaches the reporter: a notification that opens the report ---------------------


def _decided(world: World, **values):
    intake = world.user(Role.INTAKE)
    report = advance(submitted(world, **values), ReportStatus.DECIDED, intake=intake)
    return report, intake


def test_feedback_is_announced_with_a_link_that_opens_that_report(
    client, monday, mailoutbox, django_capture_on_commit_callbacks
):
    from core.models import Notification

    report, intake = _decided(monday)
    assert not Notification.objects.filter(user=report.author).exists()  # steps before: quiet
    with django_capture_on_commit_callbacks(execute=True):
        services_intake.report_give_feedback(report=report, actor=intake, feedback=Feedback.OPENED)
    note = Notification.objects.get(user=report.author)
    url = reverse("reports:status", args=[report.public_id])
    assert note.url == url
    assert report.reference in note.text
    assert "Testa" not in note.text + note.url  # no child data in the text or the address
    assert str(report.child_identity_number) not in note.text + note.url

    client.force_login(report.author)
    listing = client.get(reverse("core:notifications")).content.decode()
    assert f'<a href="{url}">' in listing
    page = client.get(url).content.decode()
    assert f"Report {report.reference}" in page
    assert "An investigation has been opened" in page

    [mail] = mailoutbox
    assert mail.to == [report.author.email]
    assert url in mail.body
    assert "Testa" not in mail.subject + mail.body
    # Only for the author: the link is a 404 for another teacher.
    client.force_login(monday.user(Role.REPORTER, "eksjo"))
    assert client.get(url).status_code == 404


def test_a_forwarded_report_is_announced_once(monday):
    from core.models import Notification

    report = advance(
        submitted(monday),
        ReportStatus.PRELIMINARY_ASSESSMENT,
        intake=monday.user(Role.INTAKE),
    )
    services_intake.report_decide(
        report=report,
        actor=monday.user(Role.INTAKE),
        decision=Decision.FORWARDED,
        delegation_point="Delegationsordning IFO punkt 3.1",
        forwarded_to="Rättvik",
    )
    [note] = Notification.objects.filter(user=report.author)
    assert note.url == reverse("reports:status", args=[report.public_id])
    assert "Rättvik" not in note.text  # where the child lives stays on the report's page


def test_a_decision_with_feedback_to_come_is_not_announced_yet(monday):
    from core.models import Notification

    report, _intake = _decided(monday)
    assert report.decision == Decision.OPENED
    assert not Notification.objects.filter(user=report.author).exists()


def test_a_report_registered_by_the_intake_has_no_reporter_to_tell(monday):
    """The intake registers reports from other sources (a phone call from the police): the
    feedback is not the intake worker's notification."""
    from core.models import Notification
    from reports.notices import reporter_notify

    report, _intake = _decided(monday)
    report.author_role = Role.INTAKE
    reporter_notify(report=report, event_type=AuditEventType.REPORT_FEEDBACK_GIVEN)
    assert not Notification.objects.exists()
