"""Reading audits: the status of recommendations and measures, the pages' data and the
follow-up report.

Public selectors for other apps (the follow-up job's indicators and board report). They make
no access check: the caller has made sure the user may read the municipality's audits
(``audits.policies.audit_policy``, READ). Each costs a fixed number of queries, whatever the
number of audits.

- ``open_recommendations(municipality)`` — recommendations whose latest follow-up assessment
  is not "implemented", or that have never been assessed (one query).
- ``overdue_responses(municipality, today)`` — recommendations whose answer date has passed
  (before ``today``) without any response (one query).
- ``overdue_measures(municipality, today)`` — measures whose due date has passed (before
  ``today``) that are neither done nor cancelled (one query).
- ``audit_status_summary(municipality, today)`` — an :class:`AuditStatusSummary` of counts
  (three queries).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from audits.models import (
    CLOSED_MEASURE_STATUSES,
    Audit,
    AuditMeasure,
    Evidence,
    FollowUpRound,
    Implementation,
    QuestionFollowUp,
    Recommendation,
    RecommendationAssessment,
    Response,
)
from organisations.models import Municipality

MunicipalityRef = Municipality | int


def _municipality_id(municipality: MunicipalityRef) -> int:
    return municipality if isinstance(municipality, int) else municipality.pk


# --- the public selectors ---------------------------------------------------------------------


def _latest_implementation() -> Subquery:
    """A recommendation's assessment at its most recent follow-up round."""
    return Subquery(
        RecommendationAssessment.objects.filter(recommendation=OuterRef("pk"))
        .order_by("-round__held_on", "-round_id")
        .values("implementation")[:1]
    )


def _open_q() -> Q:
    return Q(latest_implementation__isnull=True) | ~Q(
        latest_implementation=Implementation.IMPLEMENTED
    )


def _overdue_response_q(today: datetime.date) -> Q:
    return Q(response_due__lt=today) & ~Q(has_response=True)


def _with_status(rows: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    return rows.annotate(
        latest_implementation=_latest_implementation(),
        has_response=Exists(Response.objects.filter(recommendation=OuterRef("pk"))),
    )


def _recommendations(municipality: MunicipalityRef) -> QuerySet[Recommendation]:
    return _with_status(
        Recommendation.objects.filter(audit__municipality_id=_municipality_id(municipality))
    ).select_related("audit")


def open_recommendations(municipality: MunicipalityRef) -> QuerySet[Recommendation]:
    """Recommendations of ``municipality`` not (yet) assessed as implemented, in audit and
    number order; each row carries ``latest_implementation`` (None: never assessed)."""
    return _recommendations(municipality).filter(_open_q()).order_by("-audit__year", "number")


def overdue_responses(
    municipality: MunicipalityRef, today: datetime.date
) -> QuerySet[Recommendation]:
    """Recommendations of ``municipality`` whose answer date is before ``today`` and that have
    no response, the longest overdue first."""
    return (
        _recommendations(municipality)
        .filter(_overdue_response_q(today))
        .order_by("response_due", "number")
    )


def _overdue_measure_q(today: datetime.date) -> Q:
    return Q(due_on__lt=today) & ~Q(status__in=CLOSED_MEASURE_STATUSES)


def overdue_measures(municipality: MunicipalityRef, today: datetime.date) -> QuerySet[AuditMeasure]:
    """Measures of ``municipality`` due before ``today`` and neither done nor cancelled, the
    longest overdue first."""
    return (
        AuditMeasure.objects.filter(
            _overdue_measure_q(today),
            recommendation__audit__municipality_id=_municipality_id(municipality),
        )
        .select_related("recommendation__audit", "owner_unit")
        .order_by("due_on", "pk")
    )


@dataclass(frozen=True)
class AuditStatusSummary:
    """Counts over every audit of one municipality on one day."""

    audits: int
    recommendations: int
    open_recommendations: int
    responded_recommendations: int
    overdue_responses: int
    measures: int
    overdue_measures: int


def audit_status_summary(municipality: MunicipalityRef, today: datetime.date) -> AuditStatusSummary:
    """The counts of :class:`AuditStatusSummary` in three queries."""
    mid = _municipality_id(municipality)
    audits = Audit.objects.filter(municipality_id=mid).count()
    recommendations = _recommendations(mid).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=_open_q()),
        responded=Count("pk", filter=Q(has_response=True)),
        overdue=Count("pk", filter=_overdue_response_q(today)),
    )
    measures = AuditMeasure.objects.filter(recommendation__audit__municipality_id=mid).aggregate(
        total=Count("pk"), overdue=Count("pk", filter=_overdue_measure_q(today))
    )
    return AuditStatusSummary(
        audits=audits,
        recommendations=recommendations["total"],
        open_recommendations=recommendations["open"],
        responded_recommendations=recommendations["responded"],
        overdue_responses=recommendations["overdue"],
        measures=measures["total"],
        overdue_measures=measures["overdue"],
    )


@dataclass(frozen=True)
class FollowUpCounts:
    """What the follow-up's indicators need of the audits, in one query."""

    recommendations: int
    open_recommendations: int
    overdue_responses: int
    overdue_measures: int


