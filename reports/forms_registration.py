"""Forms for the reports the intake registers (``reports.services_registration``): first who
made the report and how it came in, then a form fitted to that answer. An anonymous member of
the public is never asked for a name or contact details: the fields are not there at all."""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.personnummer import IdentityNumberField
from organisations.models import Municipality
from reports.models import (
    PROFESSIONAL_SOURCES,
    ConcernCategory,
    GuardiansInformed,
    ReceivedVia,
    ReportSource,
)
from reports.services_registration import ReportedConcern, Reporter

ANONYMOUS_PUBLIC = "public_anonymous"


@dataclass(frozen=True)
class ReporterKind:
    """One answer to "who made the report?": the source, and whether it is anonymous."""

    value: str
    source: str
    anonymous: bool
    label: Any

    @property
    def professional(self) -> bool:
        return self.source in PROFESSIONAL_SOURCES


KINDS: dict[str, ReporterKind] = {
    kind.value: kind
    for kind in (
        ReporterKind("police", ReportSource.POLICE, False, _("The police")),
        ReporterKind(
            "health_care",
            ReportSource.HEALTH_CARE,
            False,
            _("Health care, e.g. a hospital, a health centre or child psychiatry"),
        ),
        ReporterKind(
            "other_agency",
            ReportSource.OTHER_AGENCY,
            False,
            _("Another agency, e.g. the Social Insurance Agency or the Migration Agency"),
        ),
        ReporterKind("public", ReportSource.PUBLIC, False, _("A member of the public, named")),
        ReporterKind(
            ANONYMOUS_PUBLIC,
            ReportSource.PUBLIC,
            True,
            _("A member of the public who wants to be anonymous"),
        ),
        ReporterKind(
            "child_or_guardian", ReportSource.CHILD_OR_GUARDIAN, False, _("The child or a guardian")
        ),
    )
}
CHANNEL_CHOICES = [
    (ReceivedVia.PHONE, _("Phone call")),
    (ReceivedVia.LETTER, _("Letter")),
    (ReceivedVia.EMAIL, _("E-mail")),
]


class RegisterStartForm(forms.Form):
    """The first question: who, and how. Sent with GET: neither answer is personal data."""

    kind = forms.ChoiceField(
        label=_("Who made the report?"),
        choices=[(kind.value, kind.label) for kind in KINDS.values()],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who made the report."),
            "invalid_choice": _("Choose who made the report."),
        },
    )
    via = forms.ChoiceField(
        label=_("How did the report come in?"),
        choices=CHANNEL_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the report came in."),
            "invalid_choice": _("Choose how the report came in."),
        },
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _text(label: Any, limit: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=limit,
        error_messages={"max_length": _("Write at most %(limit_value)d characters.")},
        **kwargs,
    )


