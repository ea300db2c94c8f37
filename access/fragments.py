"""The log review's table rows, written as HTML here rather than by a template loop.

The log review shows up to a page of groups, each cell with a ``data-label`` (the table
stacks on a phone) and up to three dates: as a template loop that was ~8 ms of the page, a
third of its render. Each row is one f-string; every value goes through ``html.escape``
(what Django's ``escape`` calls), and the markup is the loop's (``access/tests/
test_log_rows_fragment.py`` holds it to the template it replaces).
"""

import datetime
from collections.abc import Sequence
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from access.grouping import AccessGroup
from core.datetimes import DateTimeWriter


class _Labels:
    """The column names (each cell repeats its own) and the formats, once per table."""

    def __init__(self) -> None:
        self.when = escape(gettext("When"))
        self.times = escape(gettext("Times"))
        self.municipality = escape(gettext("Municipality"))
        self.who = escape(gettext("Who"))
        self.what = escape(gettext("What"))
        self.action = escape(gettext("Action"))
        self.rule = escape(gettext("Why access was allowed"))
        self.child = escape(gettext("Child"))
        self.follow = escape(gettext("All accesses to this child"))
        self.date_time = DateTimeWriter("SHORT_DATETIME_FORMAT")
        self.time_of_day = DateTimeWriter("TIME_FORMAT")

    def time(self, moment: datetime.datetime, *, time_only: bool = False) -> str:
        local = timezone.localtime(moment)
        shown = (self.time_of_day if time_only else self.date_time)(local)
        return f'<time class="nowrap" datetime="{local.isoformat()}">{escape(shown)}</time>'


def log_rows_html(
    groups: Sequence[AccessGroup], *, show_municipality: bool, following_child: bool
) -> SafeString:
    """The ``<tr>`` rows of the access-log table: one per group of identical reads. The child
    column (a button to follow the child) is left out while one child's reads are shown."""
    labels = _Labels()
    html = "".join(_row(group, labels, show_municipality, following_child) for group in groups)
    return mark_safe(html)  # noqa: S308 - every value in it went through escape()


def _row(group: AccessGroup, labels: _Labels, show_municipality: bool, following: bool) -> str:
    row = group.row
    words = group.words
    if group.within_a_minute:
        when = labels.time(group.latest)
    else:
        when = f"{labels.time(group.earliest)}–{labels.time(group.latest, time_only=True)}"
    cells = [
        f'<td data-label="{labels.when}">{when}</td>',
        f'<td data-label="{labels.times}">{group.count}</td>',
    ]
    if show_municipality:
        cells.append(f'<td data-label="{labels.municipality}">{escape(row.municipality.name)}</td>')
    cells += [
        f'<td data-label="{labels.who}">{_who(group)}</td>',
        f'<td data-label="{labels.what}">{escape(words.object if words else "")}</td>',
        f'<td data-label="{labels.action}">{escape(str(row.get_action_display()))}</td>',
        f'<td data-label="{labels.rule}">{escape(words.rule if words else "")}</td>',
    ]
    if not following:
        cells.append(
            f'<td data-label="{labels.child}"><button type="submit" form="follow-child" '
            f'name="row" value="{row.pk}" class="button button--small">{labels.follow}</button>'
            "</td>"
        )
    return "<tr>" + "".join(cells) + "</tr>\n"


def _who(group: AccessGroup) -> str:
    words = group.words
    if words is None:
        return "<strong></strong>"
    who = f"<strong>{escape(words.user)}</strong>"
    if words.role or words.unit:
        separator = ", " if words.role and words.unit else ""
        who += f'<br><span class="muted">{escape(words.role)}{separator}{escape(words.unit)}</span>'
    return who
