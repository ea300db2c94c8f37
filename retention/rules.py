"""The retention rules' defaults and the date arithmetic of "due".

Defaults (LAW.md "Logging, identity, retention"): the social services' files are kept five
years after the last entry, except those about children born on the 5th, 15th or 25th of a
month, which are kept for research; the medical student health's records at least ten years
(patientdatalagen 3 kap. 17 §). A municipality's records plan may say more: the admin edits
the rule, never below the legal minimum.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.personnummer import IdentityNumberError, parse_identity_number
from organisations.models import Municipality
from retention.models import ClockStart, RecordType, RetentionRule

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# The days of birth whose records are kept for research (a sample of every tenth child).
RESEARCH_DAYS = frozenset({5, 15, 25})


@dataclass(frozen=True)
class RuleDefault:
    years: int
    minimum_years: int
    clock_start: str
    research_exception: bool
    plan_reference: str


DEFAULTS: dict[str, RuleDefault] = {
    RecordType.REPORT: RuleDefault(
        years=5,
        minimum_years=1,
        clock_start=ClockStart.LAST_ENTRY,
        research_exception=True,
        plan_reference="Personakt inom socialtjänsten: gallras 5 år efter sista anteckning; "
        "ej personer födda den 5, 15 och 25 (SoF 7 kap. 1 §, SFS 2001:937 och SOSFS)",
    ),
    RecordType.PLAN: RuleDefault(
        years=5,
        minimum_years=1,
        clock_start=ClockStart.LAST_ENTRY,
        research_exception=True,
        plan_reference="Samordnad individuell plan: gallras 5 år efter sista anteckning; "
        "ej personer födda den 5, 15 och 25",
    ),
    RecordType.MEDICAL_PLAN: RuleDefault(
        years=10,
        minimum_years=10,
        clock_start=ClockStart.LAST_ENTRY,
        research_exception=False,
        plan_reference="Patientjournal inom medicinska elevhälsan: bevaras minst 10 år efter "
        "sista anteckning (patientdatalagen 3 kap. 17 §)",
    ),
}


def rules_for(municipality: Municipality) -> dict[str, RetentionRule]:
    """The municipality's rule per record type, creating the missing ones with the defaults
    (two queries; a concurrent first use creates each rule once)."""
    RetentionRule.objects.bulk_create(
        [
            RetentionRule(
                municipality=municipality,
                record_type=record_type,
                years=default.years,
                clock_start=default.clock_start,
                research_exception=default.research_exception,
                plan_reference=default.plan_reference,
            )
            for record_type, default in DEFAULTS.items()
        ],
        ignore_conflicts=True,
    )
    rules = RetentionRule.objects.filter(municipality=municipality)
    return {rule.record_type: rule for rule in rules}


def validate_rule(*, record_type: str, years: int) -> None:
    """Refuse a time shorter than the law's minimum for the record type."""
    minimum = DEFAULTS[record_type].minimum_years
    if years < minimum:
        raise ValidationError(
            {
                "years": _("Records of this type must be kept at least %(years)d years.")
                % {"years": minimum}
            }
        )
    if years > 200:
        raise ValidationError({"years": _("Enter at most 200 years.")})


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` ``years`` later; 29 February becomes 1 March in a common year (the later day:
    a record is never erased before its full time)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(STOCKHOLM).date()


def due_on(clock_start: datetime.datetime, years: int) -> datetime.date:
    """The first day a record whose clock started at ``clock_start`` may be erased."""
    return add_years(local_date(clock_start), years)


def started_before(today: datetime.date, years: int) -> datetime.datetime:
    """The moment before which a clock must have started for the record to be due ``today``:
    the start of the day after the last due day of birth, so the database can filter on it."""
    last_start_day = _subtract_years(today, years)
    next_day = last_start_day + datetime.timedelta(days=1)
    return datetime.datetime.combine(next_day, datetime.time(), tzinfo=STOCKHOLM)


def _subtract_years(day: datetime.date, years: int) -> datetime.date:
    """The latest start day whose due day (:func:`add_years`) is on or before ``day``."""
    try:
        candidate = day.replace(year=day.year - years)
    except ValueError:  # 29 February, and that year is a common one
        candidate = datetime.date(day.year - years, 2, 28)
    while add_years(candidate, years) > day:
        candidate -= datetime.timedelta(days=1)
    return candidate


def born_on_research_day(identity_number: str, birth_date: datetime.date | None = None) -> bool:
    """Whether the child was born on the 5th, 15th or 25th: from the identity number (a
    coordination number's day is day + 60), else from a recorded date of birth. A child whose
    birth date is not known is not in the research sample."""
    if identity_number:
        try:
            return parse_identity_number(identity_number).birth_date.day in RESEARCH_DAYS
        except IdentityNumberError:
            pass
    return birth_date is not None and birth_date.day in RESEARCH_DAYS
