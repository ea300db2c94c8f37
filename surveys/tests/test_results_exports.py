"""The exports hold the page's figures, suppressed the same way, with Swedish headers, a file
name without personal data, and never a free text."""

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import Role, Sector
from surveys.tests.factories_results import answer_many, make_round, make_version
from surveys.tests.results_world import Setting, build
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")


@pytest.fixture
def setting(world: World) -> Setting:
    return build(world)


@pytest.fixture
def swedish(world: World) -> Client:
    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(world.user(Role.BOARD_MEMBER))
    return client


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_csv_holds_the_figures_and_no_free_text(swedish, setting):
    response = swedish.get(reverse("survey_results:export_csv", args=[setting.round.pk]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="enkatresultat-2026-03-01-{setting.round.pk}.csv"'
    )
    rows = _csv_rows(response)
    assert rows[0] == ["Resultat"]
    assert rows[1] == ["Avsnitt", "Fråga", "Svar", "Antal svar", "Andel"]
    # 11 answered: "safe" is 1 + index % 5 for index 0..10, so "1" three times.
    assert ["Läget", "Eleverna känner sig trygga", "Stämmer inte alls", "3", "27\xa0%"] in rows
    assert ["Läget", "Något mer?", "Fritextsvar (exporteras inte)", "11", ""] in rows
    assert not any("Kommentar" in cell for row in rows for cell in row)
    assert ["Svarsfrekvens"] in rows
    assert ["12", "11", "92\xa0%"] in rows
    # The breakdown: school 6 and social services 5, both shown.
    assert any(row[:3] == ["Har narkotikan ökat?", "Ökat", "Skola"] for row in rows)


def test_the_xlsx_holds_the_same_cells(swedish, setting):
    response = swedish.get(reverse("survey_results:export_xlsx", args=[setting.round.pk]))
    assert response["Content-Disposition"].endswith(f'-{setting.round.pk}.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Resultat", "Svarsfrekvens", "Jämförelse över tid", "Per sektor"]
    sheet = book["Resultat"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Avsnitt", "Fråga", "Svar", "Antal svar", "Andel"]
    assert ["Läget", "Eleverna känner sig trygga", "Stämmer inte alls", 3, "27\xa0%"] in rows
    assert ["Läget", "Hur många ärenden?", "Lägsta", 0, None] in rows
    every_cell = [
        cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    ]
    assert not any(isinstance(cell, str) and "Kommentar" in cell for cell in every_cell)


def test_a_small_round_exports_no_figures(swedish, world):
    round_ = make_round(make_version(world.municipality()), invitations=6)
    answer_many(round_, 4, sector=Sector.SCHOOL)
    rows = _csv_rows(swedish.get(reverse("survey_results:export_csv", args=[round_.pk])))
    assert ["", "", "För få svar för att visa resultat", "", ""] in rows
    assert not any("Stämmer" in cell for row in rows for cell in row)
    book = openpyxl.load_workbook(
        io.BytesIO(swedish.get(reverse("survey_results:export_xlsx", args=[round_.pk])).content)
    )
    rows = [list(row) for row in book["Resultat"].iter_rows(values_only=True)]
    assert rows[1] == [None, None, "För få svar för att visa resultat", None, None]
    sector_rows = [list(row) for row in book["Per sektor"].iter_rows(values_only=True)]
    assert sector_rows[1][2] == "För få svar för att visa resultat"


def test_a_hidden_breakdown_exports_the_reason_only(swedish, world):
    round_ = make_round(make_version(world.municipality()))
    answer_many(round_, 9, sector=Sector.SCHOOL)
    answer_many(round_, 3, sector=Sector.POLICE, start=9)
    book = openpyxl.load_workbook(
        io.BytesIO(swedish.get(reverse("survey_results:export_xlsx", args=[round_.pk])).content)
    )
    rows = [list(row) for row in book["Per sektor"].iter_rows(values_only=True)]
    assert len(rows) == 2
    assert rows[1][2].startswith("Svaren delas inte upp per sektor")
