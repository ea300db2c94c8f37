"""The plan as the family reads it (LAW.md: the plan is drawn up with the child and the
guardians and they get it): who takes part and how to reach them, the needs, goals, who does
what by when, who has the overall responsibility, when it is followed up, and what the consent
covers. Plain words only: no references, no status codes, no notes of the units."""

import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from access.policies import Permit
from organisations.models import User
from sip.models import (
    OPEN_ACTION_STATUSES,
    ConsentPurpose,
    FamilyPrint,
    ParticipantKind,
    Plan,
    PrintState,
    consent_in_force,
)
from sip.policies import SipAction
from sip.services import child_age, child_consent_age

logger = logging.getLogger(__name__)


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
    age = child_age(plan, today)
    return {
        "plan": plan,
        # A child old enough to consent is addressed directly ("your plan").
        "age_own": age is not None and age >= child_consent_age(),
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


def family_pdf_request(*, permit: Permit[Plan], actor: User) -> FamilyPrint:
    """Ask for the PDF of the plan for the family; a worker makes it (``sip.tasks``). Asking
    again while it is being made changes nothing; else it is made anew."""
    plan = permit.require(SipAction.VIEW)
    now = timezone.now()
    with transaction.atomic():
        found, _created = FamilyPrint.objects.select_for_update().get_or_create(
            plan=plan,
            requested_by=actor,
            defaults={"requested_at": now, "state": PrintState.REQUESTED, "state_at": now},
        )
        if not _created and found.state == PrintState.REQUESTED:
            return found
        if not _created:
            found.requested_at, found.state, found.state_at = now, PrintState.REQUESTED, now
            found.save(update_fields=["requested_at", "state", "state_at"])
        print_id = found.pk
        transaction.on_commit(lambda: _enqueue(print_id))
    return found


def _enqueue(print_id: int) -> None:
    from sip.tasks import render_family_plan

    render_family_plan.enqueue(print_id)


def family_pdf_make(print_id: int) -> str:
    """Make and store the PDF of one request (the task's work); the state says how it went."""
    found = FamilyPrint.objects.select_related("plan").get(pk=print_id)
    try:
        content = family_plan_pdf(found.plan)
    except Exception:
        # The page says it failed and offers to try again; the reason goes to the log.
        logger.exception("The family plan PDF %s could not be made", print_id)
        FamilyPrint.objects.filter(pk=print_id).update(
            state=PrintState.FAILED, state_at=timezone.now()
        )
        return PrintState.FAILED
    old_name = found.pdf.name if found.pdf else ""
    found.pdf.save("plan.pdf", ContentFile(content), save=False)
    found.state, found.state_at = PrintState.READY, timezone.now()
    found.save(update_fields=["pdf", "state", "state_at"])
    if old_name and old_name != found.pdf.name:
        found.pdf.storage.delete(old_name)
    return PrintState.READY
