"""A round's aggregated results as export tables (CSV and XLSX through
``followup.exports``): exactly what the results page shows, suppressed the same way, and
never a free text (only how many answered a free-text question)."""

from django.utils.translation import gettext as _

from followup.exports import Table, Value
from surveys.models import QuestionKind
from surveys.results import RoundResults, Trend


def _results(results: RoundResults) -> Table:
    headers = [_("Section"), _("Question"), _("Answer"), _("Number of answers"), _("Share")]
    rows: list[list[Value]] = []
    if results.suppressed:
        rows.append(["", "", _("Too few answers to show results"), "", ""])
        return Table(_("Results"), headers, rows)
    for section in results.sections:
        for result in section.questions:
            question = result.question
            base: list[Value] = [section.section.title, question.text]
            if result.too_few:
                rows.append([*base, _("Too few answers"), "", ""])
            elif question.kind == QuestionKind.TEXT:
                rows.append([*base, _("Free-text answers (not exported)"), result.texts, ""])
            elif result.numbers is not None:
                summary = result.numbers
                rows += [
                    [*base, _("Median"), summary.median_text, ""],
                    [*base, _("Mean"), summary.mean_text, ""],
                    [*base, _("Lowest"), summary.minimum, ""],
                    [*base, _("Highest"), summary.maximum, ""],
                ]
                rows += [
                    [*base, bucket.label, bucket.count, bucket.share_text]
                    for bucket in summary.buckets
                ]
            else:
                rows += [
                    [*base, option.label, option.count, option.share_text]
                    for option in result.options
                ]
                if result.likert_mean is not None:
                    rows.append([*base, _("Mean (1–5)"), result.likert_mean_text, ""])
            rows.append([*base, _("Answered the question"), result.respondents, ""])
    return Table(_("Results"), headers, rows)


def _response_rate(results: RoundResults) -> Table:
    headers = [_("Invited"), _("Answers"), _("Response rate")]
    rows: list[list[Value]] = [[results.invitations, results.responses, results.response_rate_text]]
    return Table(_("Response rate"), headers, rows)


def _trend(trend: Trend) -> Table:
    headers = [_("Question"), _("Round"), _("Opened"), _("Answers"), _("Measure"), _("Value")]
    rows: list[list[Value]] = []
    for question in trend.questions:
        for row in question.rows:
            for header, cell in zip(question.headers, row.cells, strict=True):
                rows.append(
                    [
                        question.question.text,
                        row.round.title,
                        row.round.opens_on.isoformat(),
                        row.responses,
                        header,
                        cell.text,
                    ]
                )
    return Table(_("Trend"), headers, rows)


def _sectors(results: RoundResults) -> Table:
    headers = [_("Question"), _("Answer"), _("Sector"), _("Number of answers"), _("Share")]
    rows: list[list[Value]] = []
    reason = results.breakdown_hidden_reason
    if results.suppressed:
        reason = _("Too few answers to show results")
    if reason:
        rows.append(["", "", reason, "", ""])
        return Table(_("By sector"), headers, rows)
    for result in results.questions:
        breakdown = result.breakdown
        if breakdown is None:
            continue
        if breakdown.hidden_reason:
            rows.append([result.question.text, "", breakdown.hidden_reason, "", ""])
            continue
        for breakdown_row in breakdown.rows:
            rows += [
                [result.question.text, breakdown_row.label, cell.label, cell.count, cell.share_text]
                for cell in breakdown_row.cells
            ]
    return Table(_("By sector"), headers, rows)


def result_tables(results: RoundResults, trend: Trend) -> list[Table]:
    return [_results(results), _response_rate(results), _trend(trend), _sectors(results)]
