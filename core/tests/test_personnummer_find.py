"""Finding personnummer- and samordningsnummer-like strings in free text (meeting minutes):
every written form is found, a mistyped check digit too; phone numbers, dates and impossible
dates are not."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.personnummer import TEST_SERIALS, find_identity_numbers, make_test_identity_number


@pytest.mark.parametrize(
    "number",
    [
        "850101-1234",  # ten digits with a hyphen
        "850101+1234",  # a hundred years or older
        "8501011234",  # no separator
        "19850101-1234",  # twelve digits
        "198501011234",
        "20131231-9803",
        "850161-1234",  # samordningsnummer: day 1 + 60
        "19850191-1234",  # samordningsnummer: day 31 + 60
        "850101-1235",  # the check digit does not matter: a mistyped number is still data
        "850101 1234",  # a space where the hyphen should be
        "850101–1234",  # an en dash from a word processor
        "000229-1234",  # 29 February 2000
    ],
)
def test_numbers_are_found(number: str) -> None:
    assert find_identity_numbers(f"Vi talade om eleven ({number}) idag.") == [number]


def test_a_number_alone_and_several_in_order() -> None:
    assert find_identity_numbers("850101-1234") == ["850101-1234"]
    text = "Först 19850101-1234, sedan 0612249803 och 850161+1234."
    assert find_identity_numbers(text) == ["19850101-1234", "0612249803", "850161+1234"]


def test_numbers_next_to_letters_and_punctuation() -> None:
    assert find_identity_numbers("pnr:850101-1234.") == ["850101-1234"]
    assert find_identity_numbers("<p>850101-1234</p>") == ["850101-1234"]


@pytest.mark.parametrize(
    "text",
    [
        "Ring 070-123 45 67 om du undrar.",
        "Ring +46 70 123 45 67.",
        "Växel 0247-800 00.",
        "+46701234567",  # eleven digits after the plus sign
        "Mötet 2026-03-10 kl. 10.00.",
        "Mötet 20260310.",
        "2026-03-10",
        "851301-1234",  # month 13
        "850132-1234",  # day 32
        "850192-1234",  # coordination day 92 - 60 = 32
        "850100-1234",  # day 0
        "010229-1234",  # 29 February 2001, 1901 and 1801 do not exist
        "000000-0000",
        "1234567-8901",  # seven digits before the separator
        "123850101-12345",  # inside longer runs of digits
        "21850101-1234",  # century 21
        "17850101-1234",  # before 1800
        "Diarienummer 2026/123-4567",
        "",
    ],
)
def test_other_numbers_are_not_found(text: str) -> None:
    assert find_identity_numbers(text) == []


def test_none_is_nothing() -> None:
    assert find_identity_numbers(None) == []  # type: ignore[arg-type]


@given(
    birth_date=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2025, 12, 31)),
    serial=st.sampled_from(list(TEST_SERIALS)),
    coordination=st.booleans(),
    form=st.sampled_from(["twelve", "twelve_hyphen", "ten", "ten_hyphen"]),
)
def test_every_valid_number_is_found_in_every_written_form(
    birth_date: datetime.date, serial: int, coordination: bool, form: str
) -> None:
    digits = make_test_identity_number(birth_date, serial, coordination=coordination).digits
    written = {
        "twelve": digits,
        "twelve_hyphen": f"{digits[:8]}-{digits[8:]}",
        "ten": digits[2:],
        "ten_hyphen": f"{digits[2:8]}-{digits[8:]}",
    }[form]
    assert find_identity_numbers(f"Anteckning: {written} (se ovan)") == [written]
