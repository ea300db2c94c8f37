"""The municipal admin's start page: the numbers school staff see for the intake and the
emergency line, the way to change them, and a warning while one is missing (one query for
both, ``selectors_contacts``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.attention import AttentionItem, StartPanel
from organisations.models import Membership, Municipality, User
from organisations.selectors_contacts import CallBox, call_boxes


def _boxes(user: User, memberships: list[Membership]) -> list[CallBox]:
    municipalities: dict[int, Municipality] = {}
    for membership in memberships:
        municipalities.setdefault(membership.unit.municipality_id, membership.unit.municipality)
    return call_boxes(user, municipalities.values())


def _edit_url(box: CallBox, several: bool) -> str:
    url = reverse("organisations:contacts")
    return f"{url}?municipality={box.municipality.pk}" if several else url


def contacts_attention(user: User, memberships: list[Membership]) -> list[AttentionItem]:
    """A warning per municipality whose intake or emergency number is missing: staff would
    not find whom to call on their start page."""
    boxes = _boxes(user, memberships)
    return [
        AttentionItem(
            text=_(
                "School staff in %(municipality)s do not see the numbers of the intake and "
                "the emergency line: enter them."
            )
            % {"municipality": box.municipality.name},
            url=_edit_url(box, len(boxes) > 1),
            severity="warning",
        )
        for box in boxes
        if not (box.has_intake and box.has_emergency)
    ]


def contacts_panels(user: User, memberships: list[Membership]) -> list[StartPanel]:
    boxes = _boxes(user, memberships)
    return [
        StartPanel(
            "organisations/start/contacts.html",
            {"boxes": [(box, _edit_url(box, len(boxes) > 1)) for box in boxes]},
        )
    ]
