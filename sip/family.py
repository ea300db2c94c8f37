"""The plan as the family reads it (LAW.md: the plan is drawn up with the child and the
guardians and they get it): who takes part and how to reach them, the needs, goals, who does
what by when, who has the overall responsibility, when it is followed up, and what the consent
covers. Plain words only: no references, no status codes, no notes of the units."""

from typing import Any

from django.utils import timezone

from sip.models import (
    OPEN_ACTION_STATUSES,
    ConsentPurpose,
    ParticipantKind,
    Plan,
    consent_in_force,
)


def family_context(plan: Plan) -> dict[str, Any]:
    today = timezone.localdate()
    participants = list(plan.participants.select_related("unit"))
    actions = list(plan.actions.select_related("party"))
    consents = list(
        plan.consents.filter(consent_in_force(today), purpose=ConsentPurpose.SIP)
        .prefetch_related("parties", "givers")
        .order_by("valid_from", "pk")
    )
    responsible = next((p for p in participants if p.pk == plan.responsible_id), None)
    return {
        "plan": plan,
        "today": today,
        "professionals": [p for p in participants if p.kind == ParticipantKind.PROFESSIONAL],
        "family": [p for p in participants if p.kind != ParticipantKind.PROFESSIONAL],
        "actions": [
            {
                "what": action.what,
                "who": action.party.name if action.party else action.party_name,
                "by_whom": action.by_whom,
                "due_on": action.due_on,
                "done": action.status not in OPEN_ACTION_STATUSES,
                "status": action.get_status_display(),
            }
            for action in actions
        ],
        "responsible": responsible,
        "consents": consents,
    }


def family_plan_pdf(plan: Plan) -> bytes:
    from core.pdf import render_pdf

    return render_pdf("sip/family_plan_pdf.html", family_context(plan))
