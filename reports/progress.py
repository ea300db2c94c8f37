"""Where a report stands, as the school side may know it: the steps sent → received →
protection assessed → decided → feedback, each done, under way or to come, the next expected
date in words, and the feedback line, always true:

- a report forwarded to another municipality says so, and that the feedback comes from there;
- a reporter who did not ask for feedback is told "not requested", never "none yet".

Only the intake's progress crosses to the school, never its content: not whether the child
needed protection, not the reasons of a decision, not an extension of the decision deadline
(whose reasons are the social services' own). The dates to come are the statutory ones,
computed when the report arrived; when one has passed, the page says so plainly.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from reports.models import ConcernReport, Decision, Feedback, ReportStatus
from reports.services_common import FEEDBACK_FOR_DECISION

FEEDBACK_LABELS: dict[str, str | Promise] = {str(value): label for value, label in Feedback.choices}


class StepState(StrEnum):
    DONE = "done"
    CURRENT = "current"  # the step the social services work on now
    UPCOMING = "upcoming"  # not reached yet
    SKIPPED = "skipped"  # will not happen (feedback not requested, or the report was closed)
    ELSEWHERE = "elsewhere"  # happens in the municipality the report was forwarded to


@dataclass(frozen=True)
class Step:
    key: str
    label: str | Promise
    state: StepState
    done_on: datetime.date | None = None


@dataclass(frozen=True)
class Progress:
    steps: tuple[Step, ...]
    next_text: str  # what happens next and by when, in words; "" when nothing more happens
    late: bool  # the next step's statutory date has passed
    feedback_state: "FeedbackState"
    feedback_text: str | Promise  # the feedback as a list shows it
    forwarded_note: str  # where the report went when another municipality handles it

    @property
    def current(self) -> Step | None:
        return next((step for step in self.steps if step.state == StepState.CURRENT), None)


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def when_in_words(day: datetime.date, today: datetime.date) -> str:
    """ "today", "tomorrow", "yesterday", or the date with how far it is ("16 Dec 2026, in 11
    days"; "2 Dec 2026, 3 days ago")."""
    days = (day - today).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days == -1:
        return _("yesterday")
    date = formats.date_format(day, "DATE_FORMAT")
    if days > 0:
        text = ngettext("%(date)s, in %(count)d day", "%(date)s, in %(count)d days", days)
    else:
        text = ngettext("%(date)s, %(count)d day ago", "%(date)s, %(count)d days ago", -days)
    return text % {"date": date, "count": abs(days)}


def _forwarded_elsewhere(report: ConcernReport) -> bool:
    """The feedback will come from another municipality: the report was forwarded, or is to
    be forwarded to the child's home municipality outside Samverkan and not yet decided."""
    if report.decision == Decision.FORWARDED:
        return True
    return bool(report.forward_to_name) and not report.decision


def forwarded_note(report: ConcernReport) -> str:
    if report.decision == Decision.FORWARDED:
        return _(
            "The social services have forwarded the report to %(other)s, where the child "
            "lives. The feedback comes from there, not through Samverkan."
        ) % {"other": report.forwarded_to or _("another municipality")}
    if report.forward_to_name and not report.decision:
        return _(
            "The child lives in %(other)s, which does not use Samverkan: the intake in "
            "%(municipality)s forwards the report there, and the feedback comes from there."
        ) % {"other": report.forward_to_name, "municipality": report.municipality.name}
    return ""


class FeedbackState(StrEnum):
    GIVEN = "given"
    ELSEWHERE = "elsewhere"  # from the municipality the report was (or is to be) forwarded to
    NOT_REQUESTED = "not_requested"
    NONE = "none"  # closed without feedback
    PENDING = "pending"  # decided, the feedback not given yet
    AFTER_DECISION = "after_decision"  # not decided yet


_FEEDBACK_WORDS: dict[FeedbackState, Promise] = {
    FeedbackState.ELSEWHERE: gettext_lazy("Comes from the other municipality"),
    FeedbackState.NOT_REQUESTED: gettext_lazy("Not requested"),
    FeedbackState.NONE: gettext_lazy("None given"),
    FeedbackState.PENDING: gettext_lazy("Not given yet"),
    FeedbackState.AFTER_DECISION: gettext_lazy("After the decision"),
}


def feedback_state(report: ConcernReport) -> FeedbackState:
    """Where the feedback stands: given, or why there is none (yet)."""
    if report.feedback:
        return FeedbackState.GIVEN
    if _forwarded_elsewhere(report):
        return FeedbackState.ELSEWHERE
    if not report.wants_feedback:
        return FeedbackState.NOT_REQUESTED
    if report.status == ReportStatus.CLOSED:
        return FeedbackState.NONE
    if report.decision in FEEDBACK_FOR_DECISION:
        return FeedbackState.PENDING
    return FeedbackState.AFTER_DECISION


def feedback_text(report: ConcernReport) -> str | Promise:
    """The feedback as a list shows it: the answer, or why there is none (yet) — never
    "none yet" for a reporter who did not ask, or whose report went elsewhere."""
    state = feedback_state(report)
    if state == FeedbackState.GIVEN:
        return FEEDBACK_LABELS.get(report.feedback, "")
    return _FEEDBACK_WORDS[state]


def _steps(report: ConcernReport) -> list[Step]:
    forwarded = report.decision == Decision.FORWARDED
    steps = [
        Step(
            "sent", pgettext_lazy("report step", "Sent"), StepState.DONE, _day(report.submitted_at)
        ),
        _done_or_upcoming("received", pgettext_lazy("report step", "Received"), report.received_at),
        _done_or_upcoming(
            "protection",
            pgettext_lazy("report step", "Protection assessment"),
            report.protection_assessed_at,
        ),
        _done_or_upcoming(
            "decided",
            pgettext_lazy("report step", "Forwarded")
            if forwarded
            else pgettext_lazy("report step", "Decision"),
            report.decided_at,
        ),
        _feedback_step(report),
    ]
    closed = report.status == ReportStatus.CLOSED
    marked = []
    current_found = False
    for step in steps:
        if step.state == StepState.UPCOMING and closed:
            step = Step(step.key, step.label, StepState.SKIPPED)
        elif step.state == StepState.UPCOMING and not current_found:
            step = Step(step.key, step.label, StepState.CURRENT)
            current_found = True
        marked.append(step)
    return marked


def _done_or_upcoming(key: str, label: Promise, moment: datetime.datetime | None) -> Step:
    if moment:
        return Step(key, label, StepState.DONE, _day(moment))
    return Step(key, label, StepState.UPCOMING)


def _feedback_step(report: ConcernReport) -> Step:
    if report.feedback_given_at:
        return Step(
            "feedback",
            pgettext_lazy("report step", "Feedback"),
            StepState.DONE,
            _day(report.feedback_given_at),
        )
    if _forwarded_elsewhere(report):
        return Step(
            "feedback", gettext_lazy("Feedback from the other municipality"), StepState.ELSEWHERE
        )
    if not report.wants_feedback:
        return Step("feedback", gettext_lazy("Feedback not requested"), StepState.SKIPPED)
    return Step("feedback", pgettext_lazy("report step", "Feedback"), StepState.UPCOMING)


def _next(
    report: ConcernReport, current: Step | None, today: datetime.date, *, author: bool
) -> tuple[str, bool]:
    """What happens next and by when, and whether that date has passed; the feedback is
    "yours" to the author and "the reporter's" to the principal."""
    if current is None:
        return "", False
    if current.key == "decided" and report.forward_to_name:
        # Forwarded to a municipality outside Samverkan: its own deadlines apply there.
        return "", False
    messages = {
        "received": (
            _(
                "The social services receive the report and assess at once whether the child "
                "needs protection: by %(when)s."
            ),
            _("The social services were to assess whether the child needs protection by %(when)s."),
            report.protection_due_at,
        ),
        "protection": (
            _("The social services assess whether the child needs protection: by %(when)s."),
            _("The social services were to assess whether the child needs protection by %(when)s."),
            report.protection_due_at,
        ),
        "decided": (
            _("The social services decide whether to open an investigation: by %(when)s."),
            _(
                "The decision on an investigation was due by %(when)s; the law allows a later "
                "decision only for exceptional reasons."
            ),
            report.decision_due_original_at or report.decision_due_at,
        ),
        "feedback": (
            _("You get feedback on the decision: by %(when)s.")
            if author
            else _("The reporter gets feedback on the decision: by %(when)s."),
            _("Your feedback was due by %(when)s.")
            if author
            else _("The reporter's feedback was due by %(when)s."),
            report.feedback_due_at,
        ),
    }
    on_time, late, due = messages[current.key]
    due_day = _day(due)
    if due_day is None:
        return "", False
    if due_day < today:
        return late % {"when": when_in_words(due_day, today)}, True
    return on_time % {"when": when_in_words(due_day, today)}, False


def report_progress(
    report: ConcernReport, *, today: datetime.date | None = None, author: bool = True
) -> Progress:
    """The progress of a submitted report for its author (``author``) or the principal. No
    query: the report's own fields, and its municipality's name when it is to be forwarded
    (select it with the report)."""
    today = today or timezone.localdate()
    steps = _steps(report)
    current = next((step for step in steps if step.state == StepState.CURRENT), None)
    text, late = _next(report, current, today, author=author)
    return Progress(
        steps=tuple(steps),
        next_text=text,
        late=late,
        feedback_state=feedback_state(report),
        feedback_text=feedback_text(report),
        forwarded_note=forwarded_note(report),
    )
