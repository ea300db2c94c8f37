"""The results of a survey round, counted in the database (selectors; nothing here writes).

Every figure comes from a fixed handful of GROUP BY queries per round, whatever its number
of questions or answers: the questions, the invitations, the responses per sector, the
chosen options per question and sector, the respondents per question and sector, and the
numbers given. The trend adds four more for the earlier rounds of the same template (any
version), joined on the questions' stable ``key``.

Anonymity: a round with fewer than five responses shows no figures per question at all, a
question answered by fewer than five shows none for that question, and a breakdown by
sector is shown only when every group shown has at least five answers (smaller sectors are
merged into "Other sectors", see ``followup.suppression.group_for_breakdown``).
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from followup.suppression import MIN_GROUP, Grouping, group_for_breakdown
from organisations.models import Sector
from surveys.models import Answer, Invitation, Question, QuestionKind, Response, Round, Section

CHOICE_KINDS = (QuestionKind.LIKERT, QuestionKind.SINGLE, QuestionKind.MULTIPLE)
# How many rounds the trend compares (this one and the earlier ones).
TREND_ROUNDS = 5
# Number questions are shown as a distribution over at most this many ranges.
NUMBER_BUCKETS = 5
OTHERS = "__others__"
UNKNOWN_SECTOR = gettext_lazy("Sector not known")


def percent_text(share: float | None) -> str:
    """A share as Swedish staff write it: "42 %" (whole percent, a non-breaking space)."""
    if share is None:
        return "–"
    whole = Decimal(share * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{whole}\xa0%"


def decimal_text(value: float | None) -> str:
    if value is None:
        return "–"
    return number_format(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1)


@dataclass(frozen=True)
class OptionResult:
    key: str
    label: str
    count: int
    share: float | None  # of the question's respondents

    @property
    def share_text(self) -> str:
        return percent_text(self.share)


@dataclass(frozen=True)
class NumberSummary:
    count: int
    median: float
    mean: float
    minimum: int
    maximum: int
    buckets: list[OptionResult]

    @property
    def median_text(self) -> str:
        return decimal_text(self.median)

    @property
    def mean_text(self) -> str:
        return decimal_text(self.mean)


@dataclass(frozen=True)
class GroupColumn:
    key: str
    label: str
    respondents: int


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    cells: list[OptionResult]


@dataclass(frozen=True)
class Breakdown:
    """A question's answers per sector group; ``hidden_reason`` says why it is not shown."""

    columns: list[GroupColumn]
    rows: list[BreakdownRow]
    hidden_reason: str = ""


@dataclass
class QuestionResult:
    question: Question
    respondents: int
    options: list[OptionResult] = field(default_factory=list)
    likert_mean: float | None = None
    numbers: NumberSummary | None = None
    texts: int = 0
    breakdown: Breakdown | None = None
    chart: str = ""  # the SVG, drawn by the page (surveys.views_results)

    @property
    def too_few(self) -> bool:
        return 0 < self.respondents < MIN_GROUP

    @property
    def is_text(self) -> bool:
        return self.question.kind == QuestionKind.TEXT

    @property
    def likert_mean_text(self) -> str:
        return decimal_text(self.likert_mean)

    @property
    def chart_rows(self) -> list[OptionResult]:
        if self.numbers is not None:
            return self.numbers.buckets
        return self.options


@dataclass
class SectionResult:
    section: Section
    questions: list[QuestionResult]


@dataclass
class RoundResults:
    round: Round
    responses: int
    invitations: int
    answered: int
    sections: list[SectionResult]
    grouping: Grouping | None
    group_labels: dict[str, str]

    @property
    def suppressed(self) -> bool:
        """Fewer than five responses: no figures per question, to protect anonymity."""
        return self.responses < MIN_GROUP

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.invitations if self.invitations else None

    @property
    def response_rate_text(self) -> str:
        return percent_text(self.response_rate)

    @property
    def merged_labels(self) -> list[str]:
        if self.grouping is None:
            return []
        return [_sector_label(key) for key in self.grouping.merged]

    @property
    def breakdown_hidden_reason(self) -> str:
        if self.grouping is None or self.suppressed:
            return ""
        if self.grouping.hidden:
            return _(
                "The answers are not broken down by sector: fewer than two groups of at least "
                "five answers could be shown, and a smaller group could be recognised."
            )
        return ""

    @property
    def questions(self) -> list[QuestionResult]:
        return [result for section in self.sections for result in section.questions]


