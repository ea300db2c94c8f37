"""A report's reference: short, easy to read aloud on the phone, unique per municipality.

A reference is six symbols from an alphabet without look-alikes, shown in two groups of three
("K7R-X4M"): two short groups are read and remembered like a phone number. The alphabet leaves
out what is mistaken for something else on a screen, on paper or on a phone line:

- 0/O/Q, 1/I/L, 8/B, 5/S, 2/Z and 6/G look alike;
- M/N and V/W sound alike (in Swedish, V and W were long counted as one letter);
- the vowels (A, E, U, Y; I and O are gone already), so that no word, rude or otherwise, is
  ever spelt.

That leaves 17 symbols, 17**6 = 24 million references per municipality: a random one clashes
with an existing one rarely even in the largest municipality, and a clash is simply drawn again
(:func:`save_with_unique_reference`; the database's unique constraint has the last word).

References made before this scheme (eight hex digits of the report's public id, e.g.
"1A2B3C4D") are kept as they were written down, and still found by the search.

The stored code has no dash; it is grouped only for display. A typed reference is compared
after :func:`normalise_reference` (upper case, no spaces or dashes), so "k7r x4m", "K7R-X4M"
and "k7rx4m" are the same.
"""

import re
import secrets
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

if TYPE_CHECKING:
    # The model takes its default reference from here: imported for types only.
    from reports.models import ConcernReport

ALPHABET = "34679CDFHJKMPRTVX"
LENGTH = 6
GROUP = 3
# Enough for the largest municipality's worst luck many times over; more means a bug.
MAX_ATTEMPTS = 20

_CODE = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")
# A reference made before this scheme: the first eight hex digits of the public id.
_LEGACY = re.compile(r"[0-9A-F]{8}")
_SEPARATORS = re.compile(r"[\s\-‐‑–—]+")


class ReferenceExhaustedError(RuntimeError):
    """No free reference was found in ``MAX_ATTEMPTS`` draws."""


def new_reference_code() -> str:
    """A random code of ``LENGTH`` symbols of ``ALPHABET`` (from the system's secure source:
    a reference must not be guessable from the one before it)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_reference(code: str) -> str:
    """ "K7RX4M" -> "K7R-X4M"; an older reference is shown as it always was."""
    if _CODE.fullmatch(code):
        return f"{code[:GROUP]}-{code[GROUP:]}"
    return code


def normalise_reference(text: str) -> str:
    """What was typed, compared as stored: upper case, without spaces or dashes."""
    return _SEPARATORS.sub("", text).upper()


def is_reference(text: str) -> bool:
    """Whether ``text`` (normalised) has the shape of a reference, new or old."""
    return bool(_CODE.fullmatch(text) or _LEGACY.fullmatch(text))


def is_legacy_reference(text: str) -> bool:
    return bool(_LEGACY.fullmatch(text))


def _taken(report: "ConcernReport") -> bool:
    others = type(report)._default_manager.filter(
        municipality_id=report.municipality_id, reference_code=report.reference_code
    )
    if report.pk is not None:
        others = others.exclude(pk=report.pk)
    return others.exists()


def save_with_unique_reference(report: "ConcernReport") -> None:
    """Save ``report`` (insert or update); when its reference is taken in its municipality — a
    clash of random codes, or a draft routed to another municipality at submission — draw a
    new one and save again. Any other integrity error is raised as it is.

    Each attempt is its own savepoint, so a clash leaves the caller's transaction usable.
    """
    for _attempt in range(MAX_ATTEMPTS):
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            if not _taken(report):
                raise
            report.reference_code = new_reference_code()
        else:
            return
    raise ReferenceExhaustedError("No free reference found; the alphabet is too small.")
