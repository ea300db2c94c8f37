"""The pseudonymous child reference written to the access log and used to link reports.

The same identity number always gives the same reference (so a log review can follow one
child), but the reference can not be turned back into the number without the key.
"""

import hashlib
import hmac
import uuid

from django.conf import settings


def child_ref_for(identity_number: str) -> str:
    """``identity_number``: 12 digits, or "" when the child's number is not known."""
    if not identity_number:
        return "u-" + uuid.uuid4().hex[:20]
    key = getattr(settings, "CHILD_REF_KEY", "") or settings.SECRET_KEY
    digest = hmac.new(key.encode(), identity_number.encode(), hashlib.sha256).hexdigest()
    return "c-" + digest[:20]
