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


_REPORTERS = frozenset(
    {Role.REPORTER, Role.STUDENT_HEALTH, Role.MEDICAL_STUDENT_HEALTH, Role.PRINCIPAL}
)

# Who convenes, proposes or takes part in coordinated plans (sip.policies).
_SIP = frozenset(
    {
        Role.MEDICAL_STUDENT_HEALTH,
        Role.INTAKE,
        Role.SIP_PARTICIPANT,
        Role.STUDENT_HEALTH,
        Role.PRINCIPAL,
    }
)

# Who sees a municipality's follow-up (followup.policies.VIEW_ROLES).
_FOLLOW_UP = frozenset(
    {
        Role.COORDINATOR,
        Role.MANAGER,
        Role.BOARD_MEMBER,
        Role.AUDITOR,
        Role.MUNICIPAL_ADMIN,
        Role.INTAKE,
        Role.PRINCIPAL,
    }
)

# Everyone with a role somewhere reads the governance documents and the annual wheel.
_STAFF = frozenset(Role.values)

NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Start"), "core:start"),
    NavItem(_("New report of concern"), "reports:new", _REPORTERS),
    NavItem(_("My reports"), "reports:my_reports", _REPORTERS),
    NavItem(_("The school's reports"), "reports:school_reports", frozenset({Role.PRINCIPAL})),
    NavItem(_("Intake inbox"), "reports:inbox", frozenset({Role.INTAKE})),
    NavItem(_("Coordinated plans"), "sip:plan_list", _SIP),
    NavItem(_("Governance documents"), "governance:document_list", _STAFF),
    NavItem(_("Annual wheel"), "wheel:wheel", _STAFF),
    NavItem(_("Activity series"), "wheel:series_list", frozenset({Role.COORDINATOR})),
    NavItem(
        _("Coverage of schools"), "wheel:coverage", frozenset({Role.COORDINATOR, Role.MANAGER})
    ),
    NavItem(
        _("Audits"),
        "audits:audit_list",
        frozenset({Role.AUDITOR, Role.COORDINATOR, Role.MANAGER, Role.BOARD_MEMBER}),
    ),
    NavItem(
        _("Reports to the board"),
        "followup_board:list",
        frozenset({Role.COORDINATOR, Role.MANAGER, Role.BOARD_MEMBER, Role.AUDITOR}),
    ),
    NavItem(_("Follow-up"), "followup:dashboard", _FOLLOW_UP),
    # Who reads a municipality's rounds (surveys.policies.READER_ROLES); a member of a round's
    # analysis group gets a notification with the round's link.
    NavItem(
        _("Surveys"),
        "surveys:round_list",
        frozenset({Role.COORDINATOR, Role.MANAGER, Role.BOARD_MEMBER, Role.AUDITOR}),
    ),
    # The case library is for all staff; the sessions and their follow-up for coordinators,
    # managers and auditors (training.policies), linked from the library's page.
    NavItem(_("Training"), "training:vignette_list", _STAFF),
    NavItem(_("Units"), "organisations:unit_list", frozenset({Role.MUNICIPAL_ADMIN})),
    NavItem(_("Users"), "organisations:user_list", frozenset({Role.MUNICIPAL_ADMIN})),
    NavItem(
        _("School terms"),
        "organisations:term_list",
        frozenset({Role.MUNICIPAL_ADMIN, Role.COORDINATOR}),
    ),
    NavItem(_("Log review"), "access:log_review", frozenset({Role.MUNICIPAL_ADMIN})),
    NavItem(
        _("Deadlines for reports"), "reports:deadline_settings", frozenset({Role.MUNICIPAL_ADMIN})
    ),
    NavItem(_("Numbers to call"), "organisations:contacts", frozenset({Role.MUNICIPAL_ADMIN})),
    NavItem(_("Retention"), "retention:overview", frozenset({Role.MUNICIPAL_ADMIN})),
)


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    current: bool


def navigation_for(user: User, current_path: str) -> list[NavLink]:
    roles = roles_of(user)
    items = [
        (item.label, reverse(item.url_name))
        for item in NAV_ITEMS
        if item.roles is None or item.roles & roles
    ]
    # The current page is the entry with the longest URL that the path starts with.
    matching = [url for _label, url in items if url != "/" and current_path.startswith(url)]
    current = max(matching, key=len) if matching else ("/" if current_path == "/" else "")
    return [NavLink(label, url, url == current) for label, url in items]