def _questions(round_: Round) -> list[Question]:
    return list(
        Question.objects.filter(section__version_id=round_.template_version_id)
        .select_related("section")
        .order_by("section__position", "section_id", "position", "id")
    )


def _answers(round_: Round) -> QuerySet[Answer]:
    return Answer.objects.filter(response__round_id=round_.pk)


def _sector_label(key: str) -> str:
    if key == OTHERS:
        return _("Other sectors")
    if not key:
        return str(UNKNOWN_SECTOR)
    try:
        return str(Sector(key).label)
    except ValueError:
        return key


def _options(question: Question, counts: dict[str, int], respondents: int) -> list[OptionResult]:
    return [
        OptionResult(
            key=str(option.get("key", "")),
            label=str(option.get("label", "")),
            count=counts.get(str(option.get("key", "")), 0),
            share=counts.get(str(option.get("key", "")), 0) / respondents if respondents else None,
        )
        for option in question.options or []
    ]


def _buckets(question: Question, values: list[int]) -> list[OptionResult]:
    low = question.min_value if question.min_value is not None else min(values)
    high = question.max_value if question.max_value is not None else max(values)
    low, high = min(low, min(values)), max(high, max(values))
    width = max(1, math.ceil((high - low + 1) / NUMBER_BUCKETS))
    buckets = []
    start = low
    while start <= high:
        end = min(start + width - 1, high)
        count = sum(1 for value in values if start <= value <= end)
        label = str(start) if start == end else f"{start}–{end}"
        buckets.append(OptionResult(key=label, label=label, count=count, share=count / len(values)))
        start = end + 1
    return buckets


def _numbers(question: Question, values: list[int]) -> NumberSummary | None:
    if not values:
        return None
    return NumberSummary(
        count=len(values),
        median=float(statistics.median(values)),
        mean=statistics.fmean(values),
        minimum=min(values),
        maximum=max(values),
        buckets=_buckets(question, values),
    )


def _likert_mean(options: list[OptionResult]) -> float | None:
    total = sum(option.count for option in options)
    if not total:
        return None
    weighted = sum(int(option.key) * option.count for option in options if option.key.isdigit())
    return weighted / total


def _breakdown(
    question: Question,
    grouping: Grouping,
    labels: dict[str, str],
    by_sector: dict[str, dict[str, int]],
    respondents_by_sector: dict[str, int],
) -> Breakdown:
    groups = [*grouping.shown, *([OTHERS] if grouping.merged else [])]
    members = {key: [key] for key in grouping.shown} | {OTHERS: list(grouping.merged)}
    columns = []
    counts: dict[str, dict[str, int]] = {}
    for group in groups:
        respondents = sum(respondents_by_sector.get(sector, 0) for sector in members[group])
        columns.append(GroupColumn(key=group, label=labels[group], respondents=respondents))
        merged_counts: dict[str, int] = defaultdict(int)
        for sector in members[group]:
            for option, count in by_sector.get(sector, {}).items():
                merged_counts[option] += count
        counts[group] = merged_counts
    if any(0 < column.respondents < MIN_GROUP for column in columns):
        return Breakdown(
            columns=[],
            rows=[],
            hidden_reason=_(
                "Not broken down by sector: fewer than five in some group answered this question."
            ),
        )
    rows = []
    for option in question.options or []:
        key = str(option.get("key", ""))
        rows.append(
            BreakdownRow(
                label=str(option.get("label", "")),
                cells=[
                    OptionResult(
                        key=column.key,
                        label=column.label,
                        count=counts[column.key].get(key, 0),
                        share=counts[column.key].get(key, 0) / column.respondents
                        if column.respondents
                        else None,
                    )
                    for column in columns
                ],
            )
        )
    return Breakdown(columns=columns, rows=rows)


@dataclass
class _Counts:
    """The counted answers of a round: chosen options and respondents per question and
    sector, free texts and the numbers given per question."""

    options: dict[int, dict[str, dict[str, int]]]
    respondents: dict[int, dict[str, int]]
    texts: dict[int, int]
    numbers: dict[int, list[int]]


