"""The training sessions linked to an activity of the annual wheel, on the occurrence's page:
one line in ``wheel/occurrence_detail.html`` (``{% training_sessions occurrence %}``)."""

from typing import Any

from django import template

from training.selectors import sessions_of_occurrence

register = template.Library()


@register.inclusion_tag("training/_occurrence_sessions.html", takes_context=True)
def training_sessions(context: Any, occurrence: Any) -> dict[str, Any]:
    """The sessions the user may read (one query); nothing is shown when there are none."""
    request = context.get("request")
    user = getattr(request, "user", None)
    found = sessions_of_occurrence(user, occurrence.pk) if user is not None else []
    return {"sessions": found}