def follow_up_counts(municipality: MunicipalityRef, today: datetime.date) -> FollowUpCounts:
    """The recommendations of ``municipality``, those still open, the answers overdue and the
    measures overdue on ``today`` (the same rules as :func:`audit_status_summary`), in one
    query of four counts."""
    mid = _municipality_id(municipality)
    recommendations = _recommendations(mid)
    counts = (
        Municipality.objects.filter(pk=mid)
        .annotate(
            total=_scalar_count(recommendations),
            open=_scalar_count(recommendations.filter(_open_q())),
            overdue_responses=_scalar_count(recommendations.filter(_overdue_response_q(today))),
            overdue_measures=_scalar_count(
                AuditMeasure.objects.filter(
                    _overdue_measure_q(today), recommendation__audit__municipality_id=mid
                )
            ),
        )
        .values("total", "open", "overdue_responses", "overdue_measures")
        .first()
    ) or {"total": 0, "open": 0, "overdue_responses": 0, "overdue_measures": 0}
    return FollowUpCounts(
        recommendations=counts["total"],
        open_recommendations=counts["open"],
        overdue_responses=counts["overdue_responses"],
        overdue_measures=counts["overdue_measures"],
    )


def _scalar_count(rows: QuerySet[Any]) -> Coalesce:
    """``rows`` counted as a subquery that gives one number."""
    counted = rows.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1]), Value(0))


# --- the pages --------------------------------------------------------------------------------


def _count(rows: QuerySet[Any]) -> Coalesce:
    return Coalesce(
        Subquery(rows.order_by().values("audit_id").annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def audits_with_counts(audits: QuerySet[Audit], today: datetime.date) -> QuerySet[Audit]:
    """The audits, each with ``open_count`` (open recommendations) and ``overdue_count``
    (answers overdue): one query for the list."""
    per_audit = _with_status(Recommendation.objects.filter(audit=OuterRef("pk")))
    return audits.annotate(
        recommendation_count=_count(per_audit),
        open_count=_count(per_audit.filter(_open_q())),
        overdue_count=_count(per_audit.filter(_overdue_response_q(today))),
    )


@dataclass
class RecommendationRow:
    """A recommendation with what the page shows about it."""

    recommendation: Recommendation
    responses: list[Response]
    latest: RecommendationAssessment | None
    overdue: bool
    measures: list["MeasureRow"] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return bool(self.responses)


@dataclass
class MeasureRow:
    measure: AuditMeasure
    overdue: bool


def _measure_overdue(measure: AuditMeasure, today: datetime.date) -> bool:
    return (
        measure.due_on is not None
        and measure.due_on < today
        and measure.status not in CLOSED_MEASURE_STATUSES
    )


def recommendation_rows(audit: Audit, today: datetime.date) -> list[RecommendationRow]:
    """Every recommendation of ``audit`` with its responses, latest assessment, measures and
    evidence, in a fixed number of queries."""
    evidence = Evidence.objects.select_related(
        "document_version__document", "occurrence__series", "board_report"
    )
    recommendations = (
        audit.recommendations.select_related("question")
        .prefetch_related(
            Prefetch("responses", queryset=Response.objects.order_by("decided_on", "pk")),
            Prefetch(
                "assessments",
                queryset=RecommendationAssessment.objects.select_related("round").order_by(
                    "-round__held_on", "-round_id"
                ),
            ),
            Prefetch(
                "measures",
                queryset=AuditMeasure.objects.select_related("owner_unit").prefetch_related(
                    Prefetch("evidence", queryset=evidence)
                ),
            ),
            Prefetch("evidence", queryset=evidence.filter(measure__isnull=True)),
        )
        .order_by("number", "pk")
    )
    rows = []
    for recommendation in recommendations:
        responses = list(recommendation.responses.all())
        assessments = list(recommendation.assessments.all())
        due = recommendation.response_due
        rows.append(
            RecommendationRow(
                recommendation=recommendation,
                responses=responses,
                latest=assessments[0] if assessments else None,
                overdue=bool(due and due < today and not responses),
                measures=[
                    MeasureRow(measure, _measure_overdue(measure, today))
                    for measure in recommendation.measures.all()
                ],
            )
        )
    return rows


# --- the follow-up report ---------------------------------------------------------------------


@dataclass
class ReportQuestion:
    """One audit question in the follow-up report: what was assessed then, what was proposed,
    what was answered, and how it stands now."""

    question: Any
    recommendations: list[RecommendationRow]
    follow_up: QuestionFollowUp | None
    assessments: list[RecommendationAssessment]


@dataclass
class FollowUpReport:
    round: FollowUpRound
    audit: Audit
    questions: list[ReportQuestion]
    # Recommendations tied to no question, and responses to the audit as a whole.
    other_recommendations: list[RecommendationRow]
    general_responses: list[Response]
    assessments: dict[int, RecommendationAssessment]


def followup_report(round_: FollowUpRound, today: datetime.date) -> FollowUpReport:
    """The content of the follow-up report for ``round_``, in the structure of the auditors'
    follow-up reports: per audit question the earlier assessment, the proposed measures, the
    response, the current state and the assessment now; a fixed number of queries."""
    audit = round_.audit
    rows = recommendation_rows(audit, today)
    assessments = {
        row.recommendation_id: row
        for row in RecommendationAssessment.objects.filter(round=round_).select_related(
            "recommendation"
        )
    }
    follow_ups = {row.question_id: row for row in QuestionFollowUp.objects.filter(round=round_)}
    questions = []
    for question in audit.questions.order_by("number", "pk"):
        own = [row for row in rows if row.recommendation.question_id == question.pk]
        questions.append(
            ReportQuestion(
                question=question,
                recommendations=own,
                follow_up=follow_ups.get(question.pk),
                assessments=[
                    assessments[row.recommendation.pk]
                    for row in own
                    if row.recommendation.pk in assessments
                ],
            )
        )
    return FollowUpReport(
        round=round_,
        audit=audit,
        questions=questions,
        other_recommendations=[row for row in rows if row.recommendation.question_id is None],
        general_responses=list(audit.responses.filter(recommendation__isnull=True)),
        assessments=assessments,
    )
