"""Where a report stands for the school side (``reports.progress``), from the report's fields
alone: every status, the forwarded report, feedback not asked for, and dates in words."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from organisations.models import Municipality
from reports.models import ConcernReport, Decision, Feedback, ReportStatus
from reports.progress import FeedbackState, StepState, report_progress, when_in_words

pytestmark = pytest.mark.usefixtures("english")

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = datetime.date(2026, 3, 4)  # a Wednesday
ARRIVED = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=STOCKHOLM)
HOUR = datetime.timedelta(hours=1)


def _end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=STOCKHOLM)


# How many of the intake's steps (received, protection assessed, decided, feedback given) are
# done at each status; a closed report here was closed after its decision.
STEPS_DONE: dict[str, int] = {
    ReportStatus.SUBMITTED: 0,
    ReportStatus.RECEIVED: 1,
    ReportStatus.PROTECTION_ASSESSED: 2,
    ReportStatus.PRELIMINARY_ASSESSMENT: 2,
    ReportStatus.DECIDED: 3,
    ReportStatus.FEEDBACK_GIVEN: 4,
    ReportStatus.CLOSED: 3,
}


def _report(status: str, **values: object) -> ConcernReport:
    """A report as the services leave it at ``status`` (each step an hour after the last)."""
    fields: dict[str, object] = {
        "status": status,
        "submitted_at": ARRIVED,
        "wants_feedback": True,
        "municipality": Municipality(name="Leksand", code="2029"),
        "protection_due_at": _end_of(datetime.date(2026, 3, 2)),
        "decision_due_original_at": _end_of(datetime.date(2026, 3, 16)),
        "decision_due_at": _end_of(datetime.date(2026, 3, 16)),
    }
    reached = STEPS_DONE[status]
    stamps = ["received_at", "protection_assessed_at", "decided_at", "feedback_given_at"]
    for index, name in enumerate(stamps[:reached]):
        fields[name] = ARRIVED + (index + 1) * HOUR
    if reached >= 3:
        fields.setdefault("decision", Decision.OPENED)
        fields["feedback_due_at"] = _end_of(datetime.date(2026, 3, 9))
    if reached >= 4:
        fields.setdefault("feedback", Feedback.OPENED)
    fields.update(values)
    return ConcernReport(**fields)


def _states(report: ConcernReport) -> list[tuple[str, StepState]]:
    return [(step.key, step.state) for step in report_progress(report, today=TODAY).steps]


def test_a_report_just_sent_waits_to_be_received():
    progress = report_progress(_report(ReportStatus.SUBMITTED), today=datetime.date(2026, 3, 2))
    assert [(s.key, s.state) for s in progress.steps] == [
        ("sent", StepState.DONE),
        ("received", StepState.CURRENT),
        ("protection", StepState.UPCOMING),
        ("decided", StepState.UPCOMING),
        ("feedback", StepState.UPCOMING),
    ]
    assert progress.steps[0].done_on == datetime.date(2026, 3, 2)
    assert progress.next_text.endswith("needs protection: by today.")
    assert not progress.late
    assert (progress.feedback_state, str(progress.feedback_text)) == (
        FeedbackState.AFTER_DECISION,
        "After the decision",
    )


def test_the_protection_assessment_overdue_is_said_plainly():
    progress = report_progress(_report(ReportStatus.RECEIVED), today=TODAY)
    assert progress.current is not None
    assert progress.current.key == "protection"
    assert progress.late
    assert progress.next_text == (
        "The social services were to assess whether the child needs protection by "
        "March 2, 2026, 2 days ago."
    )


@pytest.mark.parametrize(
    "status", [ReportStatus.PROTECTION_ASSESSED, ReportStatus.PRELIMINARY_ASSESSMENT]
)
def test_then_the_decision_by_the_statutory_date(status):
    progress = report_progress(_report(status), today=TODAY)
    assert progress.current is not None
    assert progress.current.key == "decided"
    assert progress.next_text == (
        "The social services decide whether to open an investigation: by March 16, 2026, "
        "in 12 days."
    )


def test_an_extension_is_not_shown_to_the_school():
    extended = _report(
        ReportStatus.PROTECTION_ASSESSED, decision_due_at=_end_of(datetime.date(2026, 4, 30))
    )
    progress = report_progress(extended, today=datetime.date(2026, 3, 20))
    assert "April" not in progress.next_text
    assert progress.next_text.startswith("The decision on an investigation was due by March 16")
    assert "exceptional reasons" in progress.next_text


def test_after_the_decision_the_feedback_is_due():
    progress = report_progress(_report(ReportStatus.DECIDED), today=TODAY)
    assert progress.current is not None
    assert progress.current.key == "feedback"
    assert progress.next_text == "You get feedback on the decision: by March 9, 2026, in 5 days."
    principal = report_progress(_report(ReportStatus.DECIDED), today=TODAY, author=False)
    assert principal.next_text.startswith("The reporter gets feedback")
    assert progress.feedback_state == FeedbackState.PENDING
    assert str(progress.feedback_text) == "Not given yet"


def test_feedback_given_ends_the_steps():
    progress = report_progress(_report(ReportStatus.FEEDBACK_GIVEN), today=TODAY)
    assert all(step.state == StepState.DONE for step in progress.steps)
    assert (progress.next_text, progress.current) == ("", None)
    assert str(progress.feedback_text) == "An investigation has been opened"


def test_feedback_not_asked_for_is_not_requested_never_none_yet():
    for status in (ReportStatus.SUBMITTED, ReportStatus.DECIDED, ReportStatus.CLOSED):
        progress = report_progress(_report(status, wants_feedback=False), today=TODAY)
        feedback = progress.steps[-1]
        assert (feedback.state, str(feedback.label)) == (
            StepState.SKIPPED,
            "Feedback not requested",
        )
        assert str(progress.feedback_text) == "Not requested"
    decided = report_progress(_report(ReportStatus.DECIDED, wants_feedback=False), today=TODAY)
    assert (decided.current, decided.next_text) == (None, "")


def test_a_forwarded_report_says_where_it_went_and_that_feedback_comes_from_there():
    report = _report(ReportStatus.DECIDED, decision=Decision.FORWARDED, forwarded_to="Rättvik")
    progress = report_progress(report, today=TODAY)
    decided, feedback = progress.steps[3], progress.steps[4]
    assert (str(decided.label), decided.state) == ("Forwarded", StepState.DONE)
    assert feedback.state == StepState.ELSEWHERE
    assert progress.current is None
    assert "forwarded the report to Rättvik" in progress.forwarded_note
    assert progress.feedback_state == FeedbackState.ELSEWHERE
    assert str(progress.feedback_text) == "Comes from the other municipality"


def test_a_child_outside_samverkan_is_to_be_forwarded_from_the_start():
    report = _report(ReportStatus.PROTECTION_ASSESSED, forward_to_name="Rättvik")
    progress = report_progress(report, today=TODAY)
    assert progress.next_text == ""  # the other municipality's deadlines apply there
    assert progress.forwarded_note.startswith("The child lives in Rättvik")
    assert "the intake in Leksand forwards the report there" in progress.forwarded_note
    assert progress.steps[-1].state == StepState.ELSEWHERE


def test_a_closed_report_has_no_step_to_come():
    progress = report_progress(_report(ReportStatus.CLOSED, feedback_given_at=None), today=TODAY)
    assert progress.current is None
    assert {step.state for step in progress.steps[-1:]} == {StepState.SKIPPED}


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (0, "today"),
        (1, "tomorrow"),
        (-1, "yesterday"),
        (2, "March 6, 2026, in 2 days"),
        (-3, "March 1, 2026, 3 days ago"),
    ],
)
def test_dates_in_words(days, words):
    assert when_in_words(TODAY + datetime.timedelta(days=days), TODAY) == words
