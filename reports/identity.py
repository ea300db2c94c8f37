"""The pseudonymous child reference written to the access log and used to link reports.

The same identity number always gives the same reference (so a log review can follow one
child), but the reference can not be turned back into the number without the key.
"""

import hashlib
import hmac
import uuid

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def child_ref_for(identity_number: str) -> str:
    """``identity_number``: 12 digits, or "" when the child's number is not known."""
    if not identity_number:
        return "u-" + uuid.uuid4().hex[:20]
    # Never SECRET_KEY: that one may be rotated, and every reference would change with it.
    key = settings.CHILD_REF_KEY
    if not key:
        raise ImproperlyConfigured("CHILD_REF_KEY must be set (see config/settings.py).")
    digest = hmac.new(key.encode(), identity_number.encode(), hashlib.sha256).hexdigest()
    return "c-" + digest[:20]
