"""The surveys' part of other pages: the agenda items a survey round's analysis group put on a
resource council's meeting (the annual wheel's occurrence page), and the links to a round's
results (the round's page)."""

from typing import Any

from django import template
from django.template.context import Context

from surveys.models import Priority, Round
from surveys.policies_results import ANALYSE, READ, results_policy

register = template.Library()


@register.inclusion_tag("surveys/results/_agenda.html", takes_context=True)
def survey_agenda(context: Context, occurrence: Any) -> dict[str, Any]:
    """The priorities on this meeting's agenda with the decision linked to each, and the
    survey rounds linked to the activity that the user may read: two queries, whatever the
    number of items. The page's own ``can_record`` and ``decisions`` are used as they are."""
    request = context.get("request")
    user = getattr(request, "user", None)
    priorities = list(
        Priority.objects.filter(council_occurrence_id=occurrence.pk)
        .select_related("round", "responsible_unit", "decision")
        .order_by("sent_to_council_at", "pk")
    )
    rounds = (
        list(results_policy.visible(user, READ).filter(occurrence_id=occurrence.pk))
        if user is not None
        else []
    )
    return {
        "occurrence": occurrence,
        "priorities": priorities,
        "rounds": rounds,
        "can_record": context.get("can_record", False),
        "decisions": context.get("decisions", []),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("surveys/results/_round_links_body.html", takes_context=True)
def survey_result_links(context: Context, round_: Round) -> dict[str, Any]:
    """Links to a round's results, analysis and (for its analysis group) free texts, as far
    as the user may follow them (one query; nothing for a draft)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    allowed = (
        results_policy.actions_for(user, round_)
        if user is not None and round_.sent_at is not None
        else frozenset()
    )
    return {"round": round_, "may_read": READ in allowed, "may_analyse": ANALYSE in allowed}
