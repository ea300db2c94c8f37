"""The main navigation, by role. Each app's entries are listed here so the menu stays in one
place; an entry is shown when the user holds one of its roles somewhere."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from organisations.models import Role, User
from organisations.selectors import roles_of


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str] | None = None  # None: every logged-in user


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Start"), "core:start"),
    NavItem(_("Units"), "organisations:unit_list", frozenset({Role.MUNICIPAL_ADMIN})),
    NavItem(_("Users"), "organisations:user_list", frozenset({Role.MUNICIPAL_ADMIN})),
    NavItem(
        _("School terms"),
        "organisations:term_list",
        frozenset({Role.MUNICIPAL_ADMIN, Role.COORDINATOR}),
    ),
    NavItem(_("Log review"), "access:log_review", frozenset({Role.MUNICIPAL_ADMIN})),
)


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    current: bool


def navigation_for(user: User, current_path: str) -> list[NavLink]:
    roles = roles_of(user)
    links = []
    for item in NAV_ITEMS:
        if item.roles is not None and not (item.roles & roles):
            continue
        url = reverse(item.url_name)
        is_current = current_path == url if url == "/" else current_path.startswith(url)
        links.append(NavLink(item.label, url, is_current))
    return links
