"""What both sides' reads of reports of concern share: the identity number for display (masked
for lists, whole for the pages whose viewer needs it), the labels of the concern categories,
and the clock arithmetic the keyset cursors of the inbox and of the school's lists are built on.

Used by ``reports.selectors_intake`` and ``reports.selectors_school`` (and, for the identity
number, the school's forms); nothing here reads the database.
"""

import datetime

from django.utils.functional import Promise

from core.personnummer import IdentityNumberError, parse_identity_number
from reports.models import ConcernCategory

# The columns every list of reports reads (with ``.only()``): its link, its child, its status and
# next deadline, and what its access-log row needs. A list row built from all 75 of the report's
# columns cost more than the query itself (profile of the inbox page, issue 13).
REPORT_ROW_COLUMNS = (
    "id",
    "public_id",
    "reference_code",
    "municipality",
    "child_ref",
    "child_name",
    "child_identity_number",
    "status",
    "acute_danger",
    "next_due_at",
)
OWNER_COLUMNS = ("owner", "owner__username", "owner__first_name", "owner__last_name")

# --- identity numbers for display ----------------------------------------------------------------


def identity_number_masked(digits: str) -> str:
    """``YYYYMMDD-****`` for lists; "" when the number is not known."""
    if not digits:
        return ""
    try:
        return parse_identity_number(digits).masked()
    except IdentityNumberError:
        return f"{digits[:8]}-****"


def identity_number_formatted(digits: str) -> str:
    """``YYYYMMDD-NNNN``, only for pages whose viewer needs the whole number."""
    if not digits:
        return ""
    try:
        return parse_identity_number(digits).formatted()
    except IdentityNumberError:
        return f"{digits[:8]}-{digits[8:]}" if len(digits) == 12 else digits


# --- labels ---------------------------------------------------------------------------------------

CATEGORY_LABELS: dict[str, str | Promise] = {
    str(value): label for value, label in ConcernCategory.choices
}


# --- cursors: moments as whole microseconds since the epoch, for the keyset pages' cursors ------

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _micros(moment: datetime.datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _moment(micros: str) -> datetime.datetime | None:
    try:
        return _EPOCH + datetime.timedelta(microseconds=int(micros))
    except OverflowError:
        return None