class RegisterForm(forms.Form):
    """The report itself, for one kind of reporter and channel (rendered in fieldsets by
    ``register.html``). The service checks what is required; this form checks the shape."""

    municipality = forms.ChoiceField(
        label=_("The intake of"),
        error_messages={"invalid_choice": _("Choose one of your intakes.")},
    )
    arrived_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date the report came in."),
            "invalid": _("Enter the date as YYYY-MM-DD, e.g. 2026-04-15."),
        },
    )
    arrived_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Enter the time the report came in."),
            "invalid": _("Enter the time as HH:MM, e.g. 14:30."),
        },
    )
    reporter_name = _text(_("The reporter's name"), 200)
    reporter_organisation = _text(
        _("Agency or organisation, and unit"),
        200,
        help_text=_("For example “Polisen, lokalpolisområde Mora”."),
    )
    reporter_phone = _text(_("The reporter's phone number"), 40)
    reporter_email = forms.EmailField(
        label=_("The reporter's e-mail address"),
        required=False,
        error_messages={"invalid": _("Enter a valid e-mail address.")},
    )
    wants_feedback = forms.BooleanField(
        label=_("The reporter asked for feedback on whether an investigation is opened"),
        required=False,
    )
    child_identity_number = IdentityNumberField(
        label=_("Personal identity number or coordination number"),
        required=False,
        max_length=20,
        help_text=_(
            "YYYYMMDD-NNNN. If it is not known, give the child's name and approximate age or "
            "class below."
        ),
    )
    child_name = _text(_("The child's name"), 200)
    child_approximate_age = forms.IntegerField(
        label=_("Approximate age (years)"),
        required=False,
        min_value=0,
        max_value=20,
        error_messages={
            "invalid": _("Enter the age in whole years."),
            "min_value": _("Enter an age from 0 to 20."),
            "max_value": _("Enter an age from 0 to 20."),
        },
    )
    child_class = _text(_("School and class, if known"), 50)
    guardians = _text(
        _("Guardians and their contact details"),
        5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Names, phone numbers and addresses, as far as they are known."),
    )
    interpreter_language = _text(
        _("Interpreter needed for (language)"),
        100,
        help_text=_("Leave empty if no interpreter is needed."),
    )
    acute_danger = forms.TypedChoiceField(
        label=_("Is the child in acute danger?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    categories = forms.MultipleChoiceField(
        label=_("What is the concern about?"),
        choices=ConcernCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose among the listed kinds of concern.")},
    )
    what_happened = _text(
        _("What the reporter told"),
        20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What causes concern, with examples: when, where, what."),
    )
    child_words = _text(
        _("What the child said, in the child's own words"),
        10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("As far as the reporter knows it."),
    )
    guardians_informed = forms.ChoiceField(
        label=_("Do the guardians know about the report?"),
        choices=[
            (GuardiansInformed.YES, _("Yes")),
            (GuardiansInformed.NO, _("No")),
            ("", _("Not known")),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        kind: ReporterKind,
        via: str,
        municipalities: list[Municipality],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.via = via
        self._fit_to_municipalities(municipalities)
        self._fit_to_reporter(kind)
        self._label_the_arrival(via)
        if not self.is_bound:
            now = timezone.localtime()
            self.initial.update(
                {
                    "arrived_on": now.date(),
                    "arrived_time": now.time().replace(second=0, microsecond=0),
                    "submission_key": uuid.uuid4(),
                    "guardians_informed": "",
                }
            )

    def _fit_to_municipalities(self, municipalities: list[Municipality]) -> None:
        self.municipalities = municipalities
        if len(municipalities) == 1:
            del self.fields["municipality"]  # the user's only intake: nothing to choose
            return
        field: forms.ChoiceField = self.fields["municipality"]  # type: ignore[assignment]
        field.choices = [(str(m.pk), m.name) for m in municipalities]

    def _fit_to_reporter(self, kind: ReporterKind) -> None:
        if kind.anonymous:
            # Not asked at all: nothing that could identify the reporter reaches the server.
            for name in ("reporter_name", "reporter_organisation", "reporter_phone"):
                del self.fields[name]
            del self.fields["reporter_email"]
            del self.fields["wants_feedback"]
            return
        if not kind.professional:
            # Feedback is owed to reporters with the duty to report (SoL 19 kap. 6 §).
            del self.fields["reporter_organisation"]
            del self.fields["wants_feedback"]

    def _label_the_arrival(self, via: str) -> None:
        labels = {
            ReceivedVia.PHONE: (_("Date of the call"), _("Time of the call")),
            ReceivedVia.LETTER: (_("Date the letter arrived"), _("Time the letter was opened")),
            ReceivedVia.EMAIL: (_("Date the e-mail arrived"), _("Time the e-mail arrived")),
        }
        day, time = labels[ReceivedVia(via)]
        self.fields["arrived_on"].label = day
        self.fields["arrived_time"].label = time

    # --- for the service ------------------------------------------------------------------

    def chosen_municipality(self) -> Municipality:
        if len(self.municipalities) == 1:
            return self.municipalities[0]
        chosen = self.cleaned_data["municipality"]
        return next(m for m in self.municipalities if str(m.pk) == chosen)

    def arrived_at(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("arrived_on")
        time = self.cleaned_data.get("arrived_time")
        if day is None or time is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, time))

    def reporter(self) -> Reporter:
        data = self.cleaned_data
        return Reporter(
            source=self.kind.source,
            anonymous=self.kind.anonymous,
            name=data.get("reporter_name", ""),
            organisation=data.get("reporter_organisation", ""),
            phone=data.get("reporter_phone", ""),
            email=data.get("reporter_email", ""),
            wants_feedback=bool(data.get("wants_feedback")),
        )

    def concern(self) -> ReportedConcern:
        data = self.cleaned_data
        return ReportedConcern(
            what_happened=data["what_happened"],
            acute_danger=data["acute_danger"],
            categories=tuple(data["categories"]),
            child_identity_number=data["child_identity_number"],
            child_name=data["child_name"],
            child_approximate_age=data["child_approximate_age"],
            child_class=data["child_class"],
            guardians=data["guardians"],
            interpreter_language=data["interpreter_language"],
            child_words=data["child_words"],
            guardians_informed=data["guardians_informed"],
        )


class ConfirmInWritingForm(forms.Form):
    confirmed_on = forms.DateField(
        label=_("Date of the written confirmation"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the letter or e-mail confirming the call arrived."),
        error_messages={
            "required": _("Enter the date of the written confirmation."),
            "invalid": _("Enter the date as YYYY-MM-DD, e.g. 2026-04-15."),
        },
    )