def _count(round_: Round) -> _Counts:
    """Three GROUP BY queries, whatever the size of the round."""
    options: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for chosen in (
        _answers(round_)
        .exclude(option="")
        .values("question_id", "response__sector", "option")
        .annotate(n=Count("id"))
        .order_by()
    ):
        options[chosen["question_id"]][chosen["response__sector"]][chosen["option"]] = chosen["n"]
    respondents: dict[int, dict[str, int]] = defaultdict(dict)
    texts: dict[int, int] = defaultdict(int)
    for answered in (
        _answers(round_)
        .values("question_id", "response__sector")
        .annotate(
            n=Count("response_id", distinct=True),
            texts=Count("id", filter=~Q(text="") | Q(text_removed=True)),
        )
        .order_by()
    ):
        respondents[answered["question_id"]][answered["response__sector"]] = answered["n"]
        texts[answered["question_id"]] += answered["texts"]
    numbers: dict[int, list[int]] = defaultdict(list)
    for question_id, number in (
        _answers(round_)
        .filter(question__kind=QuestionKind.NUMBER, number__isnull=False)
        .values_list("question_id", "number")
        .order_by("question_id", "number")
    ):
        if number is not None:
            numbers[question_id].append(number)
    return _Counts(options=options, respondents=respondents, texts=texts, numbers=numbers)


def _question_result(
    question: Question, counts: _Counts, grouping: Grouping, labels: dict[str, str]
) -> QuestionResult:
    by_sector = counts.options.get(question.pk, {})
    answered = sum(counts.respondents.get(question.pk, {}).values())
    result = QuestionResult(
        question=question, respondents=answered, texts=counts.texts[question.pk]
    )
    if result.too_few:
        return result
    if question.kind == QuestionKind.NUMBER:
        result.numbers = _numbers(question, counts.numbers.get(question.pk, []))
    if question.kind not in CHOICE_KINDS:
        return result
    totals: dict[str, int] = defaultdict(int)
    for sector_counts in by_sector.values():
        for option, count in sector_counts.items():
            totals[option] += count
    result.options = _options(question, totals, answered)
    if question.kind == QuestionKind.LIKERT:
        result.likert_mean = _likert_mean(result.options)
    if not grouping.hidden and answered:
        result.breakdown = _breakdown(
            question, grouping, labels, by_sector, counts.respondents.get(question.pk, {})
        )
    return result


def round_results(round_: Round) -> RoundResults:
    """Everything the results page and the exports show of ``round_``: six queries at most,
    whatever its size (three when it has too few responses to show anything)."""
    questions = _questions(round_)
    invited = Invitation.objects.filter(round_id=round_.pk).aggregate(
        total=Count("id"), answered=Count("id", filter=Q(answered=True))
    )
    sector_counts = {
        row["sector"]: row["n"]
        for row in Response.objects.filter(round_id=round_.pk)
        .values("sector")
        .annotate(n=Count("id"))
        .order_by()
    }
    results = RoundResults(
        round=round_,
        responses=sum(sector_counts.values()),
        invitations=invited["total"],
        answered=invited["answered"],
        sections=[],
        grouping=None,
        group_labels={},
    )
    if results.suppressed:
        return results
    counts = _count(round_)
    grouping = group_for_breakdown(sector_counts)
    labels = {key: _sector_label(key) for key in sector_counts} | {OTHERS: _sector_label(OTHERS)}
    results.grouping = grouping
    results.group_labels = labels
    sections: dict[int, SectionResult] = {}
    for question in questions:
        section = sections.setdefault(
            question.section_id, SectionResult(section=question.section, questions=[])
        )
        section.questions.append(_question_result(question, counts, grouping, labels))
    results.sections = list(sections.values())
    return results


# --- the trend ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendCell:
    """One round's figure for a question (or one of its options)."""

    text: str
    value: float | None = None


@dataclass(frozen=True)
class TrendRow:
    round: Round
    responses: int
    respondents: int
    cells: list[TrendCell]
    current: bool


@dataclass
class QuestionTrend:
    question: Question
    headers: list[str]
    rows: list[TrendRow]
    chart: str = ""  # for a scale: the share answering 4 or 5 per round (views_results)


@dataclass(frozen=True)
class Trend:
    rounds: list[Round]
    questions: list[QuestionTrend]

    @property
    def any_earlier(self) -> bool:
        return len(self.rounds) > 1


def _too_few() -> TrendCell:
    return TrendCell(_("Too few answers"))


