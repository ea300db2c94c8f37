"""The dashboard's tables as CSV and XLSX, with exactly the texts of the page: a protected
count is "<5", a count hidden so that it can not be worked back is "–", a value resting on
small numbers is "<5". Only aggregates: no person is named, no child appears.

Headers follow the language of the request (Swedish by default)."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook

from followup.periods import Period
from followup.presentation import (
    IndicatorRow,
    indicator_rows,
    not_by_sector_text,
    school_flags,
    value_text,
)
from followup.selectors import Dashboard, SchoolRow
from followup.suppression import Cell
from organisations.models import Municipality

Value = str | int


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[Value]]


def count_value(count: Cell) -> Value:
    """A count as exported: the number when it may be shown, otherwise "<5" or "–"."""
    return count.value if count.shown else str(count)


def _indicators(dash: Dashboard) -> Table:
    rows: list[list[Value]] = []
    for row in indicator_rows(dash):
        rows.append(
            [
                str(row.indicator.name),
                _value(row),
                row.shown.counts_text if row.shown is not None else "",
                row.target,
                row.light_label,
                value_text(row.previous),
                row.change,
            ]
        )
    headers = [
        _("Indicator"),
        _("Value"),
        _("Counts"),
        _("Target"),
        _("Assessment"),
        _("Previous period"),
        _("Difference"),
    ]
    if dash.sector:
        # The sheet keeps its name (Excel allows 31 characters); the column says the sector.
        headers[1] = _("Value for the sector %(sector)s") % {"sector": dash.sector_label}
    return Table(_("Indicators"), headers, rows)


def _value(row: IndicatorRow) -> str:
    if row.shown is not None:
        return value_text(row.shown)
    return not_by_sector_text() if row.not_by_sector else _("see the table")


def _schools(schools: list[SchoolRow]) -> Table:
    rows: list[list[Value]] = []
    for school in schools:
        silent, met, visited = school_flags(school)
        rows.append(
            [school.unit.name, count_value(school.sent), school.rate.text, silent, met, visited]
        )
    headers = [
        _("School"),
        _("Reports sent"),
        _("Per 100 pupils"),
        _("Silent school"),
        _("Met the intake"),
        _("Visited at a parent meeting"),
    ]
    return Table(_("Schools"), headers, rows)


def _sectors(dash: Dashboard) -> Table:
    rows: list[list[Value]] = [
        [row.label, row.attendance.text, row.participants, row.confirmed.text]
        for row in dash.sectors
    ]
    headers = [
        _("Sector"),
        _("Attendance at held meetings"),
        _("Participants"),
        _("Staff who confirmed the routine"),
    ]
    return Table(_("Sectors"), headers, rows)


def _sip(dash: Dashboard) -> Table:
    """The coordinated plans started, by sector and by how they started (as on the page)."""
    rows: list[list[Value]] = []
    if dash.sip is not None and dash.sip.any:
        by_sector = _("By the sector of the convening unit")
        by_origin = _("By how they started")
        rows += [[by_sector, part.label, count_value(part.started)] for part in dash.sip.sectors]
        rows += [[by_origin, part.label, count_value(part.started)] for part in dash.sip.origins]
    headers = [_("Breakdown"), _("Part"), _("Plans started")]
    return Table(_("Coordinated plans"), headers, rows)


def _documents(dash: Dashboard) -> Table:
    rows: list[list[Value]] = [
        [
            row.title,
            row.kind_label,
            date_format(row.date, "SHORT_DATE_FORMAT") if row.date else "–",
            row.days if row.days is not None else "–",
        ]
        for row in dash.documents
    ]
    headers = [_("Document"), _("Kind"), _("Revision or expiry"), _("Days left")]
    return Table(_("Governance documents"), headers, rows)


def dashboard_tables(dash: Dashboard, schools: list[SchoolRow]) -> list[Table]:
    """The tables of the page, in its order (``schools``: the rows the user may see)."""
    return [_indicators(dash), _schools(schools), _sectors(dash), _sip(dash), _documents(dash)]


def file_name(municipality: Municipality, period: Period, sector_label: str = "") -> str:
    """E.g. ``uppfoljning-leksand-2026`` (``uppfoljning-leksand-skola-2026`` for a sector):
    the municipality, the sector shown and the period, plain letters."""
    parts = [_("follow-up"), municipality.name, sector_label, str(period.label)]
    return "-".join(slugify(part) for part in parts if part)


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _cell_text(value: object) -> object:
    """A text a spreadsheet would run as a formula ("=…", "@…", or "+"/"-" before a
    non-digit; a unit's name is typed by an admin) gets a leading apostrophe, so it stays
    text. Our own "+6 procentenheter" and numbers are left as they are."""
    if not isinstance(value, str) or not value:
        return value
    first, rest = value[0], value[1:2]
    if first in "=@" or (first in "+-" and not rest.isdigit()):
        return "'" + value
    return value


def _row(values: Iterable[object]) -> list[object]:
    return [_cell_text(value) for value in values]


def csv_lines(tables: Iterable[Table]) -> str:
    # Semicolons and a byte order mark: what Excel with Swedish settings opens correctly.
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for table in tables:
        writer.writerow([table.title])
        writer.writerow(_row(table.headers))
        writer.writerows(_row(row) for row in table.rows)
        writer.writerow([])
    return buffer.getvalue()


def csv_response(tables: list[Table], name: str) -> HttpResponse:
    response = HttpResponse(
        ("\ufeff" + csv_lines(tables)).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, f"{name}.csv")


def xlsx_response(tables: list[Table], name: str) -> HttpResponse:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.title[:31])  # Excel's limit on sheet names
        sheet.append(_row(table.headers))
        for row in table.rows:
            sheet.append(_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return _attachment(response, f"{name}.xlsx")
