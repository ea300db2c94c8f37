"""Forms for the municipal admin's pages: units, accounts, memberships and school terms.

Forms check what the user typed and say clearly what is wrong; the services do the writing
and own the rules that need other rows (overlapping terms and roles, unique unit names): they
check them under a lock and raise ``ValidationError``, which ``add_service_errors`` shows on
the field.
Choices of units and municipalities are always limited to what the user manages.
"""

import datetime
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import (
    DEFAULT_SECTOR_BY_KIND,
    BreakKind,
    Municipality,
    Role,
    SchoolBreak,
    SchoolForm,
    SchoolTerm,
    Sector,
    TermKind,
    Unit,
    UnitKind,
    User,
)

SCHOOL_KINDS = frozenset({UnitKind.SCHOOL, UnitKind.PRESCHOOL})
# Months in which a term may begin: autumn terms in July–September, spring terms in
# December–February (a spring term may start before New Year in some municipalities).
TERM_START_MONTHS: dict[str, frozenset[int]] = {
    TermKind.AUTUMN: frozenset({7, 8, 9}),
    TermKind.SPRING: frozenset({12, 1, 2}),
}
MAX_TERM_DAYS = 250


class DateInput(forms.DateInput):
    """The browser's date picker; the value is always sent as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the fields it names (the rules that need the
    database and a lock live in the services); names the form does not show go on the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.error_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class _UnitChoiceField(forms.ModelChoiceField):
    """Unit names, with the municipality when the user manages more than one."""

    def __init__(self, *args: Any, show_municipality: bool = False, **kwargs: Any) -> None:
        self.show_municipality = show_municipality
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Unit) -> str:
        if self.show_municipality:
            return f"{obj.name} ({obj.municipality.name})"
        return obj.name


def _municipality_field(municipalities: list[Municipality]) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.filter(pk__in=[m.pk for m in municipalities]),
        empty_label=None,
    )


# --- Units -------------------------------------------------------------------------------


class UnitForm(forms.Form):
    """A unit's place in the tree and what kind of unit it is.

    ``municipalities`` are those the user administers; when editing, ``unit`` is the unit and
    its own municipality is used.
    """

    municipality = forms.ModelChoiceField(queryset=Municipality.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = _UnitChoiceField(
        label=_("Part of"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Nothing (top level)"),
        help_text=_("The unit above this one in the municipality's organisation."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", BLANK_CHOICE_LABEL), *UnitKind.choices])
    sector = forms.ChoiceField(
        label=_("Sector"),
        required=False,
        help_text=_(
            "Decides which confidentiality rules apply. Leave it at the usual sector unless "
            "the unit belongs to another one."
        ),
    )
    school_forms = forms.MultipleChoiceField(
        label=_("School forms"),
        choices=SchoolForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for schools and preschools."),
    )
    pupil_count = forms.IntegerField(
        label=_("Number of pupils"),
        required=False,
        min_value=0,
        max_value=100_000,
        help_text=_("Only for schools and preschools."),
    )
    staff_count = forms.IntegerField(
        label=_("Number of staff"),
        required=False,
        min_value=0,
        max_value=100_000,
        help_text=_("The share of staff trained is counted from it. Leave empty if unknown."),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("The roles of people at an inactive unit give no access."),
    )

    def __init__(
        self,
        *args: Any,
        municipalities: list[Municipality],
        unit: Unit | None = None,
        **kwargs: Any,
    ) -> None:
        self.unit = unit
        if unit is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": unit.name,
                    "parent": unit.parent_id,
                    "kind": unit.kind,
                    "sector": unit.sector,
                    "school_forms": unit.school_forms,
                    "pupil_count": unit.pupil_count,
                    "staff_count": unit.staff_count,
                    "is_active": unit.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        sector_field = self.fields["sector"]
        assert isinstance(sector_field, forms.ChoiceField)
        sector_field.choices = [("", _("The usual sector for the kind")), *Sector.choices]
        if unit is not None:
            municipality_ids = [unit.municipality_id]
            del self.fields["municipality"]
        else:
            municipality_ids = [m.pk for m in municipalities]
            del self.fields["is_active"]
            if len(municipalities) > 1:
                self.fields["municipality"] = _municipality_field(municipalities)
            else:
                del self.fields["municipality"]
        self.single_municipality = (
            unit.municipality if unit else (municipalities[0] if municipalities else None)
        )
        parent_field = self.fields["parent"]
        assert isinstance(parent_field, _UnitChoiceField)
        parent_field.queryset = (
            Unit.objects.filter(municipality_id__in=municipality_ids)
            .select_related("municipality")
            .order_by("municipality__name", "name")
        )
        parent_field.show_municipality = len(municipality_ids) > 1

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        municipality = data.get("municipality") or self.single_municipality
        data["municipality"] = municipality
        parent: Unit | None = data.get("parent")
        kind = data.get("kind")
        if parent is not None and municipality is not None:
            if parent.municipality_id != municipality.pk:
                self.add_error(
                    "parent",
                    _("The unit above must belong to the same municipality as the unit."),
                )
            elif self.unit is not None and parent.pk == self.unit.pk:
                self.add_error("parent", _("A unit can not be part of itself."))
            elif self.unit is not None and parent.path.startswith(self.unit.path):
                self.add_error(
                    "parent",
                    ValidationError(
                        _(
                            "“%(parent)s” is below “%(unit)s” in the tree. A unit can not be "
                            "placed under one of its own units."
                        ),
                        code="loop",
                        params={"parent": parent.name, "unit": self.unit.name},
                    ),
                )
        if kind:
            if kind not in SCHOOL_KINDS:
                if data.get("school_forms"):
                    self.add_error(
                        "school_forms", _("School forms apply only to schools and preschools.")
                    )
                if data.get("pupil_count") is not None:
                    self.add_error(
                        "pupil_count",
                        _("The number of pupils applies only to schools and preschools."),
                    )
            data["sector"] = data.get("sector") or DEFAULT_SECTOR_BY_KIND[kind]
        return data


# --- Accounts and memberships ------------------------------------------------------------


def _email_taken(email: str, exclude: User | None = None) -> bool:
    others = User.objects.filter(email__iexact=email)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


class AccountFields(forms.Form):
    """Name and contact details of an account."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Used for password reset and notifications."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        required=False,
        help_text=_("For example “school counsellor”."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    account: User | None = None

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        if _email_taken(email, exclude=self.account):
            raise ValidationError(
                _("Another account already uses this email address."), code="email_taken"
            )
        return email


class MembershipFields(forms.Form):
    """A role at a unit for a period."""

    unit = _UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=[("", BLANK_CHOICE_LABEL), *Role.choices])
    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=DateInput(),
        help_text=_("The first day of the role."),
    )
    valid_to = forms.DateField(
        label=_("Valid to"),
        required=False,
        widget=DateInput(),
        help_text=_("The last day of the role. Leave empty if it has no end date."),
    )
    includes_subtree = forms.BooleanField(
        label=_("Includes the units below"),
        required=False,
        help_text=_("The role then also applies to every unit under this one."),
    )

    def _limit_units(self, municipalities: list[Municipality]) -> None:
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, _UnitChoiceField)
        unit_field.queryset = units_for_memberships(municipalities)
        unit_field.show_municipality = len(municipalities) > 1
        self.fields["valid_from"].initial = timezone.localdate

    def _clean_period(self, data: dict[str, Any]) -> None:
        valid_from = data.get("valid_from")
        valid_to = data.get("valid_to")
        if valid_to is None:
            return
        if valid_from is not None and valid_to < valid_from:
            self.add_error(
                "valid_to",
                ValidationError(
                    _("The last day (%(to)s) can not be before the first day (%(from)s)."),
                    code="period",
                    params={"to": _date(valid_to), "from": _date(valid_from)},
                ),
            )
        elif valid_to < timezone.localdate():
            self.add_error("valid_to", _("A new role can not have ended already."))


