"""Alert dates: revision due within 60 days, overdue, expired, overdue measures — and their
boundary days."""

import datetime

import pytest

from governance import services
from governance.models import DocumentKind, DocumentVersion, GovernanceDocument, MeasureStatus
from governance.selectors import (
    AlertKind,
    alerts_for,
    current_version,
    document_statuses,
    next_revision_date,
)
from governance.tests import builders
from organisations.models import Role

TODAY = datetime.date(2026, 6, 15)


def _version(**values):
    values.setdefault("approved_on", datetime.date(2025, 9, 1))
    values.setdefault("revision_interval_months", 12)
    return DocumentVersion(number=1, **values)


def _kinds(version, overdue_measures=0, today=TODAY):
    return [
        (alert.kind, alert.severity)
        for alert in alerts_for(version, overdue_measures=overdue_measures, today=today)
    ]


def test_next_revision_is_the_approval_date_plus_the_interval():
    assert next_revision_date(_version()) == datetime.date(2026, 9, 1)
    assert next_revision_date(_version(revision_interval_months=6)) == datetime.date(2026, 3, 1)
    # Month ends are kept within the month.
    end = _version(approved_on=datetime.date(2025, 8, 31), revision_interval_months=6)
    assert next_revision_date(end) == datetime.date(2026, 2, 28)


def test_without_an_approval_date_the_first_day_of_validity_counts():
    version = _version(approved_on=None, valid_from=datetime.date(2025, 7, 1))
    assert next_revision_date(version) == datetime.date(2026, 7, 1)
    assert next_revision_date(_version(approved_on=None)) is None
    assert next_revision_date(None) is None


@pytest.mark.parametrize(
    ("days_to_revision", "expected"),
    [
        (61, []),
        (60, [(AlertKind.REVISION_DUE, "warning")]),
        (1, [(AlertKind.REVISION_DUE, "warning")]),
        (0, [(AlertKind.REVISION_DUE, "warning")]),
        (-1, [(AlertKind.REVISION_OVERDUE, "danger")]),
        (-900, [(AlertKind.REVISION_OVERDUE, "danger")]),
    ],
)
def test_revision_due_and_overdue_boundaries(days_to_revision, expected):
    revision = TODAY + datetime.timedelta(days=days_to_revision)
    version = _version(approved_on=revision.replace(year=revision.year - 1))
    assert next_revision_date(version) == revision
    assert _kinds(version) == expected


@pytest.mark.parametrize(
    ("valid_to", "expired"),
    [
        (TODAY + datetime.timedelta(days=1), False),
        (TODAY, False),  # the last day of validity is still valid
        (TODAY - datetime.timedelta(days=1), True),
    ],
)
def test_expired_after_the_last_day_of_validity(valid_to, expired):
    version = _version(approved_on=TODAY - datetime.timedelta(days=30), valid_to=valid_to)
    assert (_kinds(version) == [(AlertKind.EXPIRED, "danger")]) is expired
    if not expired:
        assert _kinds(version) == []


def test_the_eksjo_case_is_expired_and_overdue_with_words_in_the_text():
    version = _version(
        approved_on=datetime.date(2017, 11, 14),
        valid_from=datetime.date(2018, 1, 1),
        valid_to=datetime.date(2021, 12, 31),
    )
    alerts = alerts_for(version, overdue_measures=3, today=TODAY)
    assert [alert.text for alert in alerts] == [
        "Expired on Dec. 31, 2021",
        "Revision overdue since Nov. 14, 2018",
        "3 measures overdue",
    ]
    assert all(alert.severity == "danger" for alert in alerts)


def test_no_version_no_alerts_except_measures():
    assert _kinds(None) == []
    assert _kinds(None, overdue_measures=1) == [(AlertKind.MEASURE_OVERDUE, "danger")]


def test_current_version_is_the_newest_approved_one(world):
    document = builders.document(world)
    assert current_version(document) is None
    first = builders.version(world, document, approved_on=datetime.date(2025, 1, 10))
    assert current_version(document) == first
    builders.version(world, document, approved_on=None)  # a draft
    assert current_version(document) == first
    third = builders.version(world, document, approved_on=datetime.date(2026, 1, 10))
    assert current_version(document) == third
    assert [v.number for v in document.versions.order_by("number")] == [1, 2, 3]


def test_measures_overdue_only_when_open_and_past_due(world):
    document = builders.document(world, kind=DocumentKind.ACTION_PLAN, title="Handlingsplan")
    builders.version(world, document, approved_on=TODAY - datetime.timedelta(days=10))
    actor = world.user(Role.COORDINATOR)
    yesterday, today = TODAY - datetime.timedelta(days=1), TODAY
    for due, measure_status in (
        (yesterday, MeasureStatus.PLANNED),  # overdue
        (yesterday, MeasureStatus.IN_PROGRESS),  # overdue
        (yesterday, MeasureStatus.DONE),
        (yesterday, MeasureStatus.CANCELLED),
        (today, MeasureStatus.PLANNED),  # due today: not yet overdue
        (None, MeasureStatus.PLANNED),
    ):
        services.measure_add(
            actor=actor,
            document=document,
            what="Åtgärd",
            owner="Rektor",
            due_on=due,
            status=measure_status,
        )
    [status] = document_statuses(GovernanceDocument.objects.filter(pk=document.pk), today=TODAY)
    assert [(a.kind, a.count) for a in status.alerts] == [(AlertKind.MEASURE_OVERDUE, 2)]
    assert status.current == current_version(document)
    assert status.next_revision == TODAY - datetime.timedelta(days=10) + datetime.timedelta(
        days=365
    )
