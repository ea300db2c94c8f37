"""Services for the reports the intake registers itself: a report of concern received by phone,
letter or e-mail from the police, health care, another agency, a member of the public (who may
stay anonymous) or the child or a guardian; and the written confirmation of a phone report.

A registered report takes the same steps, deadlines and indicators as a school's: its clocks
start when the call, letter or e-mail came in (entered by the intake, never in the future),
and it is received at once (the intake has it in hand). It has no school, so the school
indicators never count it (``followup.rollups``); the intake's timeliness counts it like any.

An anonymous reporter leaves nothing that could identify them: no name, organisation, phone
number or e-mail address is accepted (and the database refuses them too).
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import AuditEventType
from access.policies import NotPermitted
from organisations.models import Membership, Municipality, User
from reports.identity import child_ref_for
from reports.models import (
    ANONYMOUS_SOURCES,
    PROFESSIONAL_SOURCES,
    ConcernCategory,
    ConcernReport,
    ConcernReportCategory,
    GuardiansInformed,
    ReceivedVia,
    ReportSource,
    ReportStatus,
    SubmissionKey,
)
from reports.policies import HANDLE, report_policy
from reports.references import save_with_unique_reference
from reports.services_common import (
    TransitionError,
    _audit,
    _lock,
    _start_clocks,
    allowed_steps,
    child_identified,
)

# How a report from another source can come in (the school's come through the form).
CHANNELS = frozenset({ReceivedVia.PHONE, ReceivedVia.LETTER, ReceivedVia.EMAIL})
OTHER_SOURCES = frozenset(set(ReportSource) - {ReportSource.SCHOOL})
# An arrival further back than this is taken for a mistyped year.
OLDEST_ARRIVAL = datetime.timedelta(days=365)


@dataclass(frozen=True)
class Reporter:
    """Who made a report the intake registers. Anonymous: only the source is kept."""

    source: str
    anonymous: bool = False
    name: str = ""
    organisation: str = ""
    phone: str = ""
    email: str = ""
    wants_feedback: bool = False


@dataclass(frozen=True)
class ReportedConcern:
    """What was reported: the child and the concern, as a school's report holds them."""

    what_happened: str
    acute_danger: bool | None
    categories: tuple[str, ...]
    child_identity_number: str = ""  # 12 digits (already validated), or ""
    child_name: str = ""
    child_approximate_age: int | None = None
    child_class: str = ""
    guardians: str = ""
    interpreter_language: str = ""
    child_words: str = ""
    guardians_informed: str = ""  # yes, no, or "" when the reporter did not know


class _AlreadyRegistered(Exception):
    """The same form was sent twice at once: the other request registered the report."""


def report_register(
    *,
    actor: User,
    municipality: Municipality,
    reporter: Reporter,
    concern: ReportedConcern,
    received_via: str,
    arrived_at: datetime.datetime,
    submission_key: uuid.UUID,
    now: datetime.datetime | None = None,
) -> ConcernReport:
    """Register a report received by the intake of ``municipality`` (``NotPermitted`` unless
    ``actor`` works there). What is wrong is a ``ValidationError`` by field and nothing is
    saved. The same ``submission_key`` again (a double click) returns the report registered
    the first time, so one call or letter is one report."""
    grant = report_policy.grant_for_municipality(actor, HANDLE, municipality.pk)
    if grant is None or grant.membership is None:
        raise NotPermitted
    now = now or timezone.now()
    problems = registration_problems(reporter, concern, received_via, arrived_at, now=now)
    if problems:
        raise ValidationError(problems)
    earlier = SubmissionKey.objects.filter(key=submission_key).select_related("report").first()
    if earlier is not None:
        return earlier.report
    try:
        with transaction.atomic():
            report = _create(actor, grant.membership, municipality, reporter, concern)
            report.received_via = received_via
            report.status = ReportStatus.RECEIVED
            report.received_at = now
            report.received_by = actor
            _start_clocks(report, arrived_at)
            save_with_unique_reference(report)
            _set_categories(report, concern.categories)
            _claim(submission_key, report)
            _audit(
                actor,
                report,
                AuditEventType.REPORT_REGISTERED,
                source=reporter.source,
                received_via=received_via,
                anonymous=reporter.anonymous,
                urgent=concern.acute_danger,
            )
    except _AlreadyRegistered:
        return SubmissionKey.objects.select_related("report").get(key=submission_key).report
    return report


def _create(
    actor: User,
    membership: Membership,
    municipality: Municipality,
    reporter: Reporter,
    concern: ReportedConcern,
) -> ConcernReport:
    """The report as an unsaved row: the registering social worker is its author."""
    return ConcernReport(
        source=reporter.source,
        author=actor,
        author_role=membership.role,
        author_sector=membership.unit.sector,
        municipality=municipality,
        home_municipality=municipality,
        reporter_anonymous=reporter.anonymous,
        reporter_name=reporter.name.strip(),
        reporter_organisation=reporter.organisation.strip(),
        reporter_phone=reporter.phone.strip(),
        reporter_email=reporter.email.strip(),
        wants_feedback=reporter.wants_feedback,
        child_identity_number=concern.child_identity_number,
        child_ref=child_ref_for(concern.child_identity_number),
        child_name=concern.child_name.strip(),
        child_approximate_age=concern.child_approximate_age,
        child_class=concern.child_class.strip(),
        guardians=concern.guardians.strip(),
        interpreter_language=concern.interpreter_language.strip(),
        what_happened=concern.what_happened.strip(),
        child_words=concern.child_words.strip(),
        acute_danger=concern.acute_danger,
        guardians_informed=concern.guardians_informed,
    )


