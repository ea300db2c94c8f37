"""The intake inbox's two long loops, written as HTML here rather than by template loops.

The inbox is the page the intake works from all day, and its rows were most of its render
time: each of ~25 table rows and ~40 "today" rows cost some forty template-variable lookups,
translations and date filters (~16 ms of a ~50 ms request on the benchmark's Leksand data).
Here each row is one f-string: every value goes through ``html.escape``, which is what
Django's own ``escape`` calls (without its lazy-string wrapper, which cost more than the
escaping), and the page's markup is the same (``reports/tests/test_inbox_fragments.py``
holds them to the template they replace).
"""

import datetime
from collections.abc import Sequence
from html import escape

from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.datetimes import DateTimeWriter
from reports.models import ConcernReport
from reports.selectors_intake import InboxRow
from reports.selectors_worklist import TodayRow

TodayGroup = tuple[str, str | Promise, Sequence[TodayRow]]


def inbox_rows_html(rows: Sequence[InboxRow], *, closed: bool) -> SafeString:
    """The inbox table's body rows (``<tr>`` elements), open or closed reports."""
    words = _Words()
    html = "".join(_inbox_row(row, closed, words) for row in rows)
    return mark_safe(html)  # noqa: S308 - every value in it went through escape()


class _Words:
    """What every row says, translated and escaped once per list, and the date format."""

    def __init__(self) -> None:
        self.urgent = escape(gettext("Urgent"))
        self.nameless = escape(gettext("Child without a name"))
        self.forwarded = escape(gettext("To be forwarded"))
        self.no_deadline = escape(gettext("No deadline pending"))
        self.overdue = escape(gettext("Overdue"))
        self.unassigned = escape(gettext("Not assigned"))
        self.was_due = escape(gettext("was due"))
        self.due = escape(gettext("due"))
        self.date_time = DateTimeWriter("SHORT_DATETIME_FORMAT")

    def date(self, value: datetime.datetime) -> str:
        return escape(self.date_time(value))

    def owner(self, report: ConcernReport) -> str:
        if report.owner is not None:
            return escape(report.owner.display_name)
        return f'<span class="muted">{self.unassigned}</span>'


def _inbox_row(row: InboxRow, closed: bool, words: _Words) -> str:
    report = row.report
    urgent = (
        f'<span class="badge badge--danger">{words.urgent}</span>' if report.acute_danger else ""
    )
    child = escape(row.child_label) if row.child_label else words.nameless
    masked = (
        f'<br><span class="muted nowrap">{escape(row.identity_masked)}</span>'
        if row.identity_masked
        else ""
    )
    forwarded = (
        f'<br><span class="badge badge--warning">{words.forwarded}</span>'
        if report.forward_to_name
        else ""
    )
    submitted = words.date(report.submitted_at) if report.submitted_at else ""
    categories = escape(", ".join(str(category) for category in row.categories))
    return (
        f'<tr data-report="{report.public_id}"><td>{submitted}</td>'
        f"<td>{urgent}</td>"
        f'<th scope="row"><a href="{escape(row.url)}">{child}</a>{masked}'
        f'<br><span class="muted nowrap">{escape(report.reference)}</span></th>'
        f"<td>{escape(report.origin_label)}{forwarded}</td><td>{categories}</td>"
        f"<td>{escape(str(row.status_label))}</td><td>{_deadline_cell(row, closed, words)}</td>"
        f"<td>{words.owner(report)}</td></tr>\n"
    )


def _deadline_cell(row: InboxRow, closed: bool, words: _Words) -> str:
    report = row.report
    if closed:
        return words.date(report.closed_at) if report.closed_at else ""
    if not report.next_due_at:
        return f'<span class="muted">{words.no_deadline}</span>'
    if row.overdue:
        return (
            f'<strong class="overdue">{words.date(report.next_due_at)} '
            f'<span class="badge badge--danger">{words.overdue}</span></strong>'
        )
    return words.date(report.next_due_at)


def today_groups_html(groups: Sequence[TodayGroup]) -> SafeString:
    """The "today" list's parts that have rows: a heading and a list each."""
    words = _Words()
    parts = []
    for key, title, rows in groups:
        if not rows:
            continue
        key = escape(key)
        items = "".join(_today_row(key, row, words) for row in rows)
        parts.append(
            f'<h3 id="today-{key}">{escape(str(title))} ({len(rows)})</h3>\n'
            f'<ul class="plain-list today-list" aria-labelledby="today-{key}">\n{items}</ul>\n'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value in it went through escape()


def _today_row(key: str, row: TodayRow, words: _Words) -> str:
    due = ""
    if row.due_at:
        kind, said = ("overdue", words.was_due) if row.overdue else ("muted", words.due)
        due = f'<span class="{kind}">· {said} {words.date(row.due_at)}</span>'
    label = escape(row.child_label or row.report.reference)
    return (
        f'<li data-today="{key}" data-report="{row.report.public_id}">'
        f'<a href="{escape(row.url)}"><strong>{escape(str(row.step_label))}</strong>: {label}</a> '
        f"{due} · {words.owner(row.report)}</li>\n"
    )
