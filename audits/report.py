"""The follow-up report's context, the same for its page and its PDF."""

from typing import Any

from django.utils import timezone

from audits.models import FollowUpRound
from audits.selectors import followup_report


def report_context(round_: FollowUpRound) -> dict[str, Any]:
    return {"report": followup_report(round_, timezone.localdate()), "round": round_}
