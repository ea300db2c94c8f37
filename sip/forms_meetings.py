"""The network meeting form: who was there, minutes and decisions, the follow-up, and per open
action what the meeting decided."""

import uuid
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from organisations.forms import DateInput
from sip.models import ActionStatus, ConsentMethod, Participant, Plan, PlanAction
from sip.services import ConsentData
from sip.services_meetings import ActionDecision, MeetingData


class MeetingForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    held_on = forms.DateField(label=_("The meeting was held on"), widget=DateInput())
    present = forms.TypedMultipleChoiceField(
        label=_("Present"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    is_follow_up = forms.BooleanField(
        label=_("The plan was followed up at this meeting"), required=False
    )
    next_follow_up_on = forms.DateField(
        label=_("Next follow-up"),
        required=False,
        widget=DateInput(),
        help_text=_("Required when the plan was followed up."),
    )

    def __init__(
        self,
        *args: Any,
        plan: Plan,
        participants: list[Participant],
        actions: list[PlanAction],
        **kwargs: Any,
    ) -> None:
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", {"version": plan.version, "submission_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        self.actions = actions
        self.fields["present"].choices = [  # type: ignore[attr-defined]
            (p.pk, f"{p.name}, {p.title}" if p.title else p.name) for p in participants
        ]
        for action in actions:
            self.fields[f"action_{action.pk}_status"] = forms.ChoiceField(
                label=_("Status"),
                choices=ActionStatus.choices,
                initial=action.status,
                widget=forms.RadioSelect,
            )
            due = formats.date_format(action.due_on, "SHORT_DATE_FORMAT") if action.due_on else ""
            self.fields[f"action_{action.pk}_due_on"] = forms.DateField(
                label=_("New date"),
                required=False,
                widget=DateInput(),
                help_text=_("Now: %(date)s") % {"date": due} if due else _("No date now."),
            )

    def action_rows(self) -> list[tuple[PlanAction, forms.BoundField, forms.BoundField]]:
        return [
            (action, self[f"action_{action.pk}_status"], self[f"action_{action.pk}_due_on"])
            for action in self.actions
        ]

    def meeting_data(self) -> MeetingData:
        data = self.cleaned_data
        return MeetingData(
            held_on=data["held_on"],
            present_ids=data["present"],
            minutes=data["minutes"],
            decisions=data["decisions"],
            is_follow_up=data["is_follow_up"],
            next_follow_up_on=data["next_follow_up_on"],
            actions=tuple(
                ActionDecision(
                    action_id=action.pk,
                    status=data[f"action_{action.pk}_status"],
                    due_on=data[f"action_{action.pk}_due_on"],
                )
                for action in self.actions
            ),
        )


class ReportConsentForm(forms.Form):
    """The guardians' consent to feedback in own words on a report."""

    guardian_1 = forms.CharField(label=_("Guardian who gave consent"), max_length=200)
    guardian_2 = forms.CharField(
        label=_("Second guardian who gave consent"),
        max_length=200,
        required=False,
        help_text=_("When the child has two guardians, both consent."),
    )
    child_gave = forms.BooleanField(label=_("The child gave consent too"), required=False)
    method = forms.ChoiceField(
        label=_("How the consent was given"),
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty when it holds until it is withdrawn."),
    )

    def consent_data(self) -> ConsentData:
        data = self.cleaned_data
        return ConsentData(
            guardians=[data["guardian_1"], data["guardian_2"]],
            method=data["method"],
            parties=[],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            child_gave=data["child_gave"],
        )


class WithdrawForm(forms.Form):
    withdrawn_by = forms.CharField(
        label=_("Who withdrew the consent"),
        max_length=200,
        help_text=_("For example the name of the guardian who called."),
    )


class FeedbackMessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message to the reporter"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The reporter and the principal see it beside the feedback while the consent is in "
            "force. It is never sent by e-mail."
        ),
    )
