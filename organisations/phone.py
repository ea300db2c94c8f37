"""Swedish telephone numbers as municipal staff type them ("0247-802 00", "+46 247 802 00",
"(0247) 80200"): checked before they are shown to school staff as the number to call about a
child, and turned into a ``tel:`` link that a phone can dial.

A number is kept as typed (the municipality's own grouping is what staff recognise), only
trimmed; the check works on its digits. A Swedish number in national form is a 0, an area
code and the subscriber's number: 7 to 10 digits in all (08-123 45 up to 070-123 45 67).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Digits and the separators people use between groups; a + only at the very start.
_ALLOWED = re.compile(r"\+?[0-9 \-–()/.]+")
_COUNTRY = "46"
MIN_DIGITS = 7
MAX_DIGITS = 10
# Numbers that are not the municipality's own and must not be typed in its place.
_EMERGENCY = {"112", "11414", "1177", "114"}


def tidy(text: str) -> str:
    """The number as it is stored and shown: trimmed, runs of spaces made one."""
    return " ".join(text.split())


def national_digits(text: str) -> str:
    """The number's digits in national form ("0247 802 00" and "+46 (0)247 80200" both give
    "024780200"); raises ``ValidationError`` with a message for the person who typed it."""
    text = tidy(text)
    if not _ALLOWED.fullmatch(text):
        raise ValidationError(
            _("A phone number can only have digits, spaces and hyphens, and a + at the start."),
            code="characters",
        )
    # "+46 (0)247…" is a common way to write the national 0 beside the country code.
    digits = re.sub(r"\D", "", text.replace("(0)", ""))
    if text.startswith("+") or digits.startswith("00"):
        international = digits.removeprefix("00") if not text.startswith("+") else digits
        if not international.startswith(_COUNTRY):
            raise ValidationError(
                _("Write a Swedish number: the intake and the emergency line are in Sweden."),
                code="country",
            )
        # "+46 0247…" (the national 0 kept by mistake): no Swedish number after the country
        # code starts with 0, so the 0 can only be that.
        digits = "0" + international.removeprefix(_COUNTRY).removeprefix("0")
    if digits in _EMERGENCY:
        raise ValidationError(
            _(
                "%(number)s is a national number, always shown on the page: write the "
                "municipality's own number here."
            )
            % {"number": digits},
            code="national",
        )
    if not digits.startswith("0") or digits.startswith("00"):
        raise ValidationError(
            _("Write the number with its area code, e.g. 0247-802 00 or +46 247 802 00."),
            code="area_code",
        )
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        raise ValidationError(
            _(
                "The number has %(count)d digits; a Swedish number with its area code has "
                "%(low)d to %(high)d. Check that no digit is missing or doubled."
            )
            % {"count": len(digits), "low": MIN_DIGITS, "high": MAX_DIGITS},
            code="length",
        )
    return digits


def validate_swedish_phone(text: str) -> None:
    """Raises ``ValidationError`` unless ``text`` is a Swedish phone number with area code."""
    national_digits(text)


def tel_uri(text: str) -> str:
    """The ``tel:`` link of a number (international form, RFC 3966), or "" when it is not a
    valid number: a link must never dial something else than what the page shows."""
    try:
        digits = national_digits(text)
    except ValidationError:
        return ""
    return f"tel:+{_COUNTRY}{digits[1:]}"