def round_trend(round_: Round, questions: list[Question] | None = None) -> Trend:
    """This round beside the template's earlier sent rounds (any version, up to
    ``TREND_ROUNDS`` in all, oldest first), question by question joined on ``key``: for a
    scale the mean and the share answering 4 or 5, for a choice the share of each of this
    round's options, for a number the mean. Four queries (five without ``questions``)."""
    if questions is None:
        questions = _questions(round_)
    rounds = list(
        Round.objects.filter(
            template_version__template_id=round_.template_version.template_id,
            sent_at__isnull=False,
        )
        .filter(Q(opens_on__lt=round_.opens_on) | Q(opens_on=round_.opens_on, pk__lte=round_.pk))
        .order_by("-opens_on", "-pk")[:TREND_ROUNDS]
    )
    rounds.reverse()
    ids = [item.pk for item in rounds]
    responses = {
        row["round_id"]: row["n"]
        for row in Response.objects.filter(round_id__in=ids)
        .values("round_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    answers = Answer.objects.filter(response__round_id__in=ids)
    options: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for chosen in (
        answers.exclude(option="")
        .values("response__round_id", "question__key", "option")
        .annotate(n=Count("id"))
        .order_by()
    ):
        key = (chosen["response__round_id"], chosen["question__key"])
        options[key][chosen["option"]] = chosen["n"]
    answered: dict[tuple[int, str], tuple[int, float | None]] = {}
    for summary in (
        answers.values("response__round_id", "question__key")
        .annotate(n=Count("response_id", distinct=True), mean=Avg("number"))
        .order_by()
    ):
        key = (summary["response__round_id"], summary["question__key"])
        answered[key] = (summary["n"], summary["mean"])

    trends = []
    for question in questions:
        if question.kind == QuestionKind.TEXT:
            continue
        headers = _trend_headers(question)
        rows = []
        for item in rounds:
            count, mean = answered.get((item.pk, question.key), (0, None))
            small = responses.get(item.pk, 0) < MIN_GROUP or count < MIN_GROUP
            if small:
                cells = [_too_few() for _header in headers]
            else:
                cells = _trend_cells(
                    question, options.get((item.pk, question.key), {}), count, mean
                )
            rows.append(
                TrendRow(
                    round=item,
                    responses=responses.get(item.pk, 0),
                    respondents=count,
                    cells=cells,
                    current=item.pk == round_.pk,
                )
            )
        trends.append(QuestionTrend(question=question, headers=headers, rows=rows))
    return Trend(rounds=rounds, questions=trends)


def _trend_headers(question: Question) -> list[str]:
    if question.kind == QuestionKind.LIKERT:
        return [_("Mean (1–5)"), _("Share answering 4 or 5")]
    if question.kind == QuestionKind.NUMBER:
        return [_("Mean")]
    return [str(option.get("label", "")) for option in question.options or []]


def _trend_cells(
    question: Question, counts: dict[str, int], respondents: int, mean: float | None
) -> list[TrendCell]:
    if question.kind == QuestionKind.LIKERT:
        high = (counts.get("4", 0) + counts.get("5", 0)) / respondents
        return [TrendCell(decimal_text(mean), mean), TrendCell(percent_text(high), high)]
    if question.kind == QuestionKind.NUMBER:
        return [TrendCell(decimal_text(mean), mean)]
    cells = []
    for option in question.options or []:
        share = counts.get(str(option.get("key", "")), 0) / respondents
        cells.append(TrendCell(percent_text(share), share))
    return cells


# --- free texts -----------------------------------------------------------------------------------

FREE_TEXT_PAGE = 50


def text_questions(round_: Round) -> list[tuple[Question, int]]:
    """The round's free-text questions with how many answered each (two queries)."""
    questions = [question for question in _questions(round_) if question.kind == QuestionKind.TEXT]
    counts = {
        row["question_id"]: row["n"]
        for row in _answers(round_)
        .filter(question__kind=QuestionKind.TEXT)
        .filter(~Q(text="") | Q(text_removed=True))
        .values("question_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    return [(question, counts.get(question.pk, 0)) for question in questions]


def free_text_page(round_: Round, question: Question, after: int = 0) -> tuple[list[Answer], int]:
    """One page of a question's free-text answers (keyset on the id, oldest first) and the
    id to continue after (0: no more). Removed texts stay in the list, marked as removed."""
    rows = (
        _answers(round_)
        .filter(question_id=question.pk)
        .filter(~Q(text="") | Q(text_removed=True))
        .order_by("pk")
    )
    if after:
        rows = rows.filter(pk__gt=after)
    fetched = list(rows[: FREE_TEXT_PAGE + 1])
    shown = fetched[:FREE_TEXT_PAGE]
    return shown, (shown[-1].pk if len(fetched) > FREE_TEXT_PAGE else 0)
