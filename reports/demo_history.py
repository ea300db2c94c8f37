"""A finished year of reports for the demo's follow-up: last calendar year's reports from the
schools of each demo municipality, each taken through the intake's real steps at plausible
past times (``reports.demo.load_case``), so that the published board report for last year and
the dashboards have numbers to show. Everything is invented; identity numbers use the test
serials, as in ``reports.demo``.

The shape follows PERFORMANCE.md: more reports in term time than in July, most decisions well
within 14 days with a right-skewed tail past it, about 85 % asking for feedback, and schools
that report unevenly (the preschool rarely). The same seed always gives the same year.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from core.notifications import without_emails
from organisations.models import Municipality
from reports.deadlines import is_working_day
from reports.demo import CASES, PLACES, Case, load_case, place_for
from reports.demo_notices import date_reporter_notifications
from reports.models import ConcernCategory, ConcernReport, Decision

C = ConcernCategory

# Reports per demo municipality in the year: a small municipality's schools send a few a week.
YEAR_SIZE = {"leksand": 64, "eksjo": 48}
# Weights of the schools (the preschool rarely reports: it shows up as a quiet school).
SCHOOL_WEIGHTS = {"school_79": 40, "school_f6": 30, "upper": 27, "preschool": 3}
AUTHOR_WEIGHTS = {"teacher": 60, "counsellor": 28, "nurse": 12}
# Fewer reports in the summer holiday, more in the autumn and spring terms.
MONTH_WEIGHTS = {1: 8, 2: 10, 3: 11, 4: 9, 5: 10, 6: 5, 7: 1, 8: 6, 9: 11, 10: 11, 11: 10, 12: 7}
# Days from arrival to the decision: mostly within two weeks, a tail past it.
DECIDE_AFTER = {2: 6, 4: 10, 6: 14, 8: 16, 10: 16, 12: 14, 13: 10, 17: 7, 24: 4, 35: 3}
FEEDBACK_AFTER = {1: 30, 2: 30, 4: 20, 8: 10, 16: 6, 22: 4}
DECISIONS: dict[str, int] = {
    Decision.NOT_OPENED: 55,
    Decision.OPENED: 35,
    Decision.ADDED_TO_ONGOING: 10,
}

CONCERNS: tuple[tuple[tuple[str, ...], str], ...] = (
    ((C.SCHOOL_ABSENCE,), "{namn} har varit borta från skolan stora delar av terminen."),
    ((C.NEGLECT,), "{namn} kommer ofta utan frukost och saknar kläder efter väder."),
    ((C.SCHOOL_ABSENCE, C.NEGLECT), "{namn} är ofta frånvarande och verkar trött och hungrig."),
    ((C.PSYCHOLOGICAL_VIOLENCE,), "{namn} berättar att det är mycket skrik och hot hemma."),
    ((C.PHYSICAL_VIOLENCE,), "{namn} hade blåmärken på armen och ville inte säga varför."),
    ((C.SUBSTANCE_USE,), "{namn} har setts påverkad under skoldagen vid flera tillfällen."),
    ((C.SELF_HARM,), "{namn} har berättat för kuratorn om tankar på att skada sig."),
    ((C.CRIMINALITY,), "{namn} har enligt kamrater varit med om stölder efter skolan."),
    ((C.WITNESSING_VIOLENCE,), "{namn} berättar att pappa slår mamma när han är arg."),
    ((C.OTHER,), "{namn} verkar orolig för att gå hem och stannar kvar länge efter skolan."),
)


def _pick[T](rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _arrival_day(rng: random.Random, year: int) -> datetime.date:
    month = _pick(rng, MONTH_WEIGHTS)
    day = datetime.date(year, month, rng.randint(1, 28))
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def year_cases(key: str, year: int, today: datetime.date) -> list[Case]:
    """The demo cases of ``key`` arriving in ``year``, all closed (same seed, same year)."""
    rng = random.Random(f"samverkan-demo-{key}-{year}")
    cases = []
    for number in range(YEAR_SIZE[key]):
        categories, text = rng.choice(CONCERNS)
        cases.append(
            Case(
                key=f"history_{year}_{number}",
                author=_pick(rng, AUTHOR_WEIGHTS),
                school=_pick(rng, SCHOOL_WEIGHTS),
                days_ago=(today - _arrival_day(rng, year)).days,
                at=(rng.randint(8, 15), rng.choice((0, 15, 30, 45))),
                age=rng.randint(6, 17),
                categories=categories,
                what_happened=text,
                decision=_pick(rng, DECISIONS),
                decide_after=_pick(rng, DECIDE_AFTER),
                feedback_after=_pick(rng, FEEDBACK_AFTER),
                wants_feedback=rng.random() < 0.85,
            )
        )
    return cases


def load(*, today: datetime.date) -> int:
    """Last calendar year's reports for every demo municipality that has few reports of that
    year; the number made (0 on a second run)."""
    year = today.year - 1
    now = timezone.now()
    made = 0
    for key, (code, _other, _forward) in PLACES.items():
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            continue
        if (
            ConcernReport.objects.filter(
                school_unit__municipality=municipality, submitted_at__year=year
            ).count()
            >= YEAR_SIZE[key] // 2
        ):
            continue
        place = place_for(key, today, now)
        if place is None:
            continue
        # One transaction: the follow-up's summary tables are refreshed once, at the end.
        # The reporters' notifications of a past year: in the app only, dated and read.
        with without_emails(), transaction.atomic():
            reports = [
                load_case(place, case, len(CASES) + offset, {})
                for offset, case in enumerate(year_cases(key, year, today))
            ]
            date_reporter_notifications(reports)
            made += len(reports)
    return made
