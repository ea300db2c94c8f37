"""The municipal admin's pages: the unit tree, accounts and their roles, and school terms.

Every object is loaded through a policy (``get_or_404`` or ``visible``), so another
municipality's units, accounts and terms are a 404, the same as a missing one. A user without
the admin role (or, for terms, the coordinator role) gets a 404 on these pages as well.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.loaders import get_or_404
from core.security import two_factor_required_for
from organisations import services
from organisations.calendar import swedish_holidays
from organisations.forms import (
    SCHOOL_KINDS,
    MembershipForm,
    TermForm,
    UnitForm,
    UserCreateForm,
    UserEditForm,
    add_service_errors,
)
from organisations.fragments import user_rows_html
from organisations.models import (
    Membership,
    MembershipState,
    Municipality,
    Role,
    SchoolTerm,
    Unit,
    User,
)
from organisations.policies import (
    ADMINISTER,
    APPROVE,
    MANAGE,
    membership_policy,
    school_break_policy,
    term_policy,
    unit_policy,
    user_policy,
)
from organisations.selectors import with_two_factor

USERS_PER_PAGE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _admin_of(request: HttpRequest) -> list[Municipality]:
    """The municipalities the user administers; a 404 for everyone else."""
    municipalities = unit_policy.municipalities(_user(request), MANAGE)
    if not municipalities:
        raise Http404
    return municipalities


def _terms_of(request: HttpRequest) -> list[Municipality]:
    municipalities = term_policy.municipalities(_user(request), MANAGE)
    if not municipalities:
        raise Http404
    return municipalities


def _still_open(day: datetime.date) -> Q:
    """Roles in force or still to come (or waiting for approval); a refused one never is."""
    return (Q(valid_to__isnull=True) | Q(valid_to__gte=day)) & ~Q(state=MembershipState.REFUSED)


# --- Units -------------------------------------------------------------------------------


@dataclass
class UnitRow:
    unit: Unit
    depth: int
    parent: Unit | None

    @property
    def indent(self) -> range:
        return range(self.depth)


@dataclass
class MunicipalityTree:
    municipality: Municipality
    rows: list[UnitRow] = field(default_factory=list)


def _unit_tree(municipalities: list[Municipality], units: list[Unit]) -> list[MunicipalityTree]:
    """Each municipality's units in tree order, siblings by name, with their depth."""
    by_id = {unit.pk: unit for unit in units}
    children: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        parent_id = unit.parent_id if unit.parent_id in by_id else None
        children[parent_id].append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda unit: (unit.name.casefold(), unit.pk))
    trees = {m.pk: MunicipalityTree(municipality=m) for m in municipalities}
    stack = [(root, 0) for root in reversed(children[None])]
    while stack:
        unit, depth = stack.pop()
        parent = by_id.get(unit.parent_id) if unit.parent_id else None
        trees[unit.municipality_id].rows.append(UnitRow(unit=unit, depth=depth, parent=parent))
        stack.extend((child, depth + 1) for child in reversed(children[unit.pk]))
    return list(trees.values())


@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    municipalities = _admin_of(request)
    units = list(unit_policy.visible(_user(request), MANAGE).order_by())
    return render(
        request,
        "organisations/unit_list.html",
        {"trees": _unit_tree(municipalities, units), "several": len(municipalities) > 1},
    )


def _unit_values(form: UnitForm) -> dict[str, Any]:
    data = form.cleaned_data
    is_school = data["kind"] in SCHOOL_KINDS
    return {
        "name": data["name"],
        "parent": data["parent"],
        "kind": data["kind"],
        "sector": data["sector"],
        "school_forms": list(data["school_forms"]) if is_school else [],
        "pupil_count": data["pupil_count"] if is_school else None,
        "staff_count": data["staff_count"],
    }


def _duplicate_unit_name(form: UnitForm) -> None:
    form.add_error("name", _("There is already a unit with this name in the municipality."))


