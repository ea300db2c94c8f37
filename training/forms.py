"""Forms of the case library and the training sessions. They check what was typed and keep
it; the services write and repeat every rule (a message from a service is shown beside its
field with ``core.forms.add_service_errors``)."""

import uuid
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.forms import add_service_errors
from governance.models import DocumentVersion, GovernanceDocument
from organisations.forms import DateInput
from organisations.models import Membership, Municipality, Sector, Unit, User, active_on
from surveys.models import Round, SurveyKind
from training import services
from training.models import SessionGroup, TrainingSession, Vignette
from wheel.models import ActivityType, Occurrence

GROUP_ROWS_MIN = 4  # empty group rows offered beyond the recorded ones, at least this many
GROUP_SECTORS = [choice for choice in Sector.choices if choice[0] != Sector.AUDIT]


def _no_identity_numbers(form: forms.Form, *names: str) -> None:
    for name in names:
        value = form.cleaned_data.get(name)
        if isinstance(value, str) and services.contains_identity_number(value):
            form.add_error(name, services.IDENTITY_NUMBER_MESSAGE)


class _Keyed(forms.Form):
    """A hidden version (concurrent edits) and submission key (double submits)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def add_service_errors(self, error: Any) -> None:
        add_service_errors(self, error)


class VignetteForm(_Keyed):
    title = forms.CharField(label=_("Title"), max_length=200)
    case_text = forms.CharField(
        label=_("The case"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Make the case up: no real person, no names of real pupils, no identity numbers."
        ),
    )
    discussion_questions = forms.CharField(
        label=_("Questions for discussion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question a line."),
    )
    boundary_questions = forms.CharField(
        label=_("Boundary questions between school and social services"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One question a line, e.g. “When does a worry become a report?” or “What may the "
            "school know about the investigation?”"
        ),
    )
    governance_document = forms.ModelChoiceField(
        label=_("Routine it relates to"),
        queryset=GovernanceDocument.objects.none(),
        required=False,
        empty_label=_("None"),
    )

    def __init__(
        self,
        *args: Any,
        municipality: Municipality,
        vignette: Vignette | None = None,
        **kwargs: Any,
    ) -> None:
        if vignette is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": vignette.title,
                    "case_text": vignette.case_text,
                    "discussion_questions": vignette.discussion_questions,
                    "boundary_questions": vignette.boundary_questions,
                    "governance_document": vignette.governance_document_id,
                    "version": vignette.version,
                },
            )
        else:
            kwargs.setdefault("initial", {"submission_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        self.fields["governance_document"].queryset = GovernanceDocument.objects.filter(  # type: ignore[attr-defined]
            municipality=municipality
        ).order_by("title")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _no_identity_numbers(
            self, "title", "case_text", "discussion_questions", "boundary_questions"
        )
        return data

    def vignette_data(self) -> services.VignetteData:
        data = self.cleaned_data
        return services.VignetteData(
            title=data["title"],
            case_text=data["case_text"],
            discussion_questions=data.get("discussion_questions", ""),
            boundary_questions=data.get("boundary_questions", ""),
            governance_document=data.get("governance_document"),
        )


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DocumentVersion) -> str:
        return str(
            _("%(title)s, version %(number)s") % {"title": obj.document.title, "number": obj.number}
        )


class OccurrenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Occurrence) -> str:
        day = date_format(timezone.localtime(obj.starts_at).date(), "DATE_FORMAT")
        return f"{obj.series.title}, {day}"


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Round) -> str:
        return f"{obj.title} ({date_format(obj.opens_on, 'DATE_FORMAT')})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class VignettesChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Vignette) -> str:
        return obj.title


class SessionForm(_Keyed):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    description = forms.CharField(
        label=_("What was done"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example who presented what. No child may be identified."),
    )
    routine_version = VersionChoiceField(
        label=_("Routine version covered"),
        queryset=DocumentVersion.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    vignettes = VignettesChoiceField(
        label=_("Cases used"),
        queryset=Vignette.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    occurrence = OccurrenceChoiceField(
        label=_("Activity in the annual wheel"),
        queryset=Occurrence.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    evaluation_round = RoundChoiceField(
        label=_("Evaluation survey"),
        queryset=Round.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("A survey round made from an evaluation template, under Surveys."),
    )
    named_participants = PeopleChoiceField(
        label=_("Named participants (optional)"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        municipality: Municipality,
        session: TrainingSession | None = None,
        groups: list[SessionGroup] | None = None,
        participation: dict[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        self.municipality = municipality
        groups = groups or []
        initial: dict[str, Any] = {}
        if session is not None:
            initial = {
                "title": session.title,
                "held_on": session.held_on,
                "description": session.description,
                "routine_version": session.routine_version_id,
                "vignettes": [v.pk for v in session.vignettes.all()],
                "occurrence": session.occurrence_id,
                "evaluation_round": session.evaluation_round_id,
                "named_participants": [u.pk for u in session.named_participants.all()],
                "version": session.version,
            }
            for unit_id, count in (participation or {}).items():
                initial[f"unit_{unit_id}"] = count
            for index, group in enumerate(groups, start=1):
                initial[f"group_{index}_sectors"] = group.sectors
                initial[f"group_{index}_participants"] = group.participants
        else:
            initial = {"submission_key": uuid.uuid4(), "held_on": timezone.localdate()}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        mid = municipality.pk
        self.fields["routine_version"].queryset = (  # type: ignore[attr-defined]
            DocumentVersion.objects.filter(document__municipality_id=mid)
            .select_related("document")
            .order_by("document__title", "-number")
        )
        self.fields["vignettes"].queryset = Vignette.objects.filter(  # type: ignore[attr-defined]
            Q(municipality_id=mid) | Q(municipality__isnull=True)
        ).order_by("title")
        self.fields["occurrence"].queryset = (  # type: ignore[attr-defined]
            Occurrence.objects.filter(
                municipality_id=mid, series__activity_type=ActivityType.TRAINING
            )
            .select_related("series")
            .order_by("-starts_at")
        )
        self.fields["evaluation_round"].queryset = Round.objects.filter(  # type: ignore[attr-defined]
            municipality_id=mid, template_version__template__kind=SurveyKind.TRAINING_EVALUATION
        ).order_by("-opens_on")
        today = timezone.localdate()
        member_ids = Membership.objects.filter(active_on(today), unit__municipality_id=mid).values(
            "user_id"
        )
        self.fields["named_participants"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=member_ids, is_active=True
        ).order_by("last_name", "first_name", "username")
        self.units = list(
            Unit.objects.filter(municipality_id=mid)
            .exclude(sector=Sector.AUDIT)
            .filter(Q(is_active=True) | Q(pk__in=list(participation or {})))
            .order_by("name")
        )
        for unit in self.units:
            self.fields[f"unit_{unit.pk}"] = forms.IntegerField(
                label=unit.name,
                required=False,
                min_value=0,
                max_value=1000,
                error_messages={
                    "invalid": _("Enter a whole number."),
                    "min_value": _("The number of participants can not be negative."),
                },
            )
        self.group_count = max(len(groups) + 2, GROUP_ROWS_MIN)
        for index in range(1, self.group_count + 1):
            self.fields[f"group_{index}_sectors"] = forms.MultipleChoiceField(
                label=_("Sectors in group %(number)s") % {"number": index},
                choices=GROUP_SECTORS,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"group_{index}_participants"] = forms.IntegerField(
                label=_("Participants in group %(number)s (optional)") % {"number": index},
                required=False,
                min_value=0,
                max_value=1000,
            )

    def unit_fields_by_sector(self) -> list[tuple[str, list[forms.BoundField]]]:
        labels = dict(Sector.choices)
        by_sector: dict[str, list[forms.BoundField]] = {}
        for unit in self.units:
            by_sector.setdefault(unit.sector, []).append(self[f"unit_{unit.pk}"])
        return [
            (str(labels.get(sector, sector)), by_sector[sector])
            for sector in Sector.values
            if sector in by_sector
        ]

    def group_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (index, self[f"group_{index}_sectors"], self[f"group_{index}_participants"])
            for index in range(1, self.group_count + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _no_identity_numbers(self, "title", "description")
        return data

    def session_data(self) -> services.SessionData:
        data = self.cleaned_data
        participants = {
            unit.pk: data.get(f"unit_{unit.pk}") or 0
            for unit in self.units
            if data.get(f"unit_{unit.pk}")
        }
        groups = [
            services.GroupData(
                sectors=list(data.get(f"group_{index}_sectors") or []),
                participants=data.get(f"group_{index}_participants"),
            )
            for index in range(1, self.group_count + 1)
            if data.get(f"group_{index}_sectors") or data.get(f"group_{index}_participants")
        ]
        return services.SessionData(
            title=data["title"],
            held_on=data["held_on"],
            description=data.get("description", ""),
            routine_version=data.get("routine_version"),
            vignettes=list(data.get("vignettes") or []),
            occurrence=data.get("occurrence"),
            evaluation_round=data.get("evaluation_round"),
            participants=participants,
            groups=groups,
            named_participants=list(data.get("named_participants") or []),
        )

    def add_service_errors(self, error: Any) -> None:
        add_service_errors(self, error, aliases={"participants": "__all__", "groups": "__all__"})
