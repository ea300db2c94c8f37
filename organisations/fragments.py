"""The users list's rows, written as HTML here rather than by a template loop.

The municipal administrator's users list showed 50 accounts a page, each row with its roles,
its account state and its two-factor state: some forty template lookups, a URL reversal and
the role labels per row made the loop ~6 of the page's ~8 ms render on the benchmark's Leksand
data (the slowest list template, T8). The markup is the loop's
(``organisations/tests/test_user_rows_fragment.py`` holds them to it), every value through
``html.escape``.
"""

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.links import RowLink
from organisations.models import User


def user_rows_html(users: Sequence[User]) -> SafeString:
    """The table's body rows (``<tr>``). Each account has ``local_roles`` (its memberships at
    the administrator's units, with the unit), ``has_totp`` and ``two_factor_required``."""
    if not users:
        return mark_safe("")
    words = _Words()
    return mark_safe("".join(_row(account, words) for account in users))  # noqa: S308 - escaped


class _Words:
    """The column labels and the states' words, translated and escaped once per list."""

    def __init__(self) -> None:
        self.username = escape(gettext("Username"))
        self.email = escape(gettext("Email"))
        self.roles = escape(gettext("Current roles in your municipality"))
        self.account = escape(gettext("Account"))
        self.two_factor = escape(gettext("Two-factor authentication"))
        self.none = escape(gettext("None"))
        self.active = escape(gettext("Active"))
        self.deactivated = escape(gettext("Deactivated"))
        self.set_up = escape(gettext("Set up"))
        self.missing = escape(gettext("Missing, required for the role"))
        self.not_set_up = escape(gettext("Not set up"))
        self.link = RowLink("organisations:user_detail", numbered=True)


def _row(account: User, words: _Words) -> str:
    if account.last_name or account.first_name:
        name = f"{escape(account.last_name)}, {escape(account.first_name)}"
    else:
        name = escape(account.username)
    roles = "<br>".join(
        f"{escape(str(membership.get_role_display()))} – {escape(membership.unit.name)}"
        for membership in account.local_roles  # type: ignore[attr-defined]
    )
    if not roles:
        roles = f'<span class="muted">{words.none}</span>'
    if account.is_active:
        state = f'<span class="badge badge--ok">{words.active}</span>'
    else:
        state = f'<span class="badge badge--danger">{words.deactivated}</span>'
    if account.has_totp:  # type: ignore[attr-defined]
        two_factor, shown = "on", f'<span class="badge badge--ok">{words.set_up}</span>'
    elif account.two_factor_required:  # type: ignore[attr-defined]
        two_factor, shown = "missing", f'<span class="badge badge--danger">{words.missing}</span>'
    else:
        two_factor, shown = "off", f'<span class="muted">{words.not_set_up}</span>'
    return (
        f'<tr><th scope="row"><a href="{words.link(account.pk)}">{name}</a></th>'
        f'<td data-label="{words.username}">{escape(account.username)}</td>'
        f'<td data-label="{words.email}" class="break">{escape(account.email)}</td>'
        f'<td data-label="{words.roles}">{roles}</td>'
        f'<td data-label="{words.account}">{state}</td>'
        f'<td data-label="{words.two_factor}" data-two-factor="{two_factor}">{shown}</td></tr>\n'
    )
