"""Template tags the plan page uses for the parts the meetings work owns: the plan's network
meetings and the link to the municipality's current SIP routine."""

from typing import Any

from django import template
from django.db.models import Count

from governance.models import DocumentVersion
from sip.models import Plan

register = template.Library()


@register.inclusion_tag("sip/_plan_meetings.html")
def plan_meetings(plan: Plan, may_edit: bool) -> dict[str, Any]:
    """The plan's meetings, newest first, with how many were present (one query). The caller
    has loaded ``plan`` through the plan policy (VIEW)."""
    meetings = plan.meetings.annotate(present_count=Count("present")).only(
        "pk", "held_on", "is_follow_up", "plan_id"
    )
    return {"plan": plan, "may_edit": may_edit, "meetings": list(meetings)}


@register.inclusion_tag("sip/_routine_link.html")
def sip_routine_link(municipality_id: int) -> dict[str, Any]:
    """The current (latest approved) version of the routine marked as the municipality's SIP
    routine, or nothing. One query."""
    version = (
        DocumentVersion.objects.filter(
            document__municipality_id=municipality_id,
            document__is_sip_routine=True,
            approved_on__isnull=False,
        )
        .select_related("document")
        .order_by("-number")
        .first()
    )
    return {"municipality_id": municipality_id, "version": version}
