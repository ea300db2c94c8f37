"""Forms of the annual wheel: a series and its schedule, recording an occurrence, decisions
and follow-up actions. Forms check what was typed and keep it; the services write.

Free-text fields refuse identity numbers (``services.check_no_identity_numbers``) and, with
htmx, warn while the user types: the field posts its text to ``wheel:text_check``.
"""

import html
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from core.forms import add_service_errors
from governance.models import GovernanceDocument
from organisations.forms import DateInput
from organisations.models import (
    Membership,
    Municipality,
    Sector,
    Unit,
    UnitKind,
    User,
    active_on,
)
from wheel import services
from wheel.models import (
    ActionStatus,
    ActivitySeries,
    ActivityType,
    FollowUpAction,
    MeetingDecision,
    Occurrence,
    OccurrenceStatus,
    ScheduleKind,
)
from wheel.recurrence import local_datetime
from wheel.schedule_words import ORDINALS, WEEKDAYS, PlainSchedule, plain_rule, rule_for

SCHOOL_KINDS = (UnitKind.SCHOOL, UnitKind.PRESCHOOL)
# The plain choices that are stored as a recurrence rule on a weekday.
_NEEDS_WEEKDAY = (
    PlainSchedule.WEEKLY,
    PlainSchedule.EVERY_OTHER_WEEK,
    PlainSchedule.MONTHLY_WEEKDAY,
)


class TimeInput(forms.TimeInput):
    """The browser's time picker; the value is sent as HH:MM."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def watch_identity_numbers(field: forms.Field, name: str) -> None:
    """Let htmx post the field's text to the check endpoint while the user types and show the
    warning in ``<div id="<name>-check">`` (the template puts it after the field)."""
    field.widget.attrs.update(
        {
            "hx-post": reverse("wheel:text_check"),
            "hx-trigger": "keyup changed delay:600ms, change",
            "hx-target": f"#{name}-check",
            "hx-swap": "innerHTML",
            "hx-params": f"csrfmiddlewaretoken,{name}",
        }
    )
    described_by = [f"{name}-check"]
    if field.help_text:
        described_by.insert(0, f"id_{name}_helptext")
    field.widget.attrs["aria-describedby"] = " ".join(described_by)


def _unbound(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether a form is opened without data: the views pass ``request.POST or None``, so
    a GET gives ``None`` as the first argument."""
    data = args[0] if args else kwargs.get("data")
    return data is None


def _no_identity_numbers(form: forms.Form, *names: str) -> None:
    for name in names:
        value = form.cleaned_data.get(name)
        if isinstance(value, str) and services.contains_identity_number(value):
            form.add_error(name, services.IDENTITY_NUMBER_MESSAGE)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.get_sector_display()})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


# --- series ------------------------------------------------------------------------------------


