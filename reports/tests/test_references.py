"""References that can be read aloud: the alphabet, the grouping, uniqueness per municipality
(with a new draw on a clash), and the search that accepts them however they are typed."""

import datetime
import re
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from core.personnummer import make_test_identity_number
from organisations.models import Role
from reports import references, services_school
from reports.models import ConcernReport
from reports.references import (
    ALPHABET,
    format_reference,
    is_reference,
    new_reference_code,
    normalise_reference,
)
from reports.selectors_worklist import parse_search
from reports.tests.builders import draft, submitted
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

SEARCH = reverse("reports:intake_search")
CHILD = make_test_identity_number(datetime.date(2012, 3, 15), 980)
# Both of each pair that looks alike (0/O, 1/I/L, 8/B, 5/S, 2/Z), and one of each pair that
# looks or sounds alike (6/G, O/Q, M/N, V/W).
LOOK_ALIKES = "0O1IL8B5S2Z" + "GQNW"


def found(response) -> list[str]:
    return re.findall(r'<tr data-report="([0-9a-f-]+)">', response.content.decode())


# --- the alphabet and the shape ---------------------------------------------------------------


def test_the_alphabet_has_no_look_alikes_and_no_vowels() -> None:
    assert not set(ALPHABET) & set(LOOK_ALIKES)
    assert not set(ALPHABET) & set("AEIOUYÅÄÖ")  # no word can be spelt
    assert len(set(ALPHABET)) == len(ALPHABET) == 17


def test_a_new_reference_is_six_symbols_of_the_alphabet_shown_in_two_groups() -> None:
    codes = {new_reference_code() for _ in range(200)}
    assert len(codes) > 190  # random, not a sequence
    for code in codes:
        assert len(code) == 6
        assert set(code) <= set(ALPHABET)
        assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", format_reference(code))
    assert format_reference("K7RX4M") == "K7R-X4M"
    assert format_reference("1A2B3C4D") == "1A2B3C4D"  # an older reference, as written down


@pytest.mark.parametrize("typed", ["K7R-X4M", "k7r-x4m", "k7rx4m", " k7r x4m ", "K7R–X4M"])
def test_a_reference_is_understood_however_it_is_typed(typed: str) -> None:
    assert normalise_reference(typed) == "K7RX4M"
    query = parse_search(typed)
    assert (query.kind, query.value) == ("reference", "K7RX4M")


def test_digits_only_references_and_identity_numbers_are_told_apart() -> None:
    assert parse_search("346-797").kind == "reference"  # a new reference of digits only
    assert parse_search(CHILD.digits[2:]).kind == "identity"
    assert parse_search("12345678").kind == "reference"  # an older reference of digits only
    assert not is_reference("K7RX4")  # too short
    assert not is_reference("K0RX4M")  # a zero is never in a reference


# --- uniqueness ---------------------------------------------------------------------------------


def test_the_database_refuses_the_same_reference_twice_in_a_municipality(world: World) -> None:
    first = draft(world)
    second = draft(world)
    second.reference_code = first.reference_code
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    # The same reference in another municipality is another report's.
    elsewhere = draft(world, author=world.user(Role.REPORTER, "eksjo"))
    elsewhere.reference_code = first.reference_code
    elsewhere.save()


def test_a_clash_is_drawn_again(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    first = draft(world)
    # The first new draw clashes with the first report again; the second is free.
    draws = iter([first.reference_code, "CDFHJK", "CDFHJM"])
    monkeypatch.setattr(references, "new_reference_code", lambda: next(draws))
    new = ConcernReport(
        author=first.author,
        author_role=first.author_role,
        author_sector=first.author_sector,
        school_unit=first.school_unit,
        municipality=first.municipality,
        child_ref="u-test",
        reference_code=first.reference_code,
    )
    references.save_with_unique_reference(new)  # an insert
    assert new.pk is not None
    assert new.reference_code == "CDFHJK"
    changed = draft(world)
    changed.reference_code = first.reference_code
    references.save_with_unique_reference(changed)  # an update
    assert changed.reference_code == "CDFHJM"
    assert ConcernReport.objects.filter(reference_code=first.reference_code).count() == 1


def test_an_other_integrity_error_is_not_taken_for_a_clash(world: World) -> None:
    first = draft(world)
    copy = draft(world)
    copy.public_id = first.public_id  # unique too, but not the reference
    with pytest.raises(IntegrityError):
        references.save_with_unique_reference(copy)


def test_a_draft_routed_to_a_municipality_where_its_reference_is_taken_gets_another(
    world: World,
) -> None:
    there = submitted(world, author=world.user(Role.REPORTER, "eksjo"))
    routed = draft(world, home_municipality=world.municipality("eksjo"))
    ConcernReport.objects.filter(pk=routed.pk).update(reference_code=there.reference_code)
    routed.refresh_from_db()
    report = services_school.report_submit(
        report=routed, actor=routed.author, submission_key=uuid.uuid4()
    )
    assert report.municipality == world.municipality("eksjo")
    assert report.reference_code != there.reference_code
    assert set(report.reference_code) <= set(ALPHABET)


# --- the search -----------------------------------------------------------------------------------


def test_the_intake_finds_a_report_by_its_reference_typed_in_lower_case(
    client: Client, world: World
) -> None:
    report = submitted(world)
    submitted(world)  # another report, not found
    client.force_login(world.user(Role.INTAKE))
    code = report.reference_code.lower()
    for typed in (code, f"{code[:3]}-{code[3:]}", f"{code[:3]} {code[3:]}", report.reference):
        assert found(client.post(SEARCH, {"query": typed})) == [str(report.public_id)], typed


def test_an_older_reference_still_finds_its_report(client: Client, world: World) -> None:
    report = submitted(world)
    older = str(report.public_id)[:8].upper()
    ConcernReport.objects.filter(pk=report.pk).update(reference_code=older)
    clashed = submitted(world)
    client.force_login(world.user(Role.INTAKE))
    assert found(client.post(SEARCH, {"query": older.lower()})) == [str(report.public_id)]
    # A report whose old reference clashed and was given a new one is found by either.
    old_of_clashed = str(clashed.public_id)[:8]
    assert found(client.post(SEARCH, {"query": old_of_clashed})) == [str(clashed.public_id)]
    assert found(client.post(SEARCH, {"query": clashed.reference})) == [str(clashed.public_id)]