def _set_categories(report: ConcernReport, categories: Iterable[str]) -> None:
    ConcernReportCategory.objects.bulk_create(
        ConcernReportCategory(report=report, category=category) for category in set(categories)
    )


def _claim(submission_key: uuid.UUID, report: ConcernReport) -> None:
    try:
        with transaction.atomic():
            SubmissionKey.objects.create(key=submission_key, report=report)
    except IntegrityError:
        raise _AlreadyRegistered from None


# --- what must be right ----------------------------------------------------------------------


def registration_problems(
    reporter: Reporter,
    concern: ReportedConcern,
    received_via: str,
    arrived_at: datetime.datetime,
    *,
    now: datetime.datetime,
) -> dict[str, list[str]]:
    """What is wrong or missing in a registration, by field (empty: it can be registered)."""
    problems: dict[str, list[str]] = {}
    for field, message in (
        *_reporter_problems(reporter),
        *_arrival_problems(received_via, arrived_at, now),
        *_concern_problems(concern),
    ):
        problems.setdefault(field, []).append(str(message))
    return problems


def _reporter_problems(reporter: Reporter) -> list[tuple[str, object]]:
    if reporter.source not in OTHER_SOURCES:
        return [("source", _("Choose who made the report."))]
    if reporter.anonymous:
        return _anonymous_problems(reporter)
    problems: list[tuple[str, object]] = []
    if not reporter.name.strip():
        problems.append(("reporter_name", _("Give the reporter's name.")))
    professional = reporter.source in PROFESSIONAL_SOURCES
    if professional and not reporter.organisation.strip():
        problems.append(("reporter_organisation", _("Give the agency or organisation.")))
    if professional and not (reporter.phone.strip() or reporter.email.strip()):
        problems.append(
            (
                "reporter_phone",
                _("Give a phone number or e-mail address where the reporter can be reached."),
            )
        )
    if reporter.email.strip():
        try:
            validate_email(reporter.email.strip())
        except ValidationError:
            problems.append(("reporter_email", _("Enter a valid e-mail address.")))
    if reporter.wants_feedback and not professional:
        # SoL 19 kap. 6 §: feedback is owed to reporters with the duty to report.
        problems.append(
            ("wants_feedback", _("Only a reporter with the duty to report gets feedback."))
        )
    return problems


def _anonymous_problems(reporter: Reporter) -> list[tuple[str, object]]:
    if reporter.source not in ANONYMOUS_SOURCES:
        return [("source", _("Only a member of the public can report anonymously."))]
    if reporter.name or reporter.organisation or reporter.phone or reporter.email:
        return [
            (
                "reporter_name",
                _("Nothing that could identify an anonymous reporter is stored."),
            )
        ]
    if reporter.wants_feedback:
        return [("wants_feedback", _("An anonymous reporter can not be given feedback."))]
    return []


def _arrival_problems(
    received_via: str, arrived_at: datetime.datetime, now: datetime.datetime
) -> list[tuple[str, object]]:
    problems: list[tuple[str, object]] = []
    if received_via not in CHANNELS:
        problems.append(("received_via", _("Choose how the report came in.")))
    if arrived_at > now:
        problems.append(("arrived_on", _("The time the report came in can not be in the future.")))
    elif arrived_at < now - OLDEST_ARRIVAL:
        problems.append(
            ("arrived_on", _("The date is more than a year ago. Check the year, please."))
        )
    return problems


def _concern_problems(concern: ReportedConcern) -> list[tuple[str, object]]:
    problems: list[tuple[str, object]] = []
    if not child_identified(
        concern.child_identity_number,
        concern.child_name,
        concern.child_approximate_age,
        concern.child_class,
    ):
        problems.append(
            (
                "child_identity_number",
                _(
                    "Give the child's personal identity number or, when it is not known, the "
                    "child's name and approximate age or class."
                ),
            )
        )
    if concern.acute_danger is None:
        problems.append(("acute_danger", _("Answer whether the child is in acute danger.")))
    if not concern.categories:
        problems.append(("categories", _("Choose at least one kind of concern.")))
    elif not set(concern.categories) <= set(ConcernCategory.values):
        problems.append(("categories", _("Choose among the listed kinds of concern.")))
    if not concern.what_happened.strip():
        problems.append(("what_happened", _("Write down what the reporter told.")))
    if concern.guardians_informed not in ("", GuardiansInformed.YES, GuardiansInformed.NO):
        problems.append(("guardians_informed", _("Choose one of the listed answers.")))
    return problems


# --- the written confirmation of a phone report ------------------------------------------------


def report_confirm_in_writing(
    *,
    report: ConcernReport,
    actor: User,
    confirmed_on: datetime.date,
    today: datetime.date | None = None,
) -> ConcernReport:
    """Record the day a report received by phone was confirmed in writing: not in the future,
    not before the call. Once only (``TransitionError`` after that, or for a report that did
    not come by phone)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(report, actor, HANDLE)
        if "confirm_in_writing" not in allowed_steps(locked):
            raise TransitionError("Only a phone report not yet confirmed can be confirmed.")
        assert locked.submitted_at is not None
        called_on = timezone.localdate(locked.submitted_at)
        if not called_on <= confirmed_on <= today:
            raise ValidationError(
                {"confirmed_on": [str(_("Give a date from the day of the call to today."))]}
            )
        locked.confirmed_in_writing_on = confirmed_on
        locked.confirmation_recorded_by = actor
        locked.save(
            update_fields=["confirmed_in_writing_on", "confirmation_recorded_by", "updated_at"]
        )
        _audit(
            actor, locked, AuditEventType.REPORT_CONFIRMED_IN_WRITING, on=confirmed_on.isoformat()
        )
    return locked
