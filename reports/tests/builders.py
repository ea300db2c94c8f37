"""Reports in a given state for tests, made through the services as in real use."""

import datetime
import uuid
from collections.abc import Iterable
from typing import Any, TypedDict

from organisations.models import Role, Unit, UnitKind, User
from reports import services_common, services_intake, services_school
from reports.models import ConcernCategory, ConcernReport, Decision, Feedback, GuardiansInformed
from reports.policies import reporting_memberships
from tests.world import World

# A Monday morning in winter; every test that needs a fixed arrival uses it.
ARRIVAL = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def draft(
    world: World,
    *,
    author: User | None = None,
    school: Unit | None = None,
    categories: Iterable[str] = (ConcernCategory.NEGLECT,),
    now: datetime.datetime | None = None,
    **values: Any,
) -> ConcernReport:
    """A complete draft by ``author`` (default the Leksand teacher) at ``school``."""
    author = author or world.user(Role.REPORTER)
    membership = reporting_memberships(author)[0]
    report = services_school.report_draft_create(
        author=author,
        membership=membership,
        school_unit=school or world.unit(UnitKind.SCHOOL, _place_of(world, author)),
        now=now,
    )
    defaults: dict[str, Any] = {
        "child_identity_number": "201203159801",
        "child_name": "Testa Testsson",
        "what_happened": "Eleven berättade om bråk hemma.",
        "acute_danger": False,
        "guardians_informed": GuardiansInformed.YES,
    }
    return services_school.report_draft_update(
        report=report,
        actor=author,
        expected_version=report.version,
        values={**defaults, **values},
        categories=list(categories),
    )


def submitted(
    world: World, *, now: datetime.datetime = ARRIVAL, **draft_values: Any
) -> ConcernReport:
    report = draft(world, **draft_values)
    return services_school.report_submit(
        report=report, actor=report.author, submission_key=uuid.uuid4(), now=now
    )


DELEGATION = "Delegationsordning IFO punkt 3.1"
REASONS = "Familjen har redan det stöd som behövs; ingen ny oro framkommer."


class DecisionRecord(TypedDict):
    delegation_point: str
    reasons: str


def decision_record(decision: str) -> DecisionRecord:
    """What a decision records besides the decision, as ``report_decide`` needs it: the
    delegation point always, reasons when no investigation is opened."""
    return {
        "delegation_point": DELEGATION,
        "reasons": REASONS if decision == Decision.NOT_OPENED else "",
    }


# The intake's steps in order, as (step, call); ``advance`` runs them up to a status.
def _steps(decision: str, feedback: str) -> list[tuple[str, Any]]:
    return [
        ("receive", lambda r, u, t: services_intake.report_receive(report=r, actor=u, now=t)),
        (
            "assess_protection",
            lambda r, u, t: services_intake.report_assess_protection(
                report=r,
                actor=u,
                immediate_protection_needed=False,
                justification="Ingen akut fara.",
                now=t,
            ),
        ),
        (
            "start_preliminary",
            lambda r, u, t: services_intake.report_start_preliminary(report=r, actor=u, now=t),
        ),
        (
            "decide",
            lambda r, u, t: services_intake.report_decide(
                report=r,
                actor=u,
                decision=decision,
                forwarded_to="Rättvik" if decision == Decision.FORWARDED else "",
                now=t,
                **decision_record(decision),
            ),
        ),
        (
            "give_feedback",
            lambda r, u, t: services_intake.report_give_feedback(
                report=r, actor=u, feedback=feedback, now=t
            ),
        ),
        ("close", lambda r, u, t: services_intake.report_close(report=r, actor=u, now=t)),
    ]


def advance(
    report: ConcernReport,
    status: str,
    *,
    intake: User,
    now: datetime.datetime | None = None,
    decision: str = Decision.OPENED,
    feedback: str = Feedback.OPENED,
) -> ConcernReport:
    """Work a submitted report through the intake's steps until it has ``status``; each step
    an hour after the one before (from ``now``, default the arrival)."""
    moment = now or report.submitted_at or ARRIVAL
    for name, step in _steps(decision, feedback):
        if report.status == status:
            break
        if name not in services_common.allowed_steps(report):
            continue  # e.g. no feedback after forwarding, or no preliminary step wanted
        moment += datetime.timedelta(hours=1)
        report = step(report, intake, moment)
    assert report.status == status, f"could not reach {status} (at {report.status})"
    return report


def _place_of(world: World, user: User) -> str:
    for key, place in world.places.items():
        if user.pk in {member.pk for member in place.users.values()}:
            return key
    return "leksand"
