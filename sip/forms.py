"""The forms of the plan pages. They check what a form can check (types, required fields);
the rules live in ``sip.services`` and come back as a ``ValidationError`` that
``core.forms.add_service_errors`` puts beside the field it names."""

import datetime
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Unit, User
from sip import services
from sip.models import (
    ActionStatus,
    CloseReason,
    ConsentMethod,
    Participant,
    ParticipantKind,
    Plan,
    PlanAction,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class OnceForm(forms.Form):
    """A form that creates something carries a key: a second post of the same key (a double
    click, a reload) finds what the first one made instead of making another."""

    once_key = forms.UUIDField(widget=forms.HiddenInput)


# --- the child ------------------------------------------------------------------------------------


class ChildForm(OnceForm):
    child_name = forms.CharField(label=_("The child's name"), max_length=200)
    child_identity_number = forms.CharField(
        label=_("Personal identity number or coordination number"),
        max_length=13,
        required=False,
        help_text=_("Twelve digits, YYYYMMDD-NNNN. Leave it empty when it is not known."),
    )
    child_birth_date = forms.DateField(
        label=_("Date of birth, when the number is not known"),
        required=False,
        widget=DATE_INPUT,
    )

    def child(self) -> services.ChildData:
        data = self.cleaned_data
        return services.ChildData(
            name=data["child_name"],
            identity_number=data.get("child_identity_number") or "",
            birth_date=data.get("child_birth_date"),
        )


class PlanStartForm(ChildForm):
    unit = UnitChoiceField(
        label=_("Convening unit"),
        queryset=Unit.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )

    field_order = ["unit", "child_name", "child_identity_number", "child_birth_date"]

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Unit.objects.filter(pk__in=[unit.pk for unit in units]).order_by("name")
        if len(units) == 1:
            field.initial = units[0].pk
            field.widget = forms.HiddenInput()


class ProposeForm(ChildForm):
    from_unit = UnitChoiceField(
        label=_("You propose it for"),
        queryset=Unit.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    to_unit = UnitChoiceField(
        label=_("The unit asked to convene the plan"),
        queryset=Unit.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=_("The school nurses and doctors, or the social services' intake."),
    )
    reason = forms.CharField(
        label=_("Why a coordinated plan is needed"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )

    field_order = [
        "from_unit",
        "child_name",
        "child_identity_number",
        "child_birth_date",
        "to_unit",
        "reason",
    ]

    def __init__(
        self, *args: Any, from_units: list[Unit], to_units: Iterable[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        from_field = self.fields["from_unit"]
        assert isinstance(from_field, forms.ModelChoiceField)
        from_field.queryset = Unit.objects.filter(pk__in=[unit.pk for unit in from_units])
        if len(from_units) == 1:
            from_field.initial = from_units[0].pk
            from_field.widget = forms.HiddenInput()
        self.fields["to_unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            pk__in=[unit.pk for unit in to_units]
        ).order_by("name")


class DeclineForm(forms.Form):
    note = forms.CharField(
        label=_("Why the proposal is not taken up"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("The person who proposed the plan reads this."),
    )


# --- the plan's text ----------------------------------------------------------------------------


class PlanTextForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    needs = forms.CharField(
        label=_("The child's needs"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    goals = forms.CharField(
        label=_("Goals"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    others_do = forms.CharField(
        label=_("What others do"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Efforts by others than the parties, for example the family or a club."),
    )
    responsible = forms.TypedChoiceField(
        label=_("Overall responsibility"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("A professional taking part in the plan."),
    )
    follow_up_on = forms.DateField(label=_("Follow-up date"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, professionals: list[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = [("", _("Nobody named yet"))] + [  # type: ignore[attr-defined]
            (participant.pk, _participant_label(participant)) for participant in professionals
        ]

    def text(self) -> services.PlanText:
        data = self.cleaned_data
        return services.PlanText(
            needs=data["needs"],
            goals=data["goals"],
            others_do=data["others_do"],
            follow_up_on=data["follow_up_on"],
            responsible_id=data["responsible"],
        )

    @staticmethod
    def initial_for(plan: Plan) -> dict[str, Any]:
        return {
            "version": plan.version,
            "needs": plan.needs,
            "goals": plan.goals,
            "others_do": plan.others_do,
            "responsible": plan.responsible_id or "",
            "follow_up_on": plan.follow_up_on,
        }


def _participant_label(participant: Participant) -> str:
    if participant.unit is not None:
        return f"{participant.name}, {participant.unit.name}"
    return participant.name


# --- participants -----------------------------------------------------------------------------


class StaffChoiceField(forms.ModelChoiceField):
    """An account among the staff of the municipality's units, named with the unit."""

    def __init__(self, *args: Any, units_by_user: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units_by_user = units_by_user

    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name() or obj.get_username()
        unit = self.units_by_user.get(obj.pk)
        return f"{name} ({unit})" if unit else name


class ParticipantForm(OnceForm):
    kind = forms.ChoiceField(
        label=_("Who takes part"), choices=ParticipantKind.choices, widget=forms.RadioSelect
    )
    unit = UnitChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Choose the unit"),
        help_text=_("Only for a professional."),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("May be left empty when you choose an account: its name is used."),
    )
    title = forms.CharField(
        label=_("Title or relation to the child"), max_length=200, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    field_order = ["kind", "unit", "user", "name", "title", "phone", "email"]

    def __init__(
        self,
        *args: Any,
        units: Iterable[Unit],
        staff: list[tuple[User, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            pk__in=[unit.pk for unit in units]
        ).order_by("name")
        units_by_user = {user.pk: unit_name for user, unit_name in staff}
        self.fields["user"] = StaffChoiceField(
            label=_("Account in Samverkan (optional)"),
            queryset=User.objects.filter(pk__in=list(units_by_user)).order_by(
                "first_name", "last_name"
            ),
            required=False,
            empty_label=_("No account"),
            units_by_user=units_by_user,
            help_text=_(
                "Only a participant with an account can open the plan, and only while a consent "
                "covers their unit."
            ),
        )
        self.order_fields(self.field_order)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user = data.get("user")
        if not (data.get("name") or "").strip() and user is not None:
            data["name"] = user.get_full_name() or user.get_username()
            if not data.get("email"):
                data["email"] = user.email
        if data.get("kind") and data["kind"] != ParticipantKind.PROFESSIONAL:
            data["unit"] = None
            data["user"] = None
        return data

    def participant(self) -> services.ParticipantData:
        data = self.cleaned_data
        return services.ParticipantData(
            kind=data["kind"],
            name=data.get("name") or "",
            unit=data.get("unit"),
            user=data.get("user"),
            title=data.get("title") or "",
            phone=data.get("phone") or "",
            email=data.get("email") or "",
        )


# --- actions --------------------------------------------------------------------------------------


class ActionForm(forms.Form):
    once_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    what = forms.CharField(
        label=_("What is to be done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    party = UnitChoiceField(
        label=_("Party"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("A party outside Samverkan"),
    )
    party_name = forms.CharField(
        label=_("Party outside Samverkan"),
        max_length=200,
        required=False,
        help_text=_("For example the guardians, or a clinic without an account here."),
    )
    by_whom = forms.CharField(label=_("By whom"), max_length=200, required=False)
    due_on = forms.DateField(label=_("By when"), required=False, widget=DATE_INPUT)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ActionStatus.choices,
        initial=ActionStatus.PLANNED,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, units: Iterable[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            pk__in=[unit.pk for unit in units]
        ).order_by("name")

    def action(self) -> services.ActionData:
        data = self.cleaned_data
        return services.ActionData(
            what=data["what"],
            party=data.get("party"),
            party_name=data.get("party_name") or "",
            by_whom=data.get("by_whom") or "",
            due_on=data.get("due_on"),
            status=data["status"],
        )

    @staticmethod
    def initial_for(plan: Plan, action: PlanAction | None) -> dict[str, Any]:
        initial: dict[str, Any] = {"version": plan.version, "status": ActionStatus.PLANNED}
        if action is not None:
            initial |= {
                "what": action.what,
                "party": action.party_id,
                "party_name": action.party_name,
                "by_whom": action.by_whom,
                "due_on": action.due_on,
                "status": action.status,
            }
        return initial


# --- consent ----------------------------------------------------------------------------------


class ConsentForm(OnceForm):
    guardian_1 = forms.CharField(label=_("Guardian"), max_length=200, required=False)
    guardian_2 = forms.CharField(
        label=_("Second guardian"),
        max_length=200,
        required=False,
        help_text=_("When the child has two guardians, both give their consent."),
    )
    child_gave = forms.BooleanField(label=_("The child has given consent too"), required=False)
    method = forms.ChoiceField(
        label=_("How the consent was given"),
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
    )
    parties = UnitMultipleChoiceField(
        label=_("The parties it covers"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "The units taking part in the plan. A party's named participants can open the plan "
            "while the consent is in force."
        ),
    )
    other_parties = forms.CharField(
        label=_("Parties without an account in Samverkan"),
        max_length=300,
        required=False,
        help_text=_("For example a clinic in another region. They are not given access here."),
    )
    scope_note = forms.CharField(
        label=_("What the consent covers (optional)"), max_length=300, required=False
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE_INPUT)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave it empty when the consent holds until it is withdrawn."),
    )

    def __init__(self, *args: Any, units: Iterable[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            pk__in=[unit.pk for unit in units]
        ).order_by("name")
        self.fields["valid_from"].initial = timezone.localdate()

    def consent(self) -> services.ConsentData:
        data = self.cleaned_data
        return services.ConsentData(
            guardians=[data.get("guardian_1") or "", data.get("guardian_2") or ""],
            method=data["method"],
            parties=list(data.get("parties") or []),
            valid_from=data["valid_from"],
            valid_until=data.get("valid_until"),
            child_gave=bool(data.get("child_gave")),
            other_parties=data.get("other_parties") or "",
            scope_note=data.get("scope_note") or "",
        )

    def posted_start(self) -> datetime.date | None:
        """The start date as posted (for deciding whether to ask the child), when valid."""
        try:
            return self.fields["valid_from"].clean(self.data.get("valid_from"))
        except forms.ValidationError:
            return None


class WithdrawForm(forms.Form):
    withdrawn_by = forms.CharField(
        label=_("Who withdrew the consent"),
        max_length=200,
        help_text=_("The name of the guardian, or of the child."),
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why the plan is closed"),
        choices=[
            (value, label)
            for value, label in CloseReason.choices
            if value != CloseReason.PROPOSAL_DECLINED
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("About the closing"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the reason is “Other reason”."),
    )
