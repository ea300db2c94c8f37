"""What needs a user's attention on the start page. Each app registers a provider per role;
a provider returns short items (never child data beyond what the role may see)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from organisations.models import Membership, Role, User
from organisations.selectors import memberships_of


@dataclass(frozen=True)
class AttentionItem:
    text: str | Promise
    url: str = ""
    severity: str = "info"  # "info", "warning" or "danger"


Provider = Callable[[User, list[Membership]], list[AttentionItem]]
_providers: dict[str, list[Provider]] = {}


def register(role: str, provider: Provider) -> None:
    bucket = _providers.setdefault(role, [])
    if provider not in bucket:
        bucket.append(provider)


@dataclass(frozen=True)
class StartPanel:
    """A block of a role's section on the start page, below what needs attention: a template
    and its context (e.g. the follow-up's numbers; the board report and the audits add
    theirs). A provider must cost a fixed number of queries whatever the data size."""

    template: str
    context: dict[str, Any]
    # Shown first in the section, above what needs attention: the role's main job (the
    # reporter's "make a report" and the numbers to call).
    lead: bool = False
    # Panels stand in this order within their part of the section (then as registered):
    # an app can put its panel between two of another app's.
    order: int = 100


PanelProvider = Callable[[User, list[Membership]], list[StartPanel]]
_panel_providers: dict[str, list[PanelProvider]] = {}


def register_panel(role: str, provider: PanelProvider) -> None:
    bucket = _panel_providers.setdefault(role, [])
    if provider not in bucket:
        bucket.append(provider)


@dataclass
class RoleSection:
    role: str
    role_label: str
    memberships: list[Membership]
    items: list[AttentionItem] = field(default_factory=list)
    panels: list[StartPanel] = field(default_factory=list)

    @property
    def lead_panels(self) -> list[StartPanel]:
        return sorted((panel for panel in self.panels if panel.lead), key=_by_order)

    @property
    def other_panels(self) -> list[StartPanel]:
        return sorted((panel for panel in self.panels if not panel.lead), key=_by_order)


def _by_order(panel: StartPanel) -> int:
    return panel.order


def start_sections(user: User) -> list[RoleSection]:
    """One section per role the user holds, with that role's items and panels."""
    by_role: dict[str, list[Membership]] = {}
    for membership in memberships_of(user):
        by_role.setdefault(membership.role, []).append(membership)
    sections = []
    for role, memberships in by_role.items():
        section = RoleSection(role=role, role_label=str(Role(role).label), memberships=memberships)
        for provider in _providers.get(role, []):
            section.items.extend(provider(user, memberships))
        for panel_provider in _panel_providers.get(role, []):
            section.panels.extend(panel_provider(user, memberships))
        sections.append(section)
    return sections