def units_for_memberships(municipalities: list[Municipality]) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(municipality__in=municipalities, is_active=True)
        .select_related("municipality")
        .order_by("municipality__name", "name")
    )


class UserCreateForm(AccountFields, MembershipFields):
    """A new account and its first role, saved together."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Optional. Leave empty if the person logs in through the municipality's identity "
            "provider or sets a password with “Forgot password”."
        ),
    )
    password2 = forms.CharField(
        label=_("Initial password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "username",
        "first_name",
        "last_name",
        "email",
        "title",
        "phone",
        "password1",
        "password2",
        "unit",
        "role",
        "valid_from",
        "valid_to",
        "includes_subtree",
    ]

    def __init__(self, *args: Any, municipalities: list[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit_units(municipalities)
        self.fields["username"].help_text = _(
            "Used to log in. Letters, digits and @ . + - _ only; it can not be changed later."
        )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                _("The username “%(username)s” is already taken. Choose another one."),
                code="username_taken",
                params={"username": username},
            )
        return username

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self._clean_period(data)
        password1 = data.get("password1") or ""
        password2 = data.get("password2") or ""
        if password1 or password2:
            if password1 != password2:
                self.add_error("password2", _("The two passwords are not the same."))
            else:
                candidate = User(
                    username=data.get("username") or "",
                    first_name=data.get("first_name") or "",
                    last_name=data.get("last_name") or "",
                    email=data.get("email") or "",
                )
                try:
                    password_validation.validate_password(password1, candidate)
                except ValidationError as error:
                    self.add_error("password1", error)
        return data


class UserEditForm(AccountFields):
    """Change an account's name and contact details; reactivate a deactivated account."""

    is_active = forms.BooleanField(
        label=_("Reactivate the account"),
        required=False,
        help_text=_("The account can log in again. It also needs a current role to see anything."),
    )

    def __init__(self, *args: Any, account: User, **kwargs: Any) -> None:
        self.account = account
        kwargs.setdefault(
            "initial",
            {
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": account.email,
                "title": account.title,
                "phone": account.phone,
                "is_active": account.is_active,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _(
            "Used for password reset and notifications. If you change it, the old address is "
            "told, and the change is listed in the log review."
        )
        if account.is_active:
            # Deactivation has its own page: it also ends roles and sessions.
            del self.fields["is_active"]

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("is_active"):
            data.pop("is_active", None)
        return data


class MembershipForm(MembershipFields):
    """A new role for an existing account, at a unit of the admin's municipality."""

    def __init__(
        self, *args: Any, account: User, municipalities: list[Municipality], **kwargs: Any
    ) -> None:
        self.account = account
        super().__init__(*args, **kwargs)
        self._limit_units(municipalities)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self._clean_period(data)
        return data


# --- School terms ------------------------------------------------------------------------


class TermForm(forms.Form):
    """A school term on the municipality's own dates."""

    municipality = forms.ModelChoiceField(queryset=Municipality.objects.none())
    kind = forms.ChoiceField(label=_("Term"), choices=[("", BLANK_CHOICE_LABEL), *TermKind.choices])
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())

    def __init__(
        self,
        *args: Any,
        municipalities: list[Municipality],
        term: SchoolTerm | None = None,
        **kwargs: Any,
    ) -> None:
        self.term = term
        if term is not None:
            kwargs.setdefault(
                "initial",
                {"kind": term.kind, "starts_on": term.starts_on, "ends_on": term.ends_on},
            )
        super().__init__(*args, **kwargs)
        if term is None and len(municipalities) > 1:
            self.fields["municipality"] = _municipality_field(municipalities)
        else:
            del self.fields["municipality"]
        self.single_municipality = (
            term.municipality if term else (municipalities[0] if municipalities else None)
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        municipality = data.get("municipality") or self.single_municipality
        data["municipality"] = municipality
        kind, starts_on, ends_on = data.get("kind"), data.get("starts_on"), data.get("ends_on")
        if starts_on is None or ends_on is None:
            return data
        if ends_on <= starts_on:
            self.add_error("ends_on", _("The last day must be after the first day."))
            return data
        if (ends_on - starts_on).days > MAX_TERM_DAYS:
            self.add_error(
                "ends_on",
                ValidationError(
                    _("A term can not be longer than %(days)s days. Check the year."),
                    code="too_long",
                    params={"days": MAX_TERM_DAYS},
                ),
            )
            return data
        if kind == TermKind.AUTUMN and starts_on.month not in TERM_START_MONTHS[kind]:
            self.add_error(
                "starts_on", _("An autumn term must start in July, August or September.")
            )
        elif kind == TermKind.SPRING and starts_on.month not in TERM_START_MONTHS[kind]:
            self.add_error(
                "starts_on", _("A spring term must start in December, January or February.")
            )
        return data


class SchoolBreakForm(forms.Form):
    """A school break on the municipality's own dates (höstlov, jullov, sportlov, påsklov)."""

    municipality = forms.ModelChoiceField(queryset=Municipality.objects.none())
    kind = forms.ChoiceField(
        label=_("Break"), choices=[("", BLANK_CHOICE_LABEL), *BreakKind.choices]
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to use the kind of break as its name."),
    )
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())

    def __init__(
        self,
        *args: Any,
        municipalities: list[Municipality],
        school_break: SchoolBreak | None = None,
        **kwargs: Any,
    ) -> None:
        if school_break is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": school_break.kind,
                    "name": school_break.name,
                    "starts_on": school_break.starts_on,
                    "ends_on": school_break.ends_on,
                },
            )
        super().__init__(*args, **kwargs)
        if school_break is None and len(municipalities) > 1:
            self.fields["municipality"] = _municipality_field(municipalities)
            self.order_fields(["municipality"])
        else:
            del self.fields["municipality"]
        self.single_municipality = (
            school_break.municipality
            if school_break
            else (municipalities[0] if municipalities else None)
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["municipality"] = data.get("municipality") or self.single_municipality
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day must not be before the first day."))
        return data
