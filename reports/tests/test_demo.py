import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from access.models import AuditEvent
from core.personnummer import TEST_SERIALS, parse_identity_number
from organisations import demo as organisations_demo
from reports import demo, demo_history, demo_intake
from reports.models import (
    ConcernReport,
    DeadlineSettings,
    Decision,
    ReceivedVia,
    ReportSource,
    ReportStatus,
    Supplement,
)
from reports.watchdog import AlertKind, watchdog_run

MUNICIPALITIES = {"leksand": "Leksand", "eksjo": "Eksjö"}


@pytest.fixture
def loaded(db):  # noqa: ARG001 - asks pytest for the database
    today = timezone.localdate()
    organisations_demo.load(today=today)
    demo.load(today=today)
    return today


def _filed_from(key):
    return ConcernReport.objects.filter(school_unit__municipality__name=MUNICIPALITIES[key])


def _counts():
    return (
        ConcernReport.objects.count(),
        Supplement.objects.count(),
        AuditEvent.objects.count(),
    )


def test_loading_twice_adds_nothing(loaded):
    first = _counts()
    assert first[0] == 2 * (len(demo.CASES) + len(demo_intake.CASES))
    assert demo.load(today=loaded) == 0
    assert _counts() == first


@pytest.mark.usefixtures("loaded")
def test_every_status_and_every_decision_in_each_municipality():
    for key in MUNICIPALITIES:
        reports = _filed_from(key)
        assert set(reports.values_list("status", flat=True)) == set(ReportStatus.values), key
        decided = reports.filter(status=ReportStatus.DECIDED)
        assert set(decided.values_list("decision", flat=True)) == set(Decision.values), key
        assert 25 <= reports.count() <= 40


@pytest.mark.usefixtures("loaded")
def test_overdue_urgent_feedback_supplements_and_forwarding_in_each_municipality():
    now = timezone.now()
    for key in MUNICIPALITIES:
        reports = _filed_from(key)
        open_reports = reports.exclude(status__in=[ReportStatus.DRAFT, ReportStatus.CLOSED])
        assert open_reports.filter(next_due_at__lt=now).count() >= 3, key
        assert open_reports.filter(next_due_at__gte=now).exists(), key
        assert reports.filter(acute_danger=True, status=ReportStatus.SUBMITTED).exists(), key
        assert reports.filter(acute_danger=True).count() >= 2, key
        assert reports.exclude(feedback="").count() >= 3, key
        assert Supplement.objects.filter(report__in=reports).count() >= 3, key
        assert reports.exclude(forward_to_name="").count() == 2, key
        assert reports.filter(decision=Decision.FORWARDED).exclude(forwarded_to="").exists()
        assert reports.exclude(extended_until=None).count() == 1, key
        # The demo's extension is dated and came in time.
        extended = reports.exclude(extended_until=None).get()
        assert extended.extension_recorded_at is not None, key
        assert extended.decision_missed_due_at is None, key
        siblings = reports.annotate(n=Count("siblings")).filter(n=1)
        assert siblings.count() == 2, key
        assert reports.filter(child_identity_number="").exclude(child_name="").exists(), key
        # A child living in the other demo municipality goes to that intake.
        assert reports.exclude(municipality__name=MUNICIPALITIES[key]).count() == 1, key


def test_identity_numbers_are_valid_test_numbers_of_children(loaded):
    numbers = ConcernReport.objects.exclude(child_identity_number="").values_list(
        "child_identity_number", flat=True
    )
    assert numbers
    for digits in numbers:
        number = parse_identity_number(digits, today=loaded)
        assert int(digits[8:11]) in TEST_SERIALS
        assert 0 <= number.age_on(loaded) < 18


@pytest.mark.usefixtures("loaded")
def test_times_are_in_the_past_and_in_order():
    now = timezone.now()
    steps = (
        "submitted_at",
        "received_at",
        "protection_assessed_at",
        "preliminary_started_at",
        "decided_at",
        "feedback_given_at",
        "closed_at",
    )
    year_ago = now - datetime.timedelta(days=366)
    for report in ConcernReport.objects.exclude(status=ReportStatus.DRAFT):
        moments = [getattr(report, step) for step in steps if getattr(report, step)]
        assert moments == sorted(moments), report.reference
        assert year_ago < moments[0], report.reference
        assert moments[-1] < now, report.reference
        assert report.submitted_at is not None
        if report.source == ReportSource.SCHOOL:
            assert report.created_at < report.submitted_at  # drafted, then sent
        else:
            assert report.submitted_at < report.created_at  # registered after the call
    for supplement in Supplement.objects.select_related("report"):
        arrived = supplement.report.submitted_at
        assert arrived is not None
        assert arrived < supplement.created_at < now


@pytest.mark.usefixtures("loaded")
def test_the_intake_steps_are_done_by_the_receiving_intake():
    for report in ConcernReport.objects.exclude(received_by=None).select_related(
        "received_by", "municipality"
    ):
        key = "leksand" if report.municipality.name == "Leksand" else "eksjo"
        assert report.received_by is not None
        assert report.received_by.username == f"intake.{key}"


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_mode")
def test_the_demo_command_loads_the_reports_and_the_watchdog_finds_work():
    call_command("demo_data")
    call_command("demo_data")
    # The cases of each municipality, and the finished year the follow-up's demo adds.
    history = sum(demo_history.YEAR_SIZE.values())
    made = 2 * (len(demo.CASES) + len(demo_intake.CASES))
    assert ConcernReport.objects.count() == made + history
    result = watchdog_run(now=timezone.now())
    overdue = {a.municipality_name for a in result.alerts if a.kind == AlertKind.OVERDUE}
    assert overdue == {"Leksand", "Eksjö"}
    assert result.notifications_created >= 2


@pytest.mark.usefixtures("loaded")
def test_the_intake_registered_reports_from_other_sources_and_decisions_record_their_reasons():
    for key, name in MUNICIPALITIES.items():
        registered = ConcernReport.objects.filter(municipality__name=name).exclude(
            source=ReportSource.SCHOOL
        )
        police_call = registered.get(
            source=ReportSource.POLICE, received_via=ReceivedVia.PHONE, closed_at=None
        )
        assert police_call.awaits_written_confirmation, key
        assert registered.filter(confirmed_in_writing_on__isnull=False).exists(), key
        anonymous = registered.get(reporter_anonymous=True)
        assert (anonymous.reporter_name, anonymous.reporter_phone) == ("", "")
        assert registered.filter(source=ReportSource.HEALTH_CARE).exclude(feedback="").exists()
        decided = ConcernReport.objects.filter(municipality__name=name).exclude(decision="")
        assert not decided.filter(delegation_point="").exists(), key
        assert not decided.filter(decision=Decision.NOT_OPENED, decision_reasons="").exists()
        assert decided.exclude(case_number="").exists(), key
        own = DeadlineSettings.objects.get(municipality__name=name)
        assert own.delegation_point == demo.DELEGATION_POINTS[key]
