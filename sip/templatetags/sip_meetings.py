"""Template tags the plan page uses for the parts the meetings work owns: the plan's network
meetings and the link to the municipality's current SIP routine."""

from typing import Any

from django import template

from sip.models import Plan

register = template.Library()


@register.inclusion_tag("sip/_plan_meetings.html")
def plan_meetings(plan: Plan, may_edit: bool) -> dict[str, Any]:
    return {"plan": plan, "may_edit": may_edit}


@register.inclusion_tag("sip/_routine_link.html")
def sip_routine_link(municipality_id: int) -> dict[str, Any]:
    return {"municipality_id": municipality_id}
