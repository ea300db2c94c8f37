"""The results of a survey round: the list of rounds a user may read, the results page with
charts, tables, the trend and the breakdown by sector, the exports, and the free texts with
their removal tool (the analysis group only). The analysis and the priorities are in
``views_results_analysis``."""

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access.loaders import permit_or_404
from access.policies import Permit
from followup.charts import ShareBar, shares_svg
from followup.exports import csv_response, xlsx_response
from organisations.models import User
from surveys import results as selectors
from surveys.exports_results import result_tables
from surveys.models import Answer, QuestionKind, Round
from surveys.policies_results import ANALYSE, READ, results_policy
from surveys.services_analysis import free_text_remove as remove_text

ROUNDS_SHOWN = 200


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def round_context(request: HttpRequest, permit: Permit[Round]) -> dict[str, Any]:
    """What every results page shows of the round and the user's rights on it (one query)."""
    round_ = permit.obj
    allowed = results_policy.actions_for(user_of(request), round_)
    return {
        "round": round_,
        "template": round_.template_version.template,
        "may_analyse": ANALYSE in allowed,
    }


@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    """The sent rounds of the user's municipalities whose results the user may read, newest
    first (two queries)."""
    user = user_of(request)
    rounds = list(
        results_policy.visible(user, READ)
        .annotate(response_count=Count("responses"))
        .order_by("-opens_on", "-pk")[:ROUNDS_SHOWN]
    )
    analysed = set(
        results_policy.visible(user, ANALYSE)
        .filter(pk__in=[item.pk for item in rounds])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "surveys/results/round_list.html",
        {"rounds": rounds, "analysed": analysed, "min_answers": selectors.MIN_GROUP},
    )


def _chart(result: selectors.QuestionResult, index: int) -> str:
    rows = result.chart_rows
    if not rows or result.respondents == 0:
        return ""
    if result.question.kind == QuestionKind.NUMBER:
        description = _(
            "The share of the %(count)d who answered, per range of numbers. The numbers are "
            "in the table beside the chart."
        ) % {"count": result.respondents}
    else:
        description = _(
            "The share of the %(count)d who answered, per answer. The numbers are in the "
            "table beside the chart."
        ) % {"count": result.respondents}
    return shares_svg(
        [ShareBar(label=row.label, share=row.share, text=row.share_text) for row in rows],
        chart_id=f"chart-{index}",
        title=result.question.text,
        description=description,
    )


def _trend_chart(item: selectors.QuestionTrend, index: int) -> str:
    """A scale's share answering 4 or 5, round by round (a round with too few answers has
    no bar and says so)."""
    if item.question.kind != QuestionKind.LIKERT:
        return ""
    return shares_svg(
        [
            ShareBar(label=row.round.title, share=row.cells[1].value, text=row.cells[1].text)
            for row in item.rows
        ],
        chart_id=f"trend-{index}",
        title=item.question.text,
        description=_(
            "The share answering 4 or 5, round by round. The numbers are in the table beside "
            "the chart."
        ),
    )


@require_GET
def round_results(request: HttpRequest, pk: int) -> HttpResponse:
    permit = permit_or_404(request, results_policy, READ, pk=pk)
    round_ = permit.obj
    results = selectors.round_results(round_)
    trend = selectors.round_trend(round_, [result.question for result in results.questions])
    for index, result in enumerate(results.questions, 1):
        result.chart = _chart(result, index)
    if trend.any_earlier:
        for index, item in enumerate(trend.questions, 1):
            item.chart = _trend_chart(item, index)
    return render(
        request,
        "surveys/results/round_results.html",
        round_context(request, permit)
        | {"results": results, "trend": trend, "min_answers": selectors.MIN_GROUP},
    )


def _export_name(round_: Round) -> str:
    # The round's date and number only: a title is typed by someone and could name a person.
    return "-".join([slugify(_("survey-results")), round_.opens_on.isoformat(), str(round_.pk)])


def _export_tables(request: HttpRequest, pk: int) -> tuple[Round, list[Any]]:
    permit = permit_or_404(request, results_policy, READ, pk=pk)
    round_ = permit.obj
    results = selectors.round_results(round_)
    trend = selectors.round_trend(round_, [result.question for result in results.questions])
    return round_, result_tables(results, trend)


@require_GET
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    round_, tables = _export_tables(request, pk)
    return csv_response(tables, _export_name(round_))


@require_GET
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    round_, tables = _export_tables(request, pk)
    return xlsx_response(tables, _export_name(round_))


# --- free texts -----------------------------------------------------------------------------------


def _int(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


@require_GET
def free_texts(request: HttpRequest, pk: int) -> HttpResponse:
    """The free-text answers of one question at a time (the analysis group only)."""
    permit = permit_or_404(request, results_policy, ANALYSE, pk=pk)
    round_ = permit.obj
    questions = selectors.text_questions(round_)
    wanted = _int(request.GET.get("fraga"))
    chosen = next((q for q, _count in questions if q.pk == wanted), None)
    if chosen is None and questions:
        chosen = questions[0][0]
    answers: list[Answer] = []
    next_after = 0
    after = _int(request.GET.get("efter"))
    if chosen is not None:
        answers, next_after = selectors.free_text_page(round_, chosen, after)
    return render(
        request,
        "surveys/results/free_texts.html",
        round_context(request, permit)
        | {
            "questions": questions,
            "chosen": chosen,
            "answers": answers,
            "next_after": next_after,
            "after": after,
        },
    )


def _answer_permit(request: HttpRequest, pk: int) -> tuple[Permit[Round], Answer]:
    answer = (
        Answer.objects.select_related("question", "response")
        .filter(pk=pk, question__kind=QuestionKind.TEXT)
        .first()
    )
    if answer is None:
        raise Http404
    permit = permit_or_404(request, results_policy, ANALYSE, pk=answer.response.round_id)
    return permit, answer


@require_http_methods(["GET", "POST"])
def free_text_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then erase a free-text answer that holds personal data."""
    permit, answer = _answer_permit(request, pk)
    back = f"{_free_text_url(permit.obj)}?fraga={answer.question_id}"
    if answer.text_removed:
        messages.info(request, _("The text has already been removed."))
        return redirect(back)
    if request.method == "POST":
        remove_text(permit=permit, actor=user_of(request), answer_id=answer.pk)
        messages.success(request, _("The text was removed. It can not be read any more."))
        return redirect(back)
    return render(
        request,
        "surveys/results/free_text_remove.html",
        round_context(request, permit) | {"answer": answer, "back": back},
    )


def _free_text_url(round_: Round) -> str:
    return reverse("survey_results:free_texts", args=[round_.pk])
