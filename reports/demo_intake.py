"""The intake's own demo data: reports it registered from other sources than school (a phone
call from the police last night, a letter from health care, an anonymous member of the public,
an older police call confirmed in writing) and each demo municipality's usual delegation point.

The reports go through the real services (``services_registration.report_register``, then the
steps of ``reports.demo.work_case``) with times in the past, as ``reports.demo`` does. The
police's number is their public switchboard (114 14); everyone else is invented. Loading is
idempotent per municipality: its intake's registered reports are made once.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from organisations.models import User
from reports import demo, services_intake
from reports.demo import STOCKHOLM, Case, DemoPlace, case_text, child_values, place_for, work_case
from reports.models import (
    ConcernCategory,
    ConcernReport,
    Decision,
    ReceivedVia,
    ReportSource,
    ReportStatus,
)
from reports.services_registration import (
    ReportedConcern,
    Reporter,
    report_confirm_in_writing,
    report_register,
)

C = ConcernCategory
# The agencies that report in each demo municipality (invented units of real kinds).
POLICE = {
    "leksand": "Polisen, lokalpolisområde Mora",
    "eksjo": "Polisen, lokalpolisområde Höglandet",
}
HOSPITAL = {
    "leksand": "Region Dalarna, barn- och ungdomsmedicin, Falu lasarett",
    "eksjo": "Region Jönköpings län, barn- och ungdomskliniken, Höglandssjukhuset",
}


@dataclass(frozen=True)
class RegisteredCase:
    """A report the intake registered: how far it has come (``case``; its author and school
    are not used), who made it and how it came in."""

    case: Case
    source: str
    via: str
    anonymous: bool = False
    reporter_name: str = ""
    agency: dict[str, str] | None = None
    phone: str = ""
    email: str = ""
    confirmed_after: int | None = None  # days from the call to its written confirmation


CASES: tuple[RegisteredCase, ...] = (
    RegisteredCase(
        Case(
            "police_call_night",
            "",
            "",
            1,
            (7, 40),
            10,
            (C.WITNESSING_VIOLENCE, C.PHYSICAL_VIOLENCE),
            "Polisen ryckte ut till familjens lägenhet i natt efter larm om bråk mellan de "
            "vuxna. {namn} var hemma och vaknade av bråket. Mamman hade synliga skador. Polisen "
            "har upprättat en anmälan om misshandel. {namn} sov kvar hemma med mamman.",
            "Jag gömde mig i garderoben.",
            state=ReportStatus.PROTECTION_ASSESSED,
        ),
        ReportSource.POLICE,
        ReceivedVia.PHONE,
        reporter_name="Jonas Ek",
        agency=POLICE,
        phone="114 14",
    ),
    RegisteredCase(
        Case(
            "anonymous_neighbour",
            "",
            "",
            12,
            (18, 5),
            7,
            (C.NEGLECT,),
            "Anmälaren, som vill vara anonym, ringer och berättar att {namn} ofta är ute sent "
            "på kvällarna utan någon vuxen och flera gånger har frågat efter mat. Anmälaren har "
            "inte sett någon vuxen hämta {namn} de senaste veckorna.",
            state=ReportStatus.CLOSED,
            decision=Decision.NOT_OPENED,
            decide_after=6,
            wants_feedback=False,
        ),
        ReportSource.PUBLIC,
        ReceivedVia.PHONE,
        anonymous=True,
    ),
    RegisteredCase(
        Case(
            "hospital_letter",
            "",
            "",
            16,
            (9, 0),
            2,
            (C.PHYSICAL_VIOLENCE,),
            "Barnkliniken skriver att {namn} har vårdats för en fraktur på överarmen. "
            "Vårdnadshavarnas förklaring stämmer inte med skadans art enligt läkarens "
            "bedömning, och {namn} har tidigare sökt vård för blåmärken.",
            state=ReportStatus.FEEDBACK_GIVEN,
            decision=Decision.OPENED,
            decide_after=5,
            feedback_after=1,
        ),
        ReportSource.HEALTH_CARE,
        ReceivedVia.LETTER,
        reporter_name="Karin Sand, överläkare",
        agency=HOSPITAL,
        email="karin.sand@example.org",
    ),
    RegisteredCase(
        Case(
            "police_call_confirmed",
            "",
            "",
            30,
            (22, 10),
            15,
            (C.CRIMINALITY, C.SUBSTANCE_USE),
            "Polisen ringer sent på kvällen: {namn} greps i dag tillsammans med två äldre "
            "ungdomar misstänkt för rån och var påverkad av narkotika. {namn} har lämnats till "
            "en vårdnadshavare. Polisen skickar en skriftlig anmälan.",
            state=ReportStatus.CLOSED,
            decision=Decision.ADDED_TO_ONGOING,
            decide_after=2,
            feedback_after=1,
        ),
        ReportSource.POLICE,
        ReceivedVia.PHONE,
        reporter_name="Sara Holm",
        agency=POLICE,
        phone="114 14",
        confirmed_after=2,
    ),
)
# Children of the registered reports: after the school cases' and the history's.
FIRST_INDEX = 200


def load(*, today: datetime.date) -> int:
    """Each demo municipality's usual delegation point and the intake's registered reports,
    where not there yet; the number of reports made."""
    made = 0
    now = timezone.now()
    for key in demo.PLACES:
        place = place_for(key, today, now)
        if place is None:
            continue  # the organisations' demo is not loaded
        with transaction.atomic():
            _set_delegation_point(place)
            made += _load_registered(place)
    return made


def _set_delegation_point(place: DemoPlace) -> None:
    municipality = place.municipalities[place.key]
    own = getattr(municipality, "deadline_settings", None)
    admin = User.objects.filter(username=f"admin.{place.key}").first()
    if admin is None or (own is not None and own.delegation_point):
        return
    services_intake.deadline_settings_update(
        actor=admin,
        municipality=municipality,
        protection_late_hour=own.protection_late_hour if own else None,
        decision_days=own.decision_days if own else None,
        feedback_days=own.feedback_days if own else None,
        delegation_point=demo.DELEGATION_POINTS[place.key],
    )


def _load_registered(place: DemoPlace) -> int:
    intake = place.intakes[place.key]
    if ConcernReport.objects.filter(author=intake).exclude(source=ReportSource.SCHOOL).exists():
        return 0
    for number, registered in enumerate(CASES):
        _load(place, registered, FIRST_INDEX + number, intake)
    return len(CASES)


def _load(place: DemoPlace, registered: RegisteredCase, index: int, intake: User) -> None:
    case = registered.case
    day = place.today - datetime.timedelta(days=case.days_ago)
    arrival = min(
        datetime.datetime.combine(day, datetime.time(*case.at), tzinfo=STOCKHOLM),
        place.now - datetime.timedelta(hours=4),
    )
    child = child_values(place, case, index, {})
    first_name = child["child_name"].split()[0]
    report = report_register(
        actor=intake,
        municipality=place.municipalities[place.key],
        reporter=_reporter(place, registered),
        concern=ReportedConcern(
            what_happened=case_text(case.what_happened, place, case, first_name, {}),
            acute_danger=case.acute,
            categories=case.categories,
            child_identity_number=child.get("child_identity_number", ""),
            child_name=child["child_name"],
            child_approximate_age=child.get("child_approximate_age"),
            guardians=child["guardians"],
            child_words=case_text(case.child_words, place, case, first_name, {}),
        ),
        received_via=registered.via,
        arrived_at=arrival,
        submission_key=uuid.uuid4(),
        now=arrival + datetime.timedelta(minutes=20),
    )
    # Registered twenty minutes after the call, not when the demo was loaded.
    registered_at = arrival + datetime.timedelta(minutes=20)
    ConcernReport.objects.filter(pk=report.pk).update(
        created_at=registered_at, updated_at=registered_at
    )
    report = work_case(place, case, index, report, intake, arrival)
    if registered.confirmed_after is not None:
        report_confirm_in_writing(
            report=report,
            actor=intake,
            confirmed_on=arrival.date() + datetime.timedelta(days=registered.confirmed_after),
            today=place.today,
        )


def _reporter(place: DemoPlace, registered: RegisteredCase) -> Reporter:
    if registered.anonymous:
        return Reporter(source=registered.source, anonymous=True)
    return Reporter(
        source=registered.source,
        name=registered.reporter_name,
        organisation=registered.agency[place.key] if registered.agency else "",
        phone=registered.phone,
        email=registered.email,
        wants_feedback=registered.case.wants_feedback,
    )