class SeriesForm(forms.Form):
    """A series with its schedule, chosen in words ("every other week", "the first Tuesday of
    the month", "3 times per term", "in given months"); the recurrence rule is the advanced
    choice. Every choice's fields are on the page (it works without JavaScript); only the
    chosen one's are used."""

    activity_type = forms.ChoiceField(label=_("Type of activity"), choices=ActivityType.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the meetings are for. Never write about individual children here."),
    )
    organiser_unit = UnitChoiceField(label=_("Organiser"), queryset=Unit.objects.none())
    organiser_person = PersonChoiceField(
        label=_("Contact person"), queryset=User.objects.none(), required=False
    )
    invited_units = UnitsChoiceField(
        label=_("Invited units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    invited_sectors = forms.MultipleChoiceField(
        label=_("Invited sectors"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    governance_document = forms.ModelChoiceField(
        label=_("Required by"),
        queryset=GovernanceDocument.objects.none(),
        required=False,
        help_text=_("The governance document that requires these meetings, if any."),
    )
    school = UnitChoiceField(
        label=_("School"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_(
            "For intake–principal meetings and parent-meeting visits: the school the meetings "
            "are with. It counts in the coverage tables."
        ),
    )
    schedule_kind = forms.ChoiceField(
        label=_("How often"),
        choices=PlainSchedule.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Swedish public holidays and the municipality's school breaks are always left out."
        ),
    )
    weekday = forms.ChoiceField(
        label=_("Weekday"),
        choices=[("", _("Choose a weekday")), *WEEKDAYS],
        required=False,
        help_text=_("For every week, every other week and once a month."),
    )
    ordinal = forms.TypedChoiceField(
        label=_("Which one in the month"),
        choices=ORDINALS,
        coerce=int,
        required=False,
        initial=1,
        help_text=_("For once a month: e.g. the first or the last Tuesday of the month."),
    )
    rrule = forms.CharField(
        label=_("Recurrence rule"),
        required=False,
        max_length=300,
        help_text=_(
            "RFC 5545, e.g. FREQ=WEEKLY;BYDAY=TU (every Tuesday), "
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO (every other Monday), FREQ=MONTHLY;BYDAY=1WE "
            "(the first Wednesday of the month). Holidays and school break weeks are left out."
        ),
    )
    times_per_term = forms.IntegerField(
        label=_("How many times per term"),
        required=False,
        min_value=1,
        max_value=30,
        help_text=_(
            "Spread evenly over each of the municipality's school terms, on weekdays that are "
            "not holidays or in one of its school breaks."
        ),
    )
    months = forms.TypedMultipleChoiceField(
        label=_("Months"),
        choices=[(number, name) for number, name in MONTHS.items()],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "One meeting in each chosen month, on the first weekday from the 10th that is not "
            "a holiday or in a school break week."
        ),
    )
    starts_on = forms.DateField(label=_("First day of the series"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day of the series"), widget=DateInput())
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=24 * 60, initial=90
    )
    place = forms.CharField(label=_("Place or meeting link"), required=False, max_length=300)

    def __init__(
        self,
        *args: Any,
        municipalities: list[Municipality],
        series: ActivitySeries | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.series = series
        ids = [m.pk for m in municipalities]
        if series is None and len(municipalities) > 1:
            self.fields["municipality"] = forms.ModelChoiceField(
                label=_("Municipality"),
                queryset=Municipality.objects.filter(pk__in=ids),
                empty_label=None,
            )
            self.order_fields(["municipality"])
        units = Unit.objects.filter(municipality_id__in=ids, is_active=True).order_by("name")
        self.fields["organiser_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["invited_units"].queryset = units  # type: ignore[attr-defined]
        self.fields["school"].queryset = units.filter(kind__in=SCHOOL_KINDS)  # type: ignore[attr-defined]
        self.fields["governance_document"].queryset = (  # type: ignore[attr-defined]
            GovernanceDocument.objects.filter(municipality_id__in=ids).order_by("title")
        )
        members = Membership.objects.filter(
            active_on(timezone.localdate()), unit__municipality_id__in=ids
        ).values("user_id")
        staff = User.objects.filter(is_active=True, pk__in=members).order_by(
            "first_name", "last_name", "username"
        )
        self.fields["organiser_person"].queryset = staff  # type: ignore[attr-defined]
        watch_identity_numbers(self.fields["description"], "description")
        self._municipalities = municipalities

    def chosen_municipality(self) -> Municipality:
        if self.series is not None:
            return self.series.municipality
        chosen = self.cleaned_data.get("municipality")
        return chosen if chosen is not None else self._municipalities[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("schedule_kind")
        if kind in _NEEDS_WEEKDAY and not data.get("weekday"):
            self.add_error("weekday", _("Choose the weekday of the meetings."))
        if kind == PlainSchedule.MONTHLY_WEEKDAY and data.get("ordinal") is None:
            self.add_error("ordinal", _("Choose which of the month's weekdays."))
        if kind == ScheduleKind.RRULE and not (data.get("rrule") or "").strip():
            self.add_error("rrule", _("Write the recurrence rule, e.g. FREQ=WEEKLY;BYDAY=TU."))
        if kind == ScheduleKind.PER_TERM and not data.get("times_per_term"):
            self.add_error("times_per_term", _("Enter how many times per term."))
        if kind == ScheduleKind.FIXED_MONTHS and not data.get("months"):
            self.add_error("months", _("Choose at least one month."))
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day of the series is before its first day."))
        _no_identity_numbers(self, "title", "description", "place")
        return data

    def series_data(self) -> services.SeriesData:
        data = self.cleaned_data
        return services.SeriesData(
            activity_type=data["activity_type"],
            title=data["title"],
            description=data.get("description") or "",
            organiser_unit=data["organiser_unit"],
            organiser_person=data.get("organiser_person"),
            invited_units=tuple(data.get("invited_units") or ()),
            invited_sectors=tuple(data.get("invited_sectors") or ()),
            governance_document=data.get("governance_document"),
            school=data.get("school"),
            schedule_kind=self._stored_kind(),
            rrule=self._stored_rule(),
            times_per_term=data.get("times_per_term"),
            months=tuple(data.get("months") or ()),
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            place=data.get("place") or "",
        )

    def _stored_kind(self) -> str:
        kind = self.cleaned_data["schedule_kind"]
        return ScheduleKind.RRULE if kind in _NEEDS_WEEKDAY else kind

    def _stored_rule(self) -> str:
        """The rule a plain choice means; the advanced field's text as typed otherwise."""
        data = self.cleaned_data
        if data["schedule_kind"] in _NEEDS_WEEKDAY:
            return rule_for(data["schedule_kind"], weekday=data["weekday"], ordinal=data["ordinal"])
        return data.get("rrule") or ""

    def add_service_errors(self, error: ValidationError) -> None:
        """The service speaks of the stored schedule: its messages go to the plain choice the
        user made, or to the advanced rule when that was the choice."""
        kind = self.cleaned_data.get("schedule_kind")
        aliases = {"rrule": "schedule_kind"} if kind in _NEEDS_WEEKDAY else {}
        add_service_errors(self, error, aliases=aliases)

    def advanced_open(self) -> bool:
        """Whether the advanced part is shown open: it was chosen, or it has an error."""
        return self["schedule_kind"].value() == ScheduleKind.RRULE or bool(self.errors.get("rrule"))

    @staticmethod
    def initial_for(series: ActivitySeries, school: Unit | None) -> dict[str, Any]:
        plain = plain_rule(series.rrule) if series.schedule_kind == ScheduleKind.RRULE else None
        return {
            "activity_type": series.activity_type,
            "title": series.title,
            "description": series.description,
            "organiser_unit": series.organiser_unit_id,
            "organiser_person": series.organiser_person_id,
            "invited_units": [unit.pk for unit in series.invited_units.all()],
            "invited_sectors": series.invited_sectors,
            "governance_document": series.governance_document_id,
            "school": school.pk if school else None,
            "schedule_kind": plain.choice if plain else series.schedule_kind,
            "weekday": plain.weekday if plain else "",
            "ordinal": plain.ordinal if plain and plain.ordinal else 1,
            "rrule": "" if plain else series.rrule,
            "times_per_term": series.times_per_term,
            "months": series.months,
            "starts_on": series.starts_on,
            "ends_on": series.ends_on,
            "start_time": series.start_time,
            "duration_minutes": series.duration_minutes,
            "place": series.place,
        }


# --- recording an occurrence -------------------------------------------------------------------

_ONLY_PARAGRAPHS = re.compile(r"^(?:<p>(?:(?!</?p>).)*</p>)+$", re.DOTALL)


def minutes_for_editing(stored: str) -> str:
    """Stored minutes as the form shows them: minutes typed as plain text (paragraphs and line
    breaks only) come back as that text; formatted minutes as their HTML."""
    if not stored:
        return ""
    if _ONLY_PARAGRAPHS.match(stored) and not re.search(r"<(?!/?p>|br>)", stored):
        paragraphs = re.findall(r"<p>(.*?)</p>", stored, re.DOTALL)
        return "\n\n".join(
            html.unescape(strip_tags(paragraph.replace("<br>", "\n"))) for paragraph in paragraphs
        )
    return stored


class OccurrenceRecordForm(forms.Form):
    """What happened: status (with reason), time, place, school, minutes and attendance per
    invited unit (one number per unit, the unit's sector shown)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"), choices=OccurrenceStatus.choices, widget=forms.RadioSelect
    )
    status_reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Required when the meeting is cancelled or moved."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput())
    place = forms.CharField(label=_("Place or meeting link"), required=False, max_length=300)
    school = UnitChoiceField(
        label=_("School"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("For intake–principal meetings and parent-meeting visits."),
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Write about the collaboration, never about individual children: no names or "
            "identity numbers. An empty line starts a new paragraph."
        ),
    )
    minutes_file = forms.FileField(
        label=_("Minutes as a file"),
        required=False,
        help_text=_("PDF or an office document, instead of or beside the text."),
    )
    remove_minutes_file = forms.BooleanField(
        label=_("Remove the attached minutes file"), required=False
    )

    def __init__(
        self,
        *args: Any,
        occurrence: Occurrence,
        units: list[Unit],
        attendance: dict[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        self.occurrence = occurrence
        self.units = units
        if not args and "data" not in kwargs:
            local = timezone.localtime(occurrence.starts_at)
            kwargs.setdefault(
                "initial",
                {
                    "version": occurrence.version,
                    "status": occurrence.status,
                    "status_reason": occurrence.status_reason,
                    "date": local.date(),
                    "start_time": local.time().replace(second=0, microsecond=0),
                    "place": occurrence.place,
                    "school": occurrence.school_id,
                    "minutes": minutes_for_editing(occurrence.minutes),
                    **{
                        f"attendance_{unit_id}": count
                        for unit_id, count in (attendance or {}).items()
                    },
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            municipality_id=occurrence.municipality_id, kind__in=SCHOOL_KINDS, is_active=True
        ).order_by("name")
        for unit in units:
            self.fields[f"attendance_{unit.pk}"] = forms.IntegerField(
                label=unit.name,
                required=False,
                min_value=0,
                max_value=999,
                help_text=unit.get_sector_display(),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        if not occurrence.minutes_file:
            del self.fields["remove_minutes_file"]
        watch_identity_numbers(self.fields["minutes"], "minutes")
        watch_identity_numbers(self.fields["status_reason"], "status_reason")

    def attendance_fields(self) -> list[forms.BoundField]:
        return [self[f"attendance_{unit.pk}"] for unit in self.units]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("status", "status_reason", "date", "start_time")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _no_identity_numbers(self, "minutes", "status_reason", "place")
        return data

    def record(self) -> services.OccurrenceRecord:
        data = self.cleaned_data
        return services.OccurrenceRecord(
            status=data["status"],
            starts_at=local_datetime(data["date"], data["start_time"]),
            status_reason=data.get("status_reason") or "",
            place=data.get("place") or "",
            school=data.get("school"),
            minutes=data.get("minutes") or "",
            minutes_file=data.get("minutes_file"),
            remove_minutes_file=bool(data.get("remove_minutes_file")),
            attendance={unit.pk: data.get(f"attendance_{unit.pk}") or 0 for unit in self.units},
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's errors on the fields they concern ("attendance" on the first
        attendance field, anything unknown on the form)."""
        aliases = {"attendance": f"attendance_{self.units[0].pk}"} if self.units else {}
        add_service_errors(self, error, aliases=aliases)


# --- decisions and actions ---------------------------------------------------------------------


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Never name or identify a child."),
    )
    resource = forms.CharField(label=_("Resource"), required=False, max_length=200)
    receiving_unit = UnitChoiceField(
        label=_("Receiving unit"), queryset=Unit.objects.none(), required=False
    )
    follow_up_on = forms.DateField(label=_("Follow up on"), required=False, widget=DateInput())

    def __init__(
        self,
        *args: Any,
        occurrence: Occurrence,
        decision: MeetingDecision | None = None,
        **kwargs: Any,
    ) -> None:
        if decision is not None and _unbound(args, kwargs):
            kwargs.setdefault(
                "initial",
                {
                    "text": decision.text,
                    "resource": decision.resource,
                    "receiving_unit": decision.receiving_unit_id,
                    "follow_up_on": decision.follow_up_on,
                },
            )
        super().__init__(*args, **kwargs)
        self.resource_council = occurrence.series.activity_type == ActivityType.RESOURCE_COUNCIL
        if self.resource_council:
            self.fields["receiving_unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
                municipality_id=occurrence.municipality_id, is_active=True
            ).order_by("name")
            for name in ("resource", "receiving_unit", "follow_up_on"):
                self.fields[name].required = True
        else:
            for name in ("resource", "receiving_unit", "follow_up_on"):
                del self.fields[name]
        watch_identity_numbers(self.fields["text"], "text")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _no_identity_numbers(self, "text", "resource")
        return data

    def decision_data(self) -> services.DecisionData:
        data = self.cleaned_data
        return services.DecisionData(
            text=data["text"],
            resource=data.get("resource") or "",
            receiving_unit=data.get("receiving_unit"),
            follow_up_on=data.get("follow_up_on"),
        )


class ActionForm(forms.Form):
    what = forms.CharField(
        label=_("What is to be done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Never name or identify a child."),
    )
    owner = forms.CharField(
        label=_("Owner"), max_length=200, help_text=_("The person or unit responsible.")
    )
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.OPEN
    )

    def __init__(self, *args: Any, action: FollowUpAction | None = None, **kwargs: Any) -> None:
        if action is not None and _unbound(args, kwargs):
            kwargs.setdefault(
                "initial",
                {
                    "what": action.what,
                    "owner": action.owner,
                    "due_on": action.due_on,
                    "status": action.status,
                },
            )
        super().__init__(*args, **kwargs)
        watch_identity_numbers(self.fields["what"], "what")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _no_identity_numbers(self, "what", "owner")
        return data

    def action_data(self) -> services.ActionData:
        data = self.cleaned_data
        return services.ActionData(
            what=data["what"],
            owner=data["owner"],
            due_on=data.get("due_on"),
            status=data["status"],
        )
