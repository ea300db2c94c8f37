"""The municipal admin's form for the numbers school staff call: the intake and the social
services' emergency line. The rules are the service's (``services_contacts``); the form shows
each number's problem at its field as soon as it is posted."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organisations.models import MunicipalityContacts
from organisations.phone import validate_swedish_phone
from organisations.services_contacts import FIELDS, ContactValues


class TelInput(forms.TextInput):
    # A phone's keyboard with digits; "tel" accepts spaces, hyphens and + as typed.
    input_type = "tel"


class MunicipalityContactsForm(forms.Form):
    intake_phone = forms.CharField(
        label=_("The intake's phone number"),
        max_length=40,
        required=False,
        widget=TelInput(attrs={"autocomplete": "off"}),
        help_text=_("With the area code, e.g. 0247-802 00. Empty: not shown."),
    )
    intake_hours = forms.CharField(
        label=_("When the intake answers"),
        max_length=200,
        required=False,
        help_text=_("As staff should read it, e.g. “Weekdays 8.00–16.30, lunch closed 12–13”."),
    )
    emergency_name = forms.CharField(
        label=_("Name of the emergency line"),
        max_length=100,
        required=False,
        help_text=_("E.g. “Socialjouren Dalarna”. Empty: “The social services' emergency line”."),
    )
    emergency_phone = forms.CharField(
        label=_("The emergency line's phone number"),
        max_length=40,
        required=False,
        widget=TelInput(attrs={"autocomplete": "off"}),
        help_text=_("The number to call outside the intake's hours (socialjour)."),
    )
    emergency_hours = forms.CharField(
        label=_("When the emergency line answers"),
        max_length=200,
        required=False,
        help_text=_("E.g. “Weekdays 16.30–8.00, weekends and holidays all day”."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self, *args: Any, contacts: MunicipalityContacts | None = None, **kwargs: Any
    ) -> None:
        initial = {name: getattr(contacts, name) for name in FIELDS} if contacts else {}
        initial["version"] = contacts.version if contacts else 0
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def _phone(self, name: str) -> str:
        number: str = self.cleaned_data.get(name, "")
        if number:
            try:
                validate_swedish_phone(number)
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return number

    def clean_intake_phone(self) -> str:
        return self._phone("intake_phone")

    def clean_emergency_phone(self) -> str:
        return self._phone("emergency_phone")

    def values(self) -> ContactValues:
        return ContactValues(**{name: self.cleaned_data.get(name, "") for name in FIELDS})
