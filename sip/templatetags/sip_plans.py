"""The link from a report's page to starting a coordinated plan from it."""

from typing import Any

from django import template

from sip.policies import can_convene

register = template.Library()


@register.inclusion_tag("sip/_start_from_report.html", takes_context=True)
def sip_start_from_report(context: dict[str, Any], report: Any) -> dict[str, Any]:
    """Shown to a user who may convene (no query); the start page checks the report.
    ``report`` is anything with the report's ``public_id`` (the report, or the author's view)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"report": report, "show": user is not None and can_convene(user)}
