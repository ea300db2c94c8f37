"""The personnummer / samordningsnummer validator: properties checked against an independent
Luhn implementation, every refusal with its code and message, centuries around "today", leap
days, and the form field."""

import datetime

import pytest
import time_machine
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.personnummer import (
    ERROR_MESSAGES,
    TEST_SERIALS,
    IdentityNumber,
    IdentityNumberError,
    IdentityNumberErrorCode,
    IdentityNumberField,
    make_test_identity_number,
    parse_identity_number,
)

TODAY = datetime.date(2026, 5, 14)
Code = IdentityNumberErrorCode


def luhn_valid(digits: str) -> bool:
    """The textbook Luhn test, from the right: double every second digit, sum digit sums."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def complete(nine: str) -> str:
    """``nine`` digits plus the one check digit that passes the Luhn test."""
    (digit,) = [d for d in "0123456789" if luhn_valid(nine + d)]
    return nine + digit


def ten_digits(birth: datetime.date, serial: int, *, coordination: bool = False) -> str:
    day = birth.day + (60 if coordination else 0)
    return complete(f"{birth:%y%m}{day:02d}{serial:03d}")


def error_code(value: str, today: datetime.date = TODAY) -> str:
    with pytest.raises(IdentityNumberError) as caught:
        parse_identity_number(value, today=today)
    return caught.value.code


@st.composite
def issued(draw: st.DrawFn) -> tuple[datetime.date, datetime.date, int, bool]:
    """(today, birth date, serial, coordination) for a number that could exist on ``today``.

    Birth dates go back 199 years at most: further back, a ten-digit number can not say which
    century is meant (and no one is that old)."""
    today = draw(st.dates(datetime.date(2000, 1, 1), datetime.date(2199, 12, 31)))
    earliest = datetime.date(max(1800, today.year - 199), 1, 1)
    birth = draw(st.dates(earliest, today))
    return today, birth, draw(st.integers(1, 999)), draw(st.booleans())


# --- properties ---


@given(issued())
def test_every_written_form_parses_to_the_same_number(case):
    today, birth, serial, coordination = case
    ten = ten_digits(birth, serial, coordination=coordination)
    twelve = f"{birth.year:04d}{ten[2:]}"
    separator = "+" if birth.year <= today.year - 100 else "-"
    forms_of_it = [twelve, f"{twelve[:8]}-{twelve[8:]}", f" {ten[:6]}{separator}{ten[6:]}\t"]
    if separator == "-":
        forms_of_it.append(ten)
    for written in forms_of_it:
        number = parse_identity_number(written, today=today)
        assert number.digits == twelve
        assert number.birth_date == birth
        assert number.is_coordination_number is coordination
        assert number.formatted() == f"{twelve[:8]}-{twelve[8:]}"
        assert parse_identity_number(number.formatted(), today=today) == number


@given(issued(), st.integers(2, 11), st.integers(1, 9))
def test_changing_any_one_of_the_ten_digits_is_refused(case, index, shift):
    """Luhn catches every single-digit error. The century digits (0, 1) are outside the ten
    digits the check covers, so they are left out."""
    today, birth, serial, coordination = case
    twelve = f"{birth.year:04d}{ten_digits(birth, serial, coordination=coordination)[2:]}"
    changed = twelve[:index] + str((int(twelve[index]) + shift) % 10) + twelve[index + 1 :]
    code = error_code(changed, today)
    if index >= 8:  # the date is untouched: only the birth number or the check digit is wrong
        assert code in {Code.CHECK_DIGIT, Code.INVALID_SERIAL}
    else:
        assert code in {Code.CHECK_DIGIT, Code.INVALID_DATE, Code.FUTURE_DATE}


@given(issued())
def test_a_coordination_number_has_sixty_added_to_the_day(case):
    today, birth, serial, _ = case
    ten = ten_digits(birth, serial, coordination=True)
    number = parse_identity_number(f"{birth.year:04d}{ten[2:]}", today=today)
    assert number.is_coordination_number
    assert int(number.digits[6:8]) == birth.day + 60
    assert 61 <= int(number.digits[6:8]) <= 91
    assert number.birth_date == birth
    assert number.masked() == f"{number.digits[:8]}-****"


@given(st.dates(datetime.date(1900, 1, 1), TODAY), st.sampled_from(TEST_SERIALS), st.booleans())
def test_test_numbers_are_valid_and_use_the_test_serials(birth, serial, coordination):
    number = make_test_identity_number(birth, serial, coordination=coordination)
    assert parse_identity_number(number.formatted(), today=TODAY) == number
    assert number.digits[8:11] == f"{serial:03d}"
    assert number.birth_date == birth


@pytest.mark.parametrize("serial", [0, 1, 979, 1000])
def test_test_numbers_refuse_serials_outside_the_test_range(serial):
    with pytest.raises(ValueError, match="980-999"):
        make_test_identity_number(datetime.date(2015, 3, 4), serial)


# --- refusals: every code, with its message ---

# Each input fails exactly on the rule named (the check digit is right unless that is the point).
REFUSALS = [
    ("", Code.EMPTY),
    ("   ", Code.EMPTY),
    ("811228 9874", Code.INVALID_CHARACTERS),
    ("811228–9874", Code.INVALID_CHARACTERS),  # an en dash, as word processors write it
    ("81122898T4", Code.INVALID_CHARACTERS),
    ("٨١١٢٢٨٩٨٧٤", Code.INVALID_CHARACTERS),  # Arabic-Indic digits
    ("811228987", Code.INVALID_FORMAT),
    ("81122898745", Code.INVALID_FORMAT),
    ("1981122898745", Code.INVALID_FORMAT),
    ("8112-289874", Code.INVALID_FORMAT),
    ("811228--9874", Code.INVALID_FORMAT),
    ("811228-+9874", Code.INVALID_FORMAT),
    ("-8112289874", Code.INVALID_FORMAT),
    ("19811228+9874", Code.PLUS_WITH_CENTURY),
    ("17991231-" + ten_digits(datetime.date(1999, 12, 31), 123)[6:], Code.INVALID_CENTURY),
    ("20230230-" + complete("230230123")[6:], Code.INVALID_DATE),
    (complete("231301123"), Code.INVALID_DATE),  # month 13
    (complete("230001123"), Code.INVALID_DATE),  # month 00
    (complete("230100123"), Code.INVALID_DATE),  # day 00
    (complete("230132123"), Code.INVALID_DATE),  # day 32
    (complete("230160123"), Code.INVALID_DATE),  # day 60: neither a day nor day + 60
    (complete("230192123"), Code.INVALID_DATE),  # day 92 = 32 + 60
    (complete("230491123"), Code.INVALID_DATE),  # coordination number for 31 April
    ("19" + complete("000229123"), Code.INVALID_DATE),  # 1900 was not a leap year
    (complete("000229123")[:6] + "+" + complete("000229123")[6:], Code.INVALID_DATE),  # 1900
    ("20260515-" + complete("260515123")[6:], Code.FUTURE_DATE),
    ("21000101" + complete("000101123")[6:], Code.FUTURE_DATE),
    (complete("150304000"), Code.INVALID_SERIAL),
    ("8112289873", Code.CHECK_DIGIT),
    ("811228-9875", Code.CHECK_DIGIT),
    ("19811228-9870", Code.CHECK_DIGIT),
    ("811282-9874", Code.CHECK_DIGIT),  # two digits swapped in the date
]


@pytest.mark.parametrize(("value", "code"), REFUSALS)
def test_refusals_have_their_own_code(value, code):
    assert error_code(value) == code


def test_every_code_is_exercised_and_has_its_own_message():
    assert {code for _, code in REFUSALS} == set(Code) == set(ERROR_MESSAGES)
    with translation.override("en"):
        messages = [str(message) for message in ERROR_MESSAGES.values()]
    assert len(set(messages)) == len(messages)


ENGLISH_MESSAGES = {
    Code.EMPTY: "Enter a personal identity number or a coordination number.",
    Code.INVALID_CHARACTERS: (
        "Use only digits, with a hyphen (-) or a plus sign (+) before the last four digits."
    ),
    Code.INVALID_FORMAT: (
        "Write the number as YYMMDD-NNNN or YYYYMMDD-NNNN: 10 or 12 digits, "
        "the separator only before the last four."
    ),
    Code.PLUS_WITH_CENTURY: (
        "A plus sign is only used with a two-digit year (YYMMDD+NNNN, for people aged 100 "
        "or more). With a four-digit year, write a hyphen."
    ),
    Code.INVALID_CENTURY: "The year of birth must start with 18, 19 or 20.",
    Code.INVALID_DATE: (
        "The date of birth in the number does not exist. Check the month and the day "
        "(a coordination number has 60 added to the day)."
    ),
    Code.FUTURE_DATE: "The date of birth in the number is in the future. Check the year.",
    Code.INVALID_SERIAL: (
        "The three digits after the date can not be 000. Check for a typing error."
    ),
    Code.CHECK_DIGIT: "The last digit does not match the others. Check for a typing error.",
}


@pytest.mark.parametrize(("value", "code"), REFUSALS)
def test_refusals_say_what_to_fix(value, code):
    with pytest.raises(IdentityNumberError) as caught:
        parse_identity_number(value, today=TODAY)
    with translation.override("en"):
        assert str(caught.value.message) == ENGLISH_MESSAGES[code]
        assert str(caught.value) == ENGLISH_MESSAGES[code]
    assert isinstance(caught.value, ValueError)


# --- centuries around today (2026-05-14) ---


def born(value: str, today: datetime.date = TODAY) -> datetime.date:
    return parse_identity_number(value, today=today).birth_date


def with_separator(nine: str, separator: str) -> str:
    ten = complete(nine)
    return f"{ten[:6]}{separator}{ten[6:]}"


@pytest.mark.parametrize(
    ("nine", "separator", "expected"),
    [
        ("260514123", "-", datetime.date(2026, 5, 14)),  # born today
        ("260514123", "", datetime.date(2026, 5, 14)),
        ("260515123", "-", datetime.date(1926, 5, 15)),  # tomorrow would be in the future
        ("260515123", "", datetime.date(1926, 5, 15)),
        ("251231123", "-", datetime.date(2025, 12, 31)),
        ("270101123", "-", datetime.date(1927, 1, 1)),
        ("260514123", "+", datetime.date(1926, 5, 14)),  # 100 today
        ("260515123", "+", datetime.date(1926, 5, 15)),  # turns 100 this year: "+" already
        ("251231123", "+", datetime.date(1925, 12, 31)),
        ("270101123", "+", datetime.date(1827, 1, 1)),  # "+" is never younger than this year's
        ("000229123", "-", datetime.date(2000, 2, 29)),
    ],
)
def test_the_century_of_a_ten_digit_number(nine, separator, expected):
    assert born(with_separator(nine, separator)) == expected


def test_the_century_follows_the_reference_date():
    written = with_separator("991231123", "-")
    assert born(written, datetime.date(1999, 12, 31)) == datetime.date(1999, 12, 31)
    assert born(written, datetime.date(1999, 12, 30)) == datetime.date(1899, 12, 31)
    assert born(written, datetime.date(2099, 12, 31)) == datetime.date(2099, 12, 31)


def test_leap_days():
    assert born("20" + complete("000229123")) == datetime.date(2000, 2, 29)
    assert born("20" + complete("240229123")) == datetime.date(2024, 2, 29)
    assert error_code("20" + complete("230229123")) == Code.INVALID_DATE
    assert error_code("19" + complete("000229123")) == Code.INVALID_DATE
    assert born("20" + complete("000289123")) == datetime.date(2000, 2, 29)  # coordination


def test_the_default_reference_date_is_today():
    with time_machine.travel(datetime.datetime(2026, 5, 14, 12, tzinfo=datetime.UTC), tick=False):
        number = parse_identity_number(with_separator("260515123", "-"))
    assert number.birth_date == datetime.date(1926, 5, 15)


# --- the number itself ---


def test_masked_formatted_and_repr_never_show_the_last_four():
    number = parse_identity_number("811228-9874", today=TODAY)
    assert number.digits == "198112289874"
    assert number.formatted() == "19811228-9874"
    assert number.masked() == "19811228-****"
    assert "9874" not in repr(number)
    assert "9874" not in repr([number])


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (datetime.date(2008, 2, 29), 0),
        (datetime.date(2009, 2, 28), 0),
        (datetime.date(2009, 3, 1), 1),
        (datetime.date(2012, 2, 28), 3),
        (datetime.date(2012, 2, 29), 4),
        (datetime.date(2026, 5, 14), 18),
    ],
)
def test_age_on_a_day(day, age):
    number = make_test_identity_number(datetime.date(2008, 2, 29), 985)
    assert number.age_on(day) == age


def test_age_before_birth_is_refused():
    number = make_test_identity_number(datetime.date(2008, 2, 29), 985)
    with pytest.raises(ValueError, match="before the date of birth"):
        number.age_on(datetime.date(2008, 2, 28))


def test_numbers_are_values():
    first = parse_identity_number("811228-9874", today=TODAY)
    assert first == parse_identity_number("198112289874", today=TODAY)
    assert hash(first) == hash(parse_identity_number("8112289874", today=TODAY))
    assert isinstance(first, IdentityNumber)


# --- the form field ---


class ChildForm(forms.Form):
    number = IdentityNumberField(label="Personal identity number")
    other = IdentityNumberField(label="Sibling", required=False)


@time_machine.travel(datetime.datetime(2026, 5, 14, 12, tzinfo=datetime.UTC), tick=False)
def test_field_returns_the_twelve_digit_form():
    form = ChildForm(data={"number": " 811228-9874 ", "other": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"number": "198112289874", "other": ""}


@time_machine.travel(datetime.datetime(2026, 5, 14, 12, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize(("value", "code"), REFUSALS)
def test_field_refuses_with_the_code_and_message(value, code):
    with translation.override("en"):
        form = ChildForm(data={"number": value})
        assert not form.is_valid()
        (error,) = form.errors.as_data()["number"]
        expected_code = "required" if code == Code.EMPTY else code
        assert error.code == expected_code
        assert form.errors["number"] == [ENGLISH_MESSAGES[code]]
        assert form["number"].value() == value  # what the user typed is kept


def test_field_uses_the_local_date():
    """22:30 UTC on 14 May is already 15 May in Stockholm: a child born on the 15th exists."""
    field = IdentityNumberField()
    twelve = "20" + complete("260515123")
    with time_machine.travel(datetime.datetime(2026, 5, 14, 22, 30, tzinfo=datetime.UTC)):
        assert field.clean(twelve) == twelve
    with time_machine.travel(datetime.datetime(2026, 5, 14, 21, 30, tzinfo=datetime.UTC)):
        with pytest.raises(ValidationError) as caught:
            field.clean(twelve)
        assert caught.value.code == Code.FUTURE_DATE


def test_field_asks_browsers_not_to_remember_the_number():
    html = str(ChildForm()["number"])
    assert 'autocomplete="off"' in html
    assert 'spellcheck="false"' in html
