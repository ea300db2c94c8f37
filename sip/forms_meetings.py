"""The network meeting form: who was there, minutes and decisions, the follow-up, and per open
action what the meeting decided."""

import uuid
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from organisations.forms import DateInput
from sip.models import ActionStatus, Participant, Plan, PlanAction
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
