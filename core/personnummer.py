"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

Our own small validator, following Skatteverket's description (rättslig vägledning 330245,
330251): a birth date YYMMDD, a three-digit birth number 001–999, and a check digit computed
with the Luhn (modulus 10) method over those nine digits. A coordination number has 60 added to
the day of birth. The separator is "-" until the year a person turns 100, "+" from then on,
so a ten-digit number gets its century from the date it is read on.

Accepted input (surrounding whitespace ignored): ``YYMMDD-NNNC``, ``YYMMDD+NNNC``,
``YYMMDDNNNC``, ``YYYYMMDD-NNNC``, ``YYYYMMDDNNNC``. Stored form: twelve digits
``YYYYMMDDNNNC``. Every refusal is an :class:`IdentityNumberError` with its own ``code`` and a
translatable message that tells the user what to fix.
"""

import datetime
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise
else:  # the stubs' name for a lazy string; at run time it is a plain Promise
    StrPromise = Promise

COORDINATION_DAY_OFFSET = 60

# Birth numbers used for made-up people in demo data and tests (see make_test_identity_number).
TEST_SERIALS = range(980, 1000)

# Skatteverket stores the century as 18, 19 or 20; nobody alive was born before 1800.
_EARLIEST_YEAR = 1800

# The shapes we accept, on ASCII digits only ("\d" would also match e.g. Arabic-Indic digits).
_SHAPE = re.compile(r"(?P<century>[0-9]{2})?(?P<date>[0-9]{6})(?P<sep>[-+]?)(?P<rest>[0-9]{4})")
_ALLOWED_CHARACTERS = re.compile(r"[0-9+-]*")


class IdentityNumberErrorCode(StrEnum):
    EMPTY = "empty"
    INVALID_CHARACTERS = "invalid_characters"
    INVALID_FORMAT = "invalid_format"
    PLUS_WITH_CENTURY = "plus_with_century"
    INVALID_CENTURY = "invalid_century"
    INVALID_DATE = "invalid_date"
    FUTURE_DATE = "future_date"
    INVALID_SERIAL = "invalid_serial"
    CHECK_DIGIT = "check_digit"


ERROR_MESSAGES: dict[IdentityNumberErrorCode, StrPromise] = {
    IdentityNumberErrorCode.EMPTY: _("Enter a personal identity number or a coordination number."),
    IdentityNumberErrorCode.INVALID_CHARACTERS: _(
        "Use only digits, with a hyphen (-) or a plus sign (+) before the last four digits."
    ),
    IdentityNumberErrorCode.INVALID_FORMAT: _(
        "Write the number as YYMMDD-NNNN or YYYYMMDD-NNNN: 10 or 12 digits, "
        "the separator only before the last four."
    ),
    IdentityNumberErrorCode.PLUS_WITH_CENTURY: _(
        "A plus sign is only used with a two-digit year (YYMMDD+NNNN, for people aged 100 "
        "or more). With a four-digit year, write a hyphen."
    ),
    IdentityNumberErrorCode.INVALID_CENTURY: _("The year of birth must start with 18, 19 or 20."),
    IdentityNumberErrorCode.INVALID_DATE: _(
        "The date of birth in the number does not exist. Check the month and the day "
        "(a coordination number has 60 added to the day)."
    ),
    IdentityNumberErrorCode.FUTURE_DATE: _(
        "The date of birth in the number is in the future. Check the year."
    ),
    IdentityNumberErrorCode.INVALID_SERIAL: _(
        "The three digits after the date can not be 000. Check for a typing error."
    ),
    IdentityNumberErrorCode.CHECK_DIGIT: _(
        "The last digit does not match the others. Check for a typing error."
    ),
}


class IdentityNumberError(ValueError):
    """A refused identity number: ``code`` says which rule failed, ``message`` how to fix it."""

    def __init__(self, code: IdentityNumberErrorCode) -> None:
        self.code = code
        self.message = ERROR_MESSAGES[code]
        super().__init__(self.message)


@dataclass(frozen=True, repr=False)
class IdentityNumber:
    """A valid number; build it with :func:`parse_identity_number`, not by hand.

    ``digits`` is the stored twelve-digit form (for a coordination number, with the day + 60);
    ``birth_date`` is the real date of birth.
    """

    digits: str
    is_coordination_number: bool
    birth_date: datetime.date

    def formatted(self) -> str:
        """``YYYYMMDD-NNNC``."""
        return f"{self.digits[:8]}-{self.digits[8:]}"

    def masked(self) -> str:
        """``YYYYMMDD-****``: the date part as written in the number, the last four hidden.

        For lists, where the birth date is enough to tell children apart. A coordination number
        keeps its day + 60, so it is not mistaken for the personnummer of someone else.
        """
        return f"{self.digits[:8]}-****"

    def age_on(self, day: datetime.date) -> int:
        """Completed years on ``day``. Someone born on 29 February ages on 1 March in a common
        year. Raises ValueError for a day before the birth date."""
        if day < self.birth_date:
            raise ValueError("The day is before the date of birth.")
        return completed_years(self.birth_date, day)

    def __repr__(self) -> str:
        # Why: a full number must not end up in logs or tracebacks through a repr.
        return f"<IdentityNumber {self.masked()}>"


def completed_years(birth_date: datetime.date, day: datetime.date) -> int:
    """Someone's age in completed years on ``day`` (born 29 February: ages on 1 March in a
    common year)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def _check_digit(nine_digits: str) -> int:
    """The Luhn check digit: weights 2, 1, 2, ... from the left, digit sums of the products."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _deduce_year(two_digits: int, month: int, day: int, *, plus: bool, today: datetime.date) -> int:
    """The century of a ten-digit number.

    "+": the most recent year ending in ``two_digits`` that is at least 100 years before
    today's year, because Skatteverket switches to "+" in the year a person turns 100.
    "-" or no separator: the most recent date with these digits that is not after ``today``
    (someone who turns 100 later this year, written with "-", is still found).
    """
    if plus:
        latest = today.year - 100
        return latest - (latest - two_digits) % 100
    year = today.year - (today.year - two_digits) % 100
    # Compared as tuples so that an impossible date (month 13) still gets a year, and is then
    # refused as an impossible date rather than as something else.
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    return year


def parse_identity_number(value: str, *, today: datetime.date | None = None) -> IdentityNumber:
    """Validate a personnummer or samordningsnummer and return it with its century.

    ``today`` (default: today in the site's time zone) decides the century of a ten-digit
    number and what counts as "in the future". Raises :class:`IdentityNumberError` for anything
    that is not a number Skatteverket could have issued; checks run from the shape to the check
    digit, so the message names the first thing to fix.
    """
    today = today or timezone.localdate()
    shape = _shape(value)
    ten = shape["date"] + shape["rest"]
    year_digits, month, written_day = int(ten[0:2]), int(ten[2:4]), int(ten[4:6])
    is_coordination = written_day > COORDINATION_DAY_OFFSET
    day = written_day - COORDINATION_DAY_OFFSET if is_coordination else written_day
    year = _year(shape, year_digits, month, day, today=today)
    try:
        birth_date = datetime.date(year, month, day)
    except ValueError:
        raise IdentityNumberError(IdentityNumberErrorCode.INVALID_DATE) from None
    if birth_date > today:
        raise IdentityNumberError(IdentityNumberErrorCode.FUTURE_DATE)
    if ten[6:9] == "000":
        raise IdentityNumberError(IdentityNumberErrorCode.INVALID_SERIAL)
    if _check_digit(ten[:9]) != int(ten[9]):
        raise IdentityNumberError(IdentityNumberErrorCode.CHECK_DIGIT)
    return IdentityNumber(
        digits=f"{year:04d}{ten[2:]}",
        is_coordination_number=is_coordination,
        birth_date=birth_date,
    )


def _shape(value: str) -> re.Match[str]:
    """The parts of the written number; refuses an empty value, other characters, or a shape
    that is not a personnummer."""
    text = value.strip()
    if not text:
        raise IdentityNumberError(IdentityNumberErrorCode.EMPTY)
    if not _ALLOWED_CHARACTERS.fullmatch(text):
        raise IdentityNumberError(IdentityNumberErrorCode.INVALID_CHARACTERS)
    shape = _SHAPE.fullmatch(text)
    if shape is None:
        raise IdentityNumberError(IdentityNumberErrorCode.INVALID_FORMAT)
    return shape


def _year(
    shape: re.Match[str], year_digits: int, month: int, day: int, *, today: datetime.date
) -> int:
    """The four-digit birth year: written out, or deduced from the separator and today."""
    if shape["century"] is not None:
        if shape["sep"] == "+":
            raise IdentityNumberError(IdentityNumberErrorCode.PLUS_WITH_CENTURY)
        year = int(shape["century"]) * 100 + year_digits
    else:
        year = _deduce_year(year_digits, month, day, plus=shape["sep"] == "+", today=today)
    if year < _EARLIEST_YEAR:
        raise IdentityNumberError(IdentityNumberErrorCode.INVALID_CENTURY)
    return year


def make_test_identity_number(
    birth_date: datetime.date, serial: int, *, coordination: bool = False
) -> IdentityNumber:
    """A checksum-valid number for made-up people in demo data and tests.

    ``serial`` (the birth number) must be in :data:`TEST_SERIALS`, 980–999: Skatteverket's
    published test numbers (testpersonnummer) use birth numbers from this range, and we use
    only this range for demo children so that a demo number reads as a test number. Numbers
    outside Skatteverket's own list are not guaranteed to be unassigned, so demo data must never
    be mixed with real data.
    """
    if serial not in TEST_SERIALS:
        raise ValueError("Test identity numbers use birth numbers 980-999.")
    day = birth_date.day + (COORDINATION_DAY_OFFSET if coordination else 0)
    nine = f"{birth_date:%y%m}{day:02d}{serial:03d}"
    digits = f"{birth_date.year:04d}{nine[2:]}{_check_digit(nine)}"
    return IdentityNumber(digits=digits, is_coordination_number=coordination, birth_date=birth_date)


class IdentityNumberField(forms.CharField):
    """A form field for a child's personnummer or samordningsnummer.

    ``clean`` returns the twelve-digit stored form ("" when the field is optional and left
    empty) and refuses with a ``ValidationError`` carrying the code and message of
    :class:`IdentityNumberError`. "Today" is the local date of the installation's time zone.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages", {"required": ERROR_MESSAGES[IdentityNumberErrorCode.EMPTY]}
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        # Why: browsers should neither remember a child's number nor "correct" it.
        attrs.update({"autocomplete": "off", "spellcheck": "false"})
        return attrs

    def clean(self, value: Any) -> str:
        text: str = super().clean(value)
        if text in self.empty_values:
            return ""
        try:
            number = parse_identity_number(text, today=timezone.localdate())
        except IdentityNumberError as error:
            raise ValidationError(error.message, code=error.code) from error
        return number.digits


# --- finding numbers in free text ----------------------------------------------------------------

# A date of 6 or 8 digits, then a separator (hyphen or a dash that word processors put in its
# place, plus, one space, or nothing) and 4 digits; no digit just before or after, so that a
# longer run of digits (an 11-digit phone number with the country code) is not cut up.
_IN_TEXT = re.compile(
    r"(?<![0-9])(?P<century>[0-9]{2})?(?P<date>[0-9]{6})[-+ \u2010\u2011\u2013\u2212]?"
    r"[0-9]{4}(?![0-9])"
)


def _could_be_birth_date(century: str | None, six: str) -> bool:
    """Whether YYMMDD (day + 60 for a coordination number) is a real date with the given
    century, or with any of 18, 19 and 20 when the century is not written."""
    year, month, day = int(six[0:2]), int(six[2:4]), int(six[4:6])
    if day > COORDINATION_DAY_OFFSET:
        day -= COORDINATION_DAY_OFFSET
    centuries = [int(century)] if century is not None else [18, 19, 20]
    for hundreds in centuries:
        if hundreds * 100 + year < _EARLIEST_YEAR or hundreds > 20:
            continue
        try:
            datetime.date(hundreds * 100 + year, month, day)
        except ValueError:
            continue
        return True
    return False


def find_identity_numbers(text: str) -> list[str]:
    """The personnummer- or samordningsnummer-like strings in ``text``, as written, in order.

    For keeping identified people out of free text (meeting minutes, decisions): a date of
    six or eight digits (a real date, with 60 added to the day for a coordination number),
    then "-", "+", a space or nothing, and four digits. The check digit is *not* required: a
    mistyped number is still personal data. Dates alone ("2026-03-10", "20260310") and phone
    numbers written the usual way ("070-123 45 67", "+46 70 123 45 67") are not numbers;
    ten digits in a row that form a date ("0701234567", read as 2007-01-23) can not be told
    from a child's number and are found.
    """
    found = []
    for match in _IN_TEXT.finditer(text or ""):
        if _could_be_birth_date(match["century"], match["date"]):
            found.append(match.group(0))
    return found
