"""Reports of concern with their categories and case assignments, as the services leave them.

Each report is built the way ``reports.services_school``/``services_registration`` and
``services_intake`` would have left it after its steps: the statutory deadlines come from
``reports.deadlines`` (the app's own functions), ``next_due_at`` from
``deadlines.pending_steps``, the child reference from ``reports.identity``, the feedback from
``FEEDBACK_FOR_DECISION``; a report whose reporter asked for feedback is never closed before
the feedback is given (``allowed_steps``). References are unique per municipality by
construction (an affine permutation of the 17**6 codes), not by retrying.

Delays are right-skewed (lognormal): most reports are decided within the 14 days, about one in
ten later; a few reports of the last months are stuck at a step and overdue.
"""

import bisect
import datetime
import heapq
import random
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from datagen import report_texts as texts
from datagen.children import child_of, plan_arrivals, pool_index
from datagen.loader import Loader, Table
from datagen.organisations import Place
from datagen.timeline import STOCKHOLM, DaySampler, draw_minute, local_moment, lognormal_hours
from reports import deadlines
from reports.models import (
    NEVER_TELL_GUARDIANS,
    CaseAssignment,
    ConcernReport,
    ConcernReportCategory,
    Decision,
    GuardiansInformed,
    ReceivedVia,
    ReportSource,
    ReportStatus,
)
from reports.models import (
    ConcernCategory as C,
)
from reports.references import ALPHABET, LENGTH
from reports.services_common import FEEDBACK_FOR_DECISION

# Generated columns (the inbox's sort keys) are the database's to compute.
COLUMNS: list[str] = [
    str(field.column) for field in ConcernReport._meta.concrete_fields if not field.generated
]
# What a column holds until a step sets it: NULL where it may be, else the empty string (the
# few other columns are always set below).
_DEFAULTS: dict[str, Any] = {
    str(model_field.column): None if model_field.null else ""
    for model_field in ConcernReport._meta.concrete_fields
}
_CODES = len(ALPHABET) ** LENGTH
_OTHER_SOURCES = (
    (ReportSource.POLICE, 40),
    (ReportSource.HEALTH_CARE, 25),
    (ReportSource.OTHER_AGENCY, 15),
    (ReportSource.PUBLIC, 12),
    (ReportSource.CHILD_OR_GUARDIAN, 8),
)
_DECISIONS = (
    (Decision.NOT_OPENED, 55),
    (Decision.OPENED, 33),
    (Decision.ADDED_TO_ONGOING, 10),
    (Decision.FORWARDED, 2),
)
# School authors: the role key in ``Place.staff`` and the weight.
_AUTHORS = (("teacher", 62), ("student_health", 13), ("nurse", 10), ("principal", 15))
_AUTHOR_KEYS = [key for key, _weight in _AUTHORS]
_AUTHOR_CUMULATIVE = list(accumulate(weight for _key, weight in _AUTHORS))
_OTHER_SOURCE_VALUES = [str(source) for source, _weight in _OTHER_SOURCES]
_OTHER_SOURCE_CUMULATIVE = list(accumulate(weight for _source, weight in _OTHER_SOURCES))
_DECISION_VALUES = [str(decision) for decision, _weight in _DECISIONS]
_DECISION_CUMULATIVE = list(accumulate(weight for _decision, weight in _DECISIONS))
# By "from school": the categories and their cumulative weights.
_CATEGORY_TABLES = {
    from_school: (
        [str(category) for category in weights],
        list(accumulate(weights.values())),
    )
    for from_school, weights in (
        (True, texts.CATEGORY_WEIGHTS["school"]),
        (False, texts.CATEGORY_WEIGHTS["other"]),
    )
}
# Reports stuck at a step, overdue: only among those that arrived 30 to 90 days ago. A real
# intake works its overdue steps off within weeks; years-old open reports made the inbox's
# "today" panel list overdue steps from 2017 (and as heavy as it can be).
STUCK_SHARE = 0.02
STUCK_AGE_DAYS = (30, 90)
_MINUTE = datetime.timedelta(minutes=1)


def _pick(rng: random.Random, cumulative: list[int]) -> int:
    """An index drawn with the weights whose running sums are ``cumulative``."""
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


def _code(number: int, factor: int, offset: int) -> str:
    value = (number * factor + offset) % _CODES
    symbols = []
    for _position in range(LENGTH):
        value, digit = divmod(value, len(ALPHABET))
        symbols.append(ALPHABET[digit])
    return "".join(symbols)


