"""Django's admin for the organisation, for the operators of an installation.

Day-to-day management happens in the app (``organisations.views``). Where the admin changes
something, it goes through the same services, so paths, audit events and history stay right.

The admin can not take over an account: it neither sets passwords nor creates accounts (they
are made in the app's user management, without a password chosen by somebody else), and what
decides who logs in as a user — authenticators, e-mail addresses, identity-provider links —
is shown read-only.
"""

from collections.abc import Callable
from typing import Any, override

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from access.admin import ReadOnlyAdmin
from organisations import services
from organisations.forms import add_service_errors
from organisations.models import Membership, Municipality, SchoolTerm, Unit, User

_UNIT_CHANGE_FIELDS = ("name", "parent", "kind", "sector", "school_forms", "pupil_count")


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _clean_with_rules(
    form: ModelForm, data: dict[str, Any], check: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    """The admin saves in ``save_model``, too late to show a form error, so its forms ask the
    services' own rule checks first and show their messages on the fields. The services check
    again under their lock when saving."""
    if not form.errors:
        try:
            check(data)
        except ValidationError as error:
            add_service_errors(form, error)
    return data


class UnitAdminForm(ModelForm):
    def clean(self) -> dict[str, Any]:
        return _clean_with_rules(self, super().clean() or {}, self._check_rules)

    def _check_rules(self, data: dict[str, Any]) -> None:
        municipality = data.get("municipality") or self.instance.municipality
        services.unit_name_check(
            municipality=municipality,
            name=data.get("name", ""),
            unit=self.instance if self.instance.pk else None,
        )


class SchoolTermAdminForm(ModelForm):
    def clean(self) -> dict[str, Any]:
        return _clean_with_rules(self, super().clean() or {}, self._check_rules)

    def _check_rules(self, data: dict[str, Any]) -> None:
        municipality = data.get("municipality") or self.instance.municipality
        if data.get("starts_on") and data.get("ends_on"):
            services.term_dates_check(
                municipality=municipality,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                term=self.instance if self.instance.pk else None,
            )


class MembershipAdminForm(ModelForm):
    def clean(self) -> dict[str, Any]:
        return _clean_with_rules(self, super().clean() or {}, self._check_rules)

    def _check_rules(self, data: dict[str, Any]) -> None:
        if all(data.get(name) for name in ("user", "unit", "role", "valid_from")):
            services.membership_period_check(
                user=data["user"],
                unit=data["unit"],
                role=data["role"],
                valid_from=data["valid_from"],
                valid_to=data.get("valid_to"),
            )


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    form = UnitAdminForm
    list_display = ("name", "municipality", "parent", "kind", "sector", "pupil_count", "is_active")
    list_filter = ("municipality", "kind", "sector", "is_active")
    search_fields = ("name",)
    readonly_fields = ("path",)
    list_select_related = ("municipality", "parent")
    autocomplete_fields = ("parent",)

    @override
    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> Any:
        # A unit never moves to another municipality.
        return ("path", "municipality") if obj else ("path",)

    @override
    def save_model(self, request: HttpRequest, obj: Unit, form: ModelForm, change: bool) -> None:
        if not change:
            created = services.unit_create(
                actor=_actor(request),
                municipality=obj.municipality,
                name=obj.name,
                kind=obj.kind,
                sector=obj.sector,
                parent=obj.parent,
                school_forms=obj.school_forms,
                pupil_count=obj.pupil_count,
            )
            if not obj.is_active:
                services.unit_update(actor=_actor(request), unit=created, is_active=False)
            obj.pk, obj.path = created.pk, created.path
            return
        stored = Unit.objects.select_related("municipality").get(pk=obj.pk)
        changes = {name: getattr(obj, name) for name in (*_UNIT_CHANGE_FIELDS, "is_active")}
        services.unit_update(actor=_actor(request), unit=stored, **changes)
        obj.path = stored.path


class _UserChangeForm(UserChangeForm):
    # No password field, and with it no link to the password form.
    password = None  # type: ignore[assignment]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts are looked at and their permissions set here; nobody's password is set here
    and no account is created here. The e-mail address is read-only too: password resets go
    to it and a login through the identity provider is matched by it (``core.auth``), so
    changing it would hand the account to whoever owns the new address."""

    form = _UserChangeForm
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "municipality",
        "is_active",
        "is_staff",
    )
    list_filter = ("municipality", "is_active", "is_staff", "is_superuser")
    list_select_related = ("municipality",)
    fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        (_("Organisation"), {"fields": ("municipality", "title", "phone")}),
    )
    readonly_fields = ("email", "last_login", "date_joined")

    @override
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @override
    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        raise PermissionDenied


class _AccountSecurityAdmin(ReadOnlyAdmin):
    actions = ()
    raw_id_fields = ("user",)


# allauth registers editable admins for these; they are replaced by read-only ones.
for _model in (Authenticator, EmailAddress, SocialAccount):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(Authenticator)
class AuthenticatorAdmin(_AccountSecurityAdmin):
    """Read-only: deleting a user's authenticator would let a password alone in again. The
    data (the TOTP secret, the recovery codes) is never shown."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type", "created_at", "last_used_at")
    fields = ("user", "type", "created_at", "last_used_at")