@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    municipalities = _admin_of(request)
    form = UnitForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(
                actor=_user(request),
                municipality=form.cleaned_data["municipality"],
                **_unit_values(form),
            )
        except IntegrityError:
            _duplicate_unit_name(form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The unit “%(name)s” was created.") % {"name": unit.name})
            return redirect("organisations:unit_list")
    return render(request, "organisations/unit_form.html", {"form": form, "unit": None})


@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_or_404(request, unit_policy, MANAGE, pk=pk)
    heading = unit.name
    form = UnitForm(request.POST or None, municipalities=[unit.municipality], unit=unit)
    if request.method == "POST" and form.is_valid():
        changes = {**_unit_values(form), "is_active": form.cleaned_data["is_active"]}
        try:
            services.unit_update(actor=_user(request), unit=unit, **changes)
        except IntegrityError:
            _duplicate_unit_name(form)
        except ValidationError as error:
            add_service_errors(form, error)
        except ValueError:
            form.add_error("parent", _("The unit can not be placed there."))
        else:
            messages.success(request, _("The unit “%(name)s” was saved.") % {"name": unit.name})
            return redirect("organisations:unit_list")
    return render(
        request, "organisations/unit_form.html", {"form": form, "unit": unit, "heading": heading}
    )


# --- Accounts ----------------------------------------------------------------------------


def _search(users: QuerySet[User], query: str) -> QuerySet[User]:
    """Every word must match the first name, last name, username or email."""
    for word in query.split()[:5]:
        users = users.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    return users


def _id_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@dataclass
class UserPage:
    users: list[User]
    previous_url: str = ""
    next_url: str = ""


def _user_page(request: HttpRequest, users: QuerySet[User]) -> UserPage:
    """One page of users in (last name, first name, id) order, found by keyset: the cursor is
    the id of the row the page starts after (or ends before), never a name and never an
    offset. The anchor's sort key is read in a subquery of the visible rows, so a cursor can
    not be used to probe the order of other people's names."""
    after, before = _id_param(request, "after"), _id_param(request, "before")
    anchor_id = after or before
    if anchor_id is not None:
        anchor = users.filter(pk=anchor_id)
        last = Subquery(anchor.values("last_name")[:1])
        first = Subquery(anchor.values("first_name")[:1])
        if after:
            users = users.filter(
                Q(last_name__gt=last)
                | Q(last_name=last, first_name__gt=first)
                | Q(last_name=last, first_name=first, pk__gt=anchor_id)
            )
        else:
            users = users.filter(
                Q(last_name__lt=last)
                | Q(last_name=last, first_name__lt=first)
                | Q(last_name=last, first_name=first, pk__lt=anchor_id)
            )
    ordering = ("last_name", "first_name", "pk")
    if before:
        ordering = ("-last_name", "-first_name", "-pk")
    rows = list(users.order_by(*ordering)[: USERS_PER_PAGE + 1])
    more = len(rows) > USERS_PER_PAGE
    rows = rows[:USERS_PER_PAGE]
    if before:
        rows.reverse()
    page = UserPage(users=rows)
    if not rows:
        return page
    base = reverse("organisations:user_list")
    has_previous = more if before else after is not None
    has_next = more if not before else True
    if has_previous:
        page.previous_url = f"{base}?{urlencode({'before': rows[0].pk})}"
    if has_next:
        page.next_url = f"{base}?{urlencode({'after': rows[-1].pk})}"
    return page


# The search text is kept in the session, not the URL: names must not end up in URLs (and so
# in proxy logs and browser history).
USER_SEARCH_KEY = "organisations_user_search"


@require_http_methods(["GET", "POST"])
def user_list(request: HttpRequest) -> HttpResponse:
    _admin_of(request)
    user = _user(request)
    if request.method == "POST":
        request.session[USER_SEARCH_KEY] = request.POST.get("q", "").strip()[:100]
        return redirect("organisations:user_list")
    query = request.session.get(USER_SEARCH_KEY, "")
    local_roles = (
        membership_policy.visible(user, MANAGE)
        .filter(_still_open(timezone.localdate()))
        .select_related("unit")
        .order_by("unit__name", "role")
    )
    users = with_two_factor(_search(user_policy.visible(user, MANAGE), query)).prefetch_related(
        Prefetch("memberships", queryset=local_roles, to_attr="local_roles")
    )
    page = _user_page(request, users)
    for account in page.users:
        # Required by a role in the admin's municipality (or the staff flag): a missing app is
        # then something to act on, not just a fact.
        account.two_factor_required = two_factor_required_for(  # type: ignore[attr-defined]
            (membership.role for membership in account.local_roles),  # type: ignore[attr-defined]
            staff=account.is_staff or account.is_superuser,
        )
    return render(
        request,
        "organisations/user_list.html",
        {"page": page, "query": query, "rows_html": user_rows_html(page.users)},
    )


@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    municipalities = _admin_of(request)
    form = UserCreateForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, _membership = services.user_create_with_membership(
                actor=_user(request),
                unit=data["unit"],
                role=data["role"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                includes_subtree=data["includes_subtree"],
                username=data["username"],
                password=data["password1"] or None,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                title=data["title"],
                phone=data["phone"],
            )
        except IntegrityError:
            # Two submits at the same moment: the second one loses on the unique username.
            form.add_error(
                "username",
                _("The username “%(username)s” is already taken. Choose another one.")
                % {"username": data["username"]},
            )
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            messages.success(
                request,
                _("The account %(name)s was created with its first role.")
                % {"name": account.display_name},
            )
            return redirect("organisations:user_detail", pk=account.pk)
    return render(request, "organisations/user_create.html", {"form": form})


@dataclass
class MembershipRow:
    membership: Membership
    status: str  # "active", "coming", "ended", "pending" or "refused"

    @property
    def can_end(self) -> bool:
        return self.status not in {"ended", "refused"}


def _status(membership: Membership, today: datetime.date) -> str:
    if membership.state == MembershipState.REFUSED:
        return "refused"
    if membership.valid_to is not None and membership.valid_to < today:
        return "ended"
    if membership.state == MembershipState.PENDING:
        return "pending"
    if membership.valid_from > today:
        return "coming"
    return "active"


@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_or_404(request, user_policy, MANAGE, pk=pk)
    today = timezone.localdate()
    memberships = (
        membership_policy.visible(_user(request), MANAGE)
        .filter(user=account)
        .order_by("-valid_from", "unit__name", "pk")
    )
    rows = [MembershipRow(m, _status(m, today)) for m in memberships]
    rows.sort(key=lambda row: row.status in {"ended", "refused"})
    context = {
        "account": account,
        "rows": rows,
        "can_administer": user_policy.can(_user(request), ADMINISTER, account),
        "is_self": account.pk == request.user.pk,
    }
    return render(request, "organisations/user_detail.html", context)


@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_or_404(request, user_policy, ADMINISTER, pk=pk)
    form = UserEditForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        services.user_update(
            actor=_user(request),
            municipality=account.municipality,  # type: ignore[arg-type]
            user=account,
            **form.changes(),
        )
        messages.success(request, _("The account was saved."))
        return redirect("organisations:user_detail", pk=account.pk)
    return render(request, "organisations/user_edit.html", {"form": form, "account": account})


@require_http_methods(["GET", "POST"])
def membership_create(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_or_404(request, user_policy, MANAGE, pk=pk)
    municipalities = _admin_of(request)
    form = MembershipForm(request.POST or None, account=account, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.membership_create(
                actor=_user(request),
                user=account,
                unit=data["unit"],
                role=data["role"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                includes_subtree=data["includes_subtree"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return render(
                request, "organisations/membership_form.html", {"form": form, "account": account}
            )
        values = {
            "name": account.display_name,
            "role": Role(data["role"]).label,
            "unit": data["unit"].name,
        }
        if membership.state == MembershipState.PENDING:
            messages.warning(
                request,
                _(
                    "The role “%(role)s” at %(unit)s sees children, and you gave it to "
                    "yourself: it gives access once another administrator of the municipality "
                    "has approved it."
                )
                % values,
            )
        else:
            messages.success(
                request, _("%(name)s now has the role “%(role)s” at %(unit)s.") % values
            )
        if not account.is_active:
            messages.warning(
                request,
                _("The account is deactivated and can not log in until it is reactivated."),
            )
        return redirect("organisations:user_detail", pk=account.pk)
    return render(request, "organisations/membership_form.html", {"form": form, "account": account})


def _back_to_account(request: HttpRequest, account: User) -> HttpResponse:
    """The account's page, or the list when the account is no longer the admin's to see."""
    if user_policy.can(_user(request), MANAGE, account):
        return redirect("organisations:user_detail", pk=account.pk)
    return redirect("organisations:user_list")


@require_http_methods(["GET", "POST"])
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_or_404(request, membership_policy, MANAGE, pk=pk)
    today = timezone.localdate()
    status = _status(membership, today)
    over = status in {"ended", "refused"}
    if request.method == "POST":
        if over:
            messages.info(request, _("The role had already ended."))
        else:
            services.membership_end(actor=_user(request), membership=membership)
            messages.success(
                request,
                _("The role “%(role)s” at %(unit)s has ended. It gives no access any more.")
                % {"role": membership.get_role_display(), "unit": membership.unit.name},
            )
        return _back_to_account(request, membership.user)
    context = {
        "membership": membership,
        "status": status,
        "over": over,
        "own_admin_role": membership.user_id == request.user.pk
        and membership.role == Role.MUNICIPAL_ADMIN,
    }
    return render(request, "organisations/membership_end.html", context)


APPROVALS_SHOWN = 100


@require_GET
def membership_approvals(request: HttpRequest) -> HttpResponse:
    """Roles that other admins of the municipality gave themselves and that see children: they
    give no access until a second admin approves them here."""
    municipalities = _admin_of(request)
    pending = list(
        membership_policy.visible(_user(request), APPROVE).order_by("created_at", "pk")[
            : APPROVALS_SHOWN + 1
        ]
    )
    return render(
        request,
        "organisations/membership_approvals.html",
        {
            "pending": pending[:APPROVALS_SHOWN],
            "more": len(pending) > APPROVALS_SHOWN,
            "several": len(municipalities) > 1,
        },
    )


@require_POST
def membership_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or refuse one pending role (the button pressed says which)."""
    membership = get_or_404(request, membership_policy, APPROVE, pk=pk)
    decision = request.POST.get("decision")
    if decision not in {"approve", "refuse"}:
        messages.error(request, _("Choose whether to approve or refuse the role."))
        return redirect("organisations:membership_approvals")
    values = {
        "name": membership.user.display_name,
        "role": membership.get_role_display(),
        "unit": membership.unit.name,
    }
    try:
        if decision == "approve":
            services.membership_approve(actor=_user(request), membership=membership)
            text = _("%(name)s now has the role “%(role)s” at %(unit)s.")
        else:
            services.membership_refuse(actor=_user(request), membership=membership)
            text = _("The role “%(role)s” at %(unit)s for %(name)s was refused.")
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, text % values)
    return redirect("organisations:membership_approvals")


@require_http_methods(["GET", "POST"])
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_or_404(request, user_policy, MANAGE, pk=pk)
    municipalities = _admin_of(request)
    is_self = account.pk == request.user.pk
    if request.method == "POST":
        if is_self:
            messages.error(request, _("You can not deactivate your own account."))
            return redirect("organisations:user_detail", pk=account.pk)
        for municipality in municipalities:
            services.user_deactivate(actor=_user(request), municipality=municipality, user=account)
        account.refresh_from_db(fields=["is_active"])
        if account.is_active:
            messages.success(
                request,
                _(
                    "The roles in your municipality have ended. The account stays active "
                    "because it has roles elsewhere."
                ),
            )
        else:
            messages.success(
                request,
                _("The account is deactivated and logged out everywhere. Its roles have ended."),
            )
        return _back_to_account(request, account)
    today = timezone.localdate()
    # Only whether roles elsewhere exist, never which: the admin must know if the account
    # stays active, but another municipality's roles are not theirs to see.
    open_roles = Membership.objects.filter(_still_open(today), user=account)
    local = list(
        membership_policy.visible(_user(request), MANAGE)
        .filter(_still_open(today), user=account)
        .order_by("unit__name", "role")
    )
    context = {
        "account": account,
        "local": local,
        "is_self": is_self,
        "roles_elsewhere": open_roles.exclude(unit__municipality__in=municipalities).exists(),
    }
    return render(request, "organisations/user_deactivate.html", context)


@require_http_methods(["GET", "POST"])
def user_sessions_end(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_or_404(request, user_policy, ADMINISTER, pk=pk)
    if request.method == "POST":
        count = services.user_sessions_end(actor=_user(request), user=account)
        messages.success(
            request,
            ngettext(
                "%(name)s was logged out everywhere (%(count)d session ended).",
                "%(name)s was logged out everywhere (%(count)d sessions ended).",
                count,
            )
            % {"name": account.display_name, "count": count},
        )
        return redirect("organisations:user_detail", pk=account.pk)
    return render(
        request,
        "organisations/user_sessions_end.html",
        {"account": account, "is_self": account.pk == request.user.pk},
    )


# --- School terms ------------------------------------------------------------------------


@dataclass
class TermRow:
    term: SchoolTerm
    holidays: list[tuple[datetime.date, str]]


@require_GET
def term_list(request: HttpRequest) -> HttpResponse:
    municipalities = _terms_of(request)
    terms = list(
        term_policy.visible(_user(request), MANAGE).order_by("municipality__name", "starts_on")
    )
    holidays: dict[datetime.date, str] = {}
    if terms:
        holidays = swedish_holidays(
            min(term.starts_on for term in terms),
            max(term.ends_on for term in terms),
            language=translation.get_language() or "sv",
        )
    rows = [
        TermRow(
            term,
            [
                (day, name)
                for day, name in holidays.items()
                if term.starts_on <= day <= term.ends_on
            ],
        )
        for term in terms
    ]
    breaks = [
        (school_break, _school_year_label(school_break.starts_on))
        for school_break in school_break_policy.visible(_user(request), MANAGE).order_by(
            "municipality__name", "starts_on"
        )
    ]
    return render(
        request,
        "organisations/term_list.html",
        {"rows": rows, "breaks": breaks, "several": len(municipalities) > 1},
    )


def _school_year_label(day: datetime.date) -> str:
    """ "2025/26" for a day from July 2025 to June 2026."""
    first = day.year if day.month >= 7 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def _duplicate_term(form: TermForm) -> None:
    form.add_error("starts_on", _("There is already a term of this kind starting that day."))


@require_http_methods(["GET", "POST"])
def term_create(request: HttpRequest) -> HttpResponse:
    municipalities = _terms_of(request)
    form = TermForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            term = services.term_create(
                actor=_user(request),
                municipality=data["municipality"],
                kind=data["kind"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except IntegrityError:
            _duplicate_term(form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(term)s was added.") % {"term": term})
            return redirect("organisations:term_list")
    return render(request, "organisations/term_form.html", {"form": form, "term": None})


@require_http_methods(["GET", "POST"])
def term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_or_404(request, term_policy, MANAGE, pk=pk)
    heading = str(term)
    form = TermForm(request.POST or None, municipalities=[term.municipality], term=term)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.term_update(
                actor=_user(request),
                term=term,
                kind=data["kind"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except IntegrityError:
            _duplicate_term(form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(term)s was saved.") % {"term": term})
            return redirect("organisations:term_list")
    return render(
        request, "organisations/term_form.html", {"form": form, "term": term, "heading": heading}
    )


@require_http_methods(["GET", "POST"])
def term_delete(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_or_404(request, term_policy, MANAGE, pk=pk)
    if request.method == "POST":
        name = str(term)
        services.term_delete(actor=_user(request), term=term)
        messages.success(request, _("%(term)s was deleted.") % {"term": name})
        return redirect("organisations:term_list")
    return render(request, "organisations/term_delete.html", {"term": term})