@dataclass
class SeenReports:
    """Reports of one municipality kept for the manifest's samples and the access log: the
    public ids of the open ones and of the latest closed ones and the heavy teacher's, and
    (id, child_ref, author, school unit, owner) of the recent or open ones."""

    open: list[uuid.UUID] = field(default_factory=list)
    closed: deque[uuid.UUID] = field(default_factory=lambda: deque(maxlen=500))
    by_teacher: deque[uuid.UUID] = field(default_factory=lambda: deque(maxlen=500))
    recent: list[tuple[int, str, int, int | None, int | None]] = field(default_factory=list)
    recent_arrivals: list[datetime.datetime] = field(default_factory=list)


class _Municipality:
    """Per-municipality state while its reports are written."""

    def __init__(self, place: Place, rng: random.Random, school_share: float) -> None:
        self.place = place
        self.rng = rng
        self.school_share = school_share
        self.count = 0
        self.code_factor = rng.randrange(1, _CODES // 17) * 17 + 1  # prime to 17**6
        self.code_offset = rng.randrange(_CODES)
        teachers = place.teachers_by_school[0]
        self.heavy_teacher = teachers[0]
        school_reports = max(1.0, place.reports * school_share)
        self.heavy_share = max(0.005, min(0.5, 40 / school_reports))
        self.school_cumulative = list(accumulate(place.school_pupils))
        self.children: dict[int, Any] = {}


class ReportWriter:
    """Writes the reports of every municipality in one global order of arrival."""

    def __init__(
        self,
        loader: Loader,
        *,
        as_of: datetime.date,
        years: int,
        recent_days: int,
        org_tables: list[Table],
    ) -> None:
        self.loader = loader
        self.as_of = as_of
        self.now = local_moment(as_of, 0)  # the generated world ends at midnight of ``as_of``
        self.sampler = DaySampler(
            datetime.date(as_of.year - years, as_of.month, 1), as_of - datetime.timedelta(days=1)
        )
        self.reports = loader.table(ConcernReport, COLUMNS, parents=org_tables)
        self.categories = loader.table(
            ConcernReportCategory, ["id", "report_id", "category"], [self.reports]
        )
        self.assignments = loader.table(
            CaseAssignment,
            [
                "id",
                "report_id",
                "assigned_to_id",
                "previous_owner_id",
                "assigned_by_id",
                "assigned_at",
            ],
            [self.reports],
        )
        self._protection_cache: dict[tuple[datetime.date, bool], datetime.datetime] = {}
        self._decision_cache: dict[datetime.date, datetime.datetime] = {}
        self._feedback_cache: dict[tuple[datetime.date, bool], datetime.datetime] = {}
        # What the manifest and the access log need, per municipality id.
        self.seen: dict[int, SeenReports] = {}
        self.recent_since = self.now - datetime.timedelta(days=recent_days)

    def write(
        self, places: list[Place], seed: int, log: Callable[[str], None] = lambda _line: None
    ) -> None:
        """Plan every municipality's arrivals, then write them merged in time order, so ids
        grow with arrival across the whole installation as they would in production."""
        states: list[_Municipality] = []
        streams = []
        for place in places:
            rng = random.Random(f"{seed}:reports:{place.index}")
            state = _Municipality(place, rng, 0.2 + 0.25 * rng.random())
            states.append(state)
            keys = plan_arrivals(
                rng, municipality_index=place.index, reports=place.reports, sampler=self.sampler
            )
            streams.append(_tagged(keys, len(states) - 1))
        log(f"reports planned: {sum(place.reports for place in places)}")
        for number, (key, which) in enumerate(heapq.merge(*streams), start=1):
            self._report(states[which], key)
            if number % 500_000 == 0:
                log(f"reports written: {number}")
        self.loader.flush()

    def _report(self, state: _Municipality, key: int) -> None:
        rng = state.rng
        place = state.place
        day = self.sampler.days[key >> 22]
        child_number = key & ((1 << 22) - 1)
        from_school = rng.random() < state.school_share
        arrival = local_moment(day, draw_minute(rng, school=from_school))
        if arrival >= self.now:
            arrival = self.now - datetime.timedelta(minutes=1 + rng.randrange(600))
        report_id = self.loader.next_id(ConcernReport)
        row = self._base(state, report_id, arrival, from_school)
        self._child(state, row, child_number, day)
        categories = self._categories(rng, row, from_school)
        self._intake(state, row, arrival)
        self.reports.add([row[column] for column in COLUMNS])
        for category in categories:
            self.categories.add((self.loader.next_id(ConcernReportCategory), report_id, category))
        if row["owner_id"] is not None:
            assigned_at = min(row["received_at"] + 10 * _MINUTE, row["updated_at"])
            self.assignments.add(
                (
                    self.loader.next_id(CaseAssignment),
                    report_id,
                    row["owner_id"],
                    None,
                    place.staff["intake"][0],
                    assigned_at,
                )
            )
        state.count += 1
        self._remember(state, row)

    def _remember(self, state: _Municipality, row: dict[str, Any]) -> None:
        seen = self.seen.setdefault(state.place.id, SeenReports())
        if row["status"] == ReportStatus.CLOSED:
            seen.closed.append(row["public_id"])
        else:
            seen.open.append(row["public_id"])
        if row["author_id"] == state.heavy_teacher:
            seen.by_teacher.append(row["public_id"])
        if row["submitted_at"] >= self.recent_since or row["status"] != ReportStatus.CLOSED:
            seen.recent.append(
                (
                    row["id"],
                    row["child_ref"],
                    row["author_id"],
                    row["school_unit_id"],
                    row["owner_id"],
                )
            )
            seen.recent_arrivals.append(row["submitted_at"])

    def _base(
        self, state: _Municipality, report_id: int, arrival: datetime.datetime, from_school: bool
    ) -> dict[str, Any]:
        rng = state.rng
        place = state.place
        row = dict(_DEFAULTS)
        row.update(
            id=report_id,
            public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            reference_code=_code(state.count, state.code_factor, state.code_offset),
            reporter_anonymous=False,
            municipality_id=place.id,
            home_municipality_id=place.id,
            submitted_at=arrival,
            acute_danger=rng.random() < 0.06,
        )
        if from_school:
            self._school_reporter(state, row, arrival)
        else:
            self._other_reporter(state, row, arrival)
        return row

    def _school_reporter(self, state: _Municipality, row: dict[str, Any], arrival: Any) -> None:
        rng = state.rng
        place = state.place
        if rng.random() < state.heavy_share:
            author, role_key, school = state.heavy_teacher, "teacher", 0
        else:
            school = _pick(rng, state.school_cumulative)
            role_key = _AUTHOR_KEYS[_pick(rng, _AUTHOR_CUMULATIVE)]
            if role_key == "teacher":
                author = rng.choice(place.teachers_by_school[school])
            elif role_key == "principal":
                author = place.principal_by_school[school]
            else:
                author = rng.choice(place.staff[role_key])
        role, _unit_id = place.membership_of[author]
        sector = "medical_student_health" if role_key == "nurse" else "school"
        row.update(
            source=ReportSource.SCHOOL,
            received_via=ReceivedVia.FORM,
            author_id=author,
            author_role=role,
            author_sector=sector,
            school_unit_id=place.schools[school],
            wants_feedback=rng.random() < 0.92,
            version=2,  # drafted, then submitted
            created_at=arrival - lognormal_hours(rng, 0.4, 0.8),
            reporter_phone=f"070-174 06 {10 + author % 90:02d}",
        )

    def _other_reporter(self, state: _Municipality, row: dict[str, Any], arrival: Any) -> None:
        rng = state.rng
        source = _OTHER_SOURCE_VALUES[_pick(rng, _OTHER_SOURCE_CUMULATIVE)]
        intake = state.place.staff["intake"]
        anonymous = source == ReportSource.PUBLIC and rng.random() < 0.6
        via = (
            ReceivedVia.PHONE
            if source in (ReportSource.POLICE, ReportSource.PUBLIC)
            else (rng.choice((ReceivedVia.LETTER, ReceivedVia.EMAIL, ReceivedVia.PHONE)))
        )
        author = rng.choice(intake)
        row.update(
            source=source,
            received_via=via,
            author_id=author,
            author_role="intake",
            author_sector="social_services",
            school_unit_id=None,
            reporter_anonymous=anonymous,
            wants_feedback=source in (ReportSource.POLICE, ReportSource.HEALTH_CARE)
            or (source == ReportSource.OTHER_AGENCY and rng.random() < 0.7),
            version=1,
            created_at=arrival + 20 * _MINUTE,
        )
        if not anonymous:
            organisation, phone = texts.REPORTERS.get(ReportSource(source), ("", "070-174 06 43"))
            row.update(
                reporter_name="Anna Anmälare",
                reporter_organisation=organisation,
                reporter_phone=phone,
            )
        # Registered by the intake: received at once (services_registration.report_register).
        row.update(received_at=arrival + 20 * _MINUTE, received_by_id=author, status="received")
        if via == ReceivedVia.PHONE and rng.random() < 0.85:
            confirmed = arrival.date() + datetime.timedelta(days=1 + rng.randrange(5))
            if confirmed < self.as_of:
                row.update(confirmed_in_writing_on=confirmed, confirmation_recorded_by_id=author)

    def _child(self, state: _Municipality, row: dict[str, Any], number: int, day: Any) -> None:
        rng = state.rng
        index = pool_index(state.place.index, number)
        child = state.children.get(number)
        if child is None:
            child = child_of(index, self.as_of)
            if len(state.children) > 50_000:
                state.children.clear()  # a cache, not a registry: memory stays flat
            state.children[number] = child
        age = max(0, (day - child.birth_date).days // 365)
        if rng.random() < 0.04:
            # A newly arrived child whose number is not known: name and age only, and a
            # reference of its own (reports.identity does the same for "").
            row.update(child_ref="u-" + f"{rng.getrandbits(80):020x}", child_approximate_age=age)
        else:
            row.update(child_identity_number=child.identity_number, child_ref=child.child_ref)
        row.update(
            child_name=f"{child.first_name} {child.last_name}",
            child_class=f"{min(max(age - 6, 0), 9)}{'ABC'[number % 3]}"
            if row["source"] == ReportSource.SCHOOL
            else "",
            guardians=f"{child.first_name}s vårdnadshavare, 070-174 06 {10 + number % 90:02d}",
        )

    def _categories(self, rng: random.Random, row: dict[str, Any], from_school: bool) -> list[str]:
        categories, cumulative = _CATEGORY_TABLES[from_school]
        count = 1 + (rng.random() < 0.35) + (rng.random() < 0.08)
        chosen: list[str] = []
        while len(chosen) < count:
            category = categories[_pick(rng, cumulative)]
            if category not in chosen:
                chosen.append(category)
        first_name = row["child_name"].split()[0]
        row["what_happened"] = texts.WHAT_HAPPENED[C(chosen[0])].format(name=first_name)
        row["child_words"] = rng.choice(texts.CHILD_WORDS)
        if from_school:
            if set(chosen) & NEVER_TELL_GUARDIANS:
                row["guardians_informed"] = GuardiansInformed.NOT_ASKED
            elif rng.random() < 0.75:
                row["guardians_informed"] = GuardiansInformed.YES
            else:
                row["guardians_informed"] = GuardiansInformed.NO
                row["guardians_not_informed_reason"] = "Vårdnadshavarna har inte gått att nå."
        return chosen

    def _intake(
        self, state: _Municipality, row: dict[str, Any], arrival: datetime.datetime
    ) -> None:
        """The intake's steps, each at a plausible time after the one before, up to the last
        one done before ``now``; a few reports stop early and stay overdue."""
        rng = state.rng
        place = state.place
        row["protection_due_at"] = self._protection_due(arrival)
        row["decision_due_at"] = self._decision_due(arrival)
        row["decision_due_original_at"] = row["decision_due_at"]
        owner = rng.choice(place.staff["intake"])
        decision = _DECISION_VALUES[_pick(rng, _DECISION_CUMULATIVE)]
        acute = row["acute_danger"]
        steps: list[tuple[str, datetime.datetime]] = []
        moment = row["received_at"] or arrival + lognormal_hours(rng, 0.8, 1.0)
        steps.append(("received", moment))
        moment += datetime.timedelta(minutes=15) if acute else lognormal_hours(rng, 1.5, 1.0)
        steps.append(("protection_assessed", moment))
        moment += lognormal_hours(rng, 20, 0.8)
        steps.append(("preliminary_assessment", moment))
        decided = arrival + lognormal_hours(rng, 8 * 24, 0.45)
        moment = max(decided, moment + 60 * _MINUTE)
        steps.append(("decided", moment))
        gives_feedback = (
            row["wants_feedback"]
            and decision in FEEDBACK_FOR_DECISION
            and row["source"] not in (ReportSource.PUBLIC, ReportSource.CHILD_OR_GUARDIAN)
        )
        if gives_feedback:
            moment += lognormal_hours(rng, 2 * 24, 0.8)
            steps.append(("feedback_given", moment))
        moment += lognormal_hours(rng, 2 * 24, 1.0)
        steps.append(("closed", moment))
        age = (self.now - arrival).days
        stop = len(steps)
        if STUCK_AGE_DAYS[0] < age <= STUCK_AGE_DAYS[1] and rng.random() < STUCK_SHARE:
            stop = rng.randrange(0, 4)  # stuck before or at the decision, overdue
        done = [(name, when) for name, when in steps[:stop] if when < self.now]
        if not row["received_at"]:
            row["status"] = ReportStatus.SUBMITTED
        last = row["created_at"] if row["source"] != ReportSource.SCHOOL else arrival
        for name, when in done:
            self._apply(row, name, when, owner, decision, rng)
            last = when
        row["updated_at"] = max(last, row["created_at"], arrival)
        if row["status"] != ReportStatus.SUBMITTED:
            row["owner_id"] = owner
        if row["status"] == ReportStatus.CLOSED:
            row["next_due_at"] = None
        else:
            pending = deadlines.pending_steps(_Steps(row))  # type: ignore[arg-type]
            row["next_due_at"] = pending[0][1] if pending else None

    # The deadlines depend only on the local day (and, for the protection assessment, on
    # whether the report came after the late hour): computed once per day with the app's
    # functions, then looked up, since millions of reports share a few thousand days.
    def _protection_due(self, arrival: datetime.datetime) -> datetime.datetime:
        local = arrival.astimezone(STOCKHOLM)
        key = (local.date(), local.hour >= deadlines.DEFAULT_RULES.protection_late_hour)
        if key not in self._protection_cache:
            self._protection_cache[key] = deadlines.protection_due(arrival)
        return self._protection_cache[key]

    def _decision_due(self, arrival: datetime.datetime) -> datetime.datetime:
        day = arrival.astimezone(STOCKHOLM).date()
        if day not in self._decision_cache:
            self._decision_cache[day] = deadlines.decision_due(arrival)
        return self._decision_cache[day]

    def _feedback_due(self, decided: datetime.datetime, ongoing: bool) -> datetime.datetime:
        key = (decided.astimezone(STOCKHOLM).date(), ongoing)
        if key not in self._feedback_cache:
            self._feedback_cache[key] = deadlines.feedback_due(decided, already_ongoing=ongoing)
        return self._feedback_cache[key]

    def _apply(
        self,
        row: dict[str, Any],
        name: str,
        when: datetime.datetime,
        owner: int,
        decision: str,
        rng: random.Random,
    ) -> None:
        row["status"] = name
        if name == "received":
            row.update(
                received_at=row["received_at"] or when,
                received_by_id=row["received_by_id"] or owner,
            )
            row["status"] = ReportStatus.RECEIVED
        elif name == "protection_assessed":
            needed = rng.random() < (0.4 if row["acute_danger"] else 0.02)
            row.update(
                protection_assessed_at=when,
                protection_assessed_by_id=owner,
                immediate_protection_needed=needed,
                protection_justification=texts.PROTECTION_NEEDED
                if needed
                else rng.choice(texts.JUSTIFICATIONS),
            )
        elif name == "preliminary_assessment":
            row.update(preliminary_started_at=when, preliminary_started_by_id=owner)
        elif name == "decided":
            row.update(
                decided_at=when,
                decided_by_id=owner,
                decision=decision,
                decision_reasons=texts.REASONS[decision],
                decision_maker_id=owner,
                delegation_point=texts.DELEGATION_POINT,
                case_number=f"IFO {when.year}-{row['id']}" if decision == Decision.OPENED else "",
                forwarded_to=rng.choice(texts.FORWARD_TO) if decision == Decision.FORWARDED else "",
            )
            if row["wants_feedback"] and decision in FEEDBACK_FOR_DECISION:
                row["feedback_due_at"] = self._feedback_due(
                    when, decision == Decision.ADDED_TO_ONGOING
                )
        elif name == "feedback_given":
            row.update(
                feedback_given_at=when,
                feedback_given_by_id=owner,
                feedback=FEEDBACK_FOR_DECISION[decision],
            )
        elif name == "closed":
            row.update(closed_at=when, closed_by_id=owner)


class _Steps:
    """The fields ``deadlines.pending_steps`` reads, from a row being built."""

    __slots__ = _STEP_FIELDS = deadlines.PENDING_STEP_FIELDS

    def __init__(self, row: dict[str, Any]) -> None:
        for name in self._STEP_FIELDS:
            setattr(self, name, row[name])


def _tagged(keys: list[int], which: int) -> Iterator[tuple[int, int]]:
    for key in keys:
        yield key, which
