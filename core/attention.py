"""What needs a user's attention on the start page. Each app registers a provider per role;
a provider returns short items (never child data beyond what the role may see)."""

from collections.abc import Callable
from dataclasses import dataclass, field

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


@dataclass
class RoleSection:
    role: str
    role_label: str
    memberships: list[Membership]
    items: list[AttentionItem] = field(default_factory=list)


def start_sections(user: User) -> list[RoleSection]:
    """One section per role the user holds, with that role's items."""
    by_role: dict[str, list[Membership]] = {}
    for membership in memberships_of(user):
        by_role.setdefault(membership.role, []).append(membership)
    sections = []
    for role, memberships in by_role.items():
        section = RoleSection(role=role, role_label=str(Role(role).label), memberships=memberships)
        for provider in _providers.get(role, []):
            section.items.extend(provider(user, memberships))
        sections.append(section)
    return sections