@admin.register(EmailAddress)
class EmailAddressAdmin(_AccountSecurityAdmin):
    """Read-only: an address added or verified here would receive the user's password reset."""

    list_display = ("email", "user", "primary", "verified")
    list_filter = ("primary", "verified")
    search_fields = ("email", "user__username")


@admin.register(SocialAccount)
class SocialAccountAdmin(_AccountSecurityAdmin):
    """Read-only: a link made here would let someone else's identity-provider login in."""

    list_display = ("user", "uid", "provider")
    list_filter = ("provider",)
    fields = ("user", "provider", "uid", "last_login", "date_joined")


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    """Memberships are added here or in the app and ended, never edited: the history of who
    held which role when must stay true."""

    form = MembershipAdminForm
    # Only the services decide these: an own role that sees children waits for a second admin.
    readonly_fields = ("state", "decided_by", "decided_at")

    list_display = ("user", "unit", "role", "valid_from", "valid_to", "includes_subtree", "state")
    list_filter = ("role", "unit__municipality", "includes_subtree", "state")
    search_fields = ("user__username", "user__last_name", "unit__name")
    list_select_related = ("user", "unit")
    autocomplete_fields = ("user", "unit")
    date_hierarchy = "valid_from"
    actions = ("end_now",)

    @override
    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False

    @override
    def save_model(
        self, request: HttpRequest, obj: Membership, form: ModelForm, change: bool
    ) -> None:
        created = services.membership_create(
            actor=_actor(request),
            user=obj.user,
            unit=obj.unit,
            role=obj.role,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            includes_subtree=obj.includes_subtree,
        )
        obj.pk = created.pk

    @admin.action(description=_("End the selected memberships now"), permissions=["add"])
    def end_now(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        count = 0
        for membership in queryset.select_related("unit__municipality"):
            services.membership_end(actor=_actor(request), membership=membership)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d membership ended.", "%(count)d memberships ended.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(SchoolTerm)
class SchoolTermAdmin(SimpleHistoryAdmin):
    form = SchoolTermAdminForm
    list_display = ("__str__", "municipality", "kind", "starts_on", "ends_on")
    list_filter = ("municipality", "kind")
    list_select_related = ("municipality",)
    date_hierarchy = "starts_on"

    @override
    def get_readonly_fields(self, request: HttpRequest, obj: SchoolTerm | None = None) -> Any:
        return ("municipality",) if obj else ()

    @override
    def save_model(
        self, request: HttpRequest, obj: SchoolTerm, form: ModelForm, change: bool
    ) -> None:
        if change:
            stored = SchoolTerm.objects.select_related("municipality").get(pk=obj.pk)
            services.term_update(
                actor=_actor(request),
                term=stored,
                kind=obj.kind,
                starts_on=obj.starts_on,
                ends_on=obj.ends_on,
            )
            return
        created = services.term_create(
            actor=_actor(request),
            municipality=obj.municipality,
            kind=obj.kind,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
        )
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: SchoolTerm) -> None:
        services.term_delete(actor=_actor(request), term=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SchoolTerm]) -> None:
        for term in queryset.select_related("municipality"):
            services.term_delete(actor=_actor(request), term=term)
