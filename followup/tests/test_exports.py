"""The "<5" rule on the page, in the CSV and in the XLSX alike: a school with 1–4 reports
never shows its count, and the smallest other school is hidden ("–") so that the
municipality's total does not give it away. Files are named by municipality and period."""

import datetime
import io

from django.urls import reverse
from openpyxl import load_workbook

from organisations.models import Role

MARCH = datetime.date(2026, 3, 1)
QUERY = {"period": "month", "month": "2026-03"}


def _get(client, world, name):
    client.force_login(world.user(Role.COORDINATOR))
    response = client.get(reverse(name), QUERY)
    assert response.status_code == 200
    return response


def test_the_page_protects_the_small_school(client, two_schools):
    world, big, small = two_schools
    response = _get(client, world, "followup:dashboard")
    rows = {row.unit.name: str(row.sent) for row, *_flags in response.context["schools"]}
    assert rows == {big.name: "–", small.name: "<5"}
    html = response.content.decode()
    row_html = html.split(small.name, 2)[-1].split("</tr>")[0]
    assert "<5" in row_html or "&lt;5" in row_html
    assert ">3<" not in row_html
    assert ">10<" not in html.split(big.name, 2)[-1].split("</tr>")[0]
    # The total of 13 is shown, but neither part can be worked back from it.
    assert _row_counts(response) == "13 of 400"


def _row_counts(response):
    row = next(r for r in response.context["rows"] if r.indicator.key == "reports_per_100_pupils")
    return row.shown.counts_text


def test_the_csv_protects_the_small_school(client, two_schools):
    world, big, small = two_schools
    response = _get(client, world, "followup:export_csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="follow-up-leksand-march-2026.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    lines = {line.split(";")[0]: line.split(";") for line in text.splitlines() if line}
    assert lines[small.name][1:3] == ["<5", "<5"]
    # The big school is hidden so that the small one can not be worked out from the total;
    # its rate is hidden the same way ("–": it is not a small number).
    assert lines[big.name][1:3] == ["–", "–"]
    assert "Testa" not in text
    assert "2012" not in text


def test_the_xlsx_protects_the_small_school(client, two_schools):
    world, big, small = two_schools
    response = _get(client, world, "followup:export_xlsx")
    assert 'filename="follow-up-leksand-march-2026.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Indicators",
        "Schools",
        "Sectors",
        "Coordinated plans",
        "Governance documents",
    ]
    schools = {row[0]: row for row in workbook["Schools"].iter_rows(values_only=True)}
    assert schools["School"][:3] == ("School", "Reports sent", "Per 100 pupils")
    assert schools[small.name][1:3] == ("<5", "<5")
    assert schools[big.name][1:3] == ("–", "–")
    every_value = [
        value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    ]
    assert 3 not in every_value
    assert 10 not in every_value
    indicators = {row[0]: row for row in workbook["Indicators"].iter_rows(values_only=True)}
    assert indicators["Reports of concern from school per 100 pupils"][2] == "13 of 400"


def test_swedish_headers_and_file_name_by_default(two_schools):
    from django.test import Client

    world, _big, small = two_schools
    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(world.user(Role.BOARD_MEMBER))
    response = client.get(reverse("followup:export_xlsx"), QUERY)
    assert 'filename="uppfoljning-leksand-mars-2026.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["Indikatorer", "Skolor"]
    header = next(workbook["Skolor"].iter_rows(values_only=True))
    assert header[:2] == ("Skola", "Skickade orosanmälningar")
    csv_text = client.get(reverse("followup:export_csv"), QUERY).content.decode("utf-8-sig")
    assert f"{small.name};<5;<5" in csv_text


def test_a_principal_exports_their_own_school_only(client, two_schools):
    world, big, small = two_schools
    client.force_login(world.user(Role.PRINCIPAL))
    text = client.get(reverse("followup:export_csv"), QUERY).content.decode("utf-8-sig")
    assert big.name in text
    assert small.name not in text


def test_a_name_that_looks_like_a_formula_stays_text() -> None:
    from followup.exports import _cell_text

    assert _cell_text('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _cell_text("@SUM(A1)") == "'@SUM(A1)"
    assert _cell_text("-cmd") == "'-cmd"
    assert _cell_text("+6 procentenheter") == "+6 procentenheter"
    assert _cell_text("Åkerö skola") == "Åkerö skola"
    assert _cell_text(12) == 12
