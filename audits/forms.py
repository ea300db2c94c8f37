"""Forms of the audit module. They check the shape of what was typed; the rules (same audit,
same municipality, required texts, finished rounds) live in ``audits.services``, whose
messages the views put beside the fields."""

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import Assessment, AuditKind, EvidenceKind, Implementation, MeasureStatus
from core.uploads import accepted_extensions
from followup.catalogue import indicator_choices
from governance.forms import DateInput

DATE_ERROR = {"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2022-03-24.")}


def _date(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        help_text=help_text,
        error_messages=DATE_ERROR,
    )


def _area(label: Any, *, required: bool = True, rows: int = 4, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


class KeyedForm(forms.Form):
    """A form that creates a row: the hidden key makes a double click create it once."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission_key"].initial = uuid.uuid4()


class LabelledChoiceField(forms.ModelChoiceField):
    """Rows by their own words, shortened (a question or recommendation can be long)."""

    def label_from_instance(self, obj: Any) -> str:
        text = str(obj)
        return text if len(text) <= 90 else text[:88] + "…"


class AuditForm(KeyedForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=AuditKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    auditors = forms.CharField(label=_("Audit firm and auditors"), max_length=300, required=False)
    committees = forms.CharField(
        label=_("Committees audited"),
        max_length=300,
        required=False,
        help_text=_("e.g. Kommunstyrelsen"),
    )
    scope = _area(_("Scope and purpose"), required=False)
    report_date = _date(_("Date of the report"))
    follows_up = LabelledChoiceField(
        label=_("Follows up the audit"),
        queryset=None,
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args: Any, earlier: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follows_up"].queryset = earlier  # type: ignore[attr-defined]


def _assessment_choices(choices: type[Assessment], empty: Any) -> list[tuple[str, Any]]:
    return [("", empty), *choices.choices]


class QuestionForm(KeyedForm):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=99)
    text = _area(_("Audit question"), rows=3)
    assessment = forms.ChoiceField(
        label=_("Assessment"),
        choices=_assessment_choices(Assessment, _("Not assessed")),
        required=False,
    )
    assessment_text = _area(_("The auditors' assessment in words"), required=False)


class RecommendationForm(KeyedForm):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=99)
    text = _area(_("Recommendation"), rows=4)
    question = LabelledChoiceField(
        label=_("Audit question"), queryset=None, required=False, empty_label=_("None")
    )
    response_due = _date(
        _("Answer due"), help_text=_("The date by which the auditors want an answer.")
    )

    def __init__(self, *args: Any, questions: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = questions  # type: ignore[attr-defined]


class ResponseForm(KeyedForm):
    recommendation = LabelledChoiceField(
        label=_("Answers the recommendation"),
        queryset=None,
        required=False,
        empty_label=_("The audit as a whole"),
    )
    text = _area(_("Response"), rows=5)
    decision_body = forms.CharField(
        label=_("Decided by"), max_length=200, help_text=_("e.g. Kommunstyrelsen")
    )
    decision_reference = forms.CharField(
        label=_("Decision reference"), max_length=100, help_text=_("e.g. KS 2022-03-10 § 45")
    )
    decided_on = _date(_("Date of the decision"), required=True)

    def __init__(self, *args: Any, recommendations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recommendation"].queryset = recommendations  # type: ignore[attr-defined]


class MeasureForm(KeyedForm):
    what = _area(_("Measure"), rows=3)
    owner = forms.CharField(
        label=_("Owner"), max_length=200, help_text=_("A role or a person, e.g. Samordnaren")
    )
    owner_unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Owner unit"), queryset=None, required=False, empty_label=_("None")
    )
    due_on = _date(_("Due"))
    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices)

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = units  # type: ignore[attr-defined]


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(title)s, version %(number)s") % {
            "title": obj.document.title,
            "number": obj.number,
        }


class OccurrenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.series.title}, {timezone.localtime(obj.starts_at):%Y-%m-%d}"


class BoardReportChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class EvidenceForm(KeyedForm):
    kind = forms.ChoiceField(
        label=_("Kind of evidence"),
        choices=EvidenceKind.choices,
        widget=forms.RadioSelect,
        help_text=_("Then fill in the field that goes with the kind you chose."),
    )
    description = forms.CharField(label=_("Description"), max_length=300)
    document_version = VersionChoiceField(
        label=_("Version of a governance document"),
        queryset=None,
        required=False,
        empty_label=_("Choose"),
    )
    occurrence = OccurrenceChoiceField(
        label=_("Meeting held"), queryset=None, required=False, empty_label=_("Choose")
    )
    board_report = BoardReportChoiceField(
        label=_("Published report to the board"),
        queryset=None,
        required=False,
        empty_label=_("Choose"),
    )
    indicator_key = forms.ChoiceField(
        label=_("Indicator"),
        required=False,
        choices=(),
        help_text=_("Its value for the last twelve months is kept as it is today."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, office document or image."),
        widget=forms.ClearableFileInput(attrs={"accept": accepted_extensions()}),
    )
    reference = forms.CharField(
        label=_("Other reference"),
        max_length=300,
        required=False,
        help_text=_("e.g. a decision, a web address or where a paper is kept"),
    )

    def __init__(
        self,
        *args: Any,
        versions: QuerySet,
        occurrences: QuerySet,
        board_reports: QuerySet,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["document_version"].queryset = versions  # type: ignore[attr-defined]
        self.fields["occurrence"].queryset = occurrences  # type: ignore[attr-defined]
        self.fields["board_report"].queryset = board_reports  # type: ignore[attr-defined]
        self.fields["indicator_key"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose")),
            *indicator_choices(),
        ]


class RoundForm(KeyedForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    held_on = _date(_("Date of the follow-up"), required=True)
    summary = _area(
        _("Summary and recommendations"),
        required=False,
        rows=6,
        help_text=_("Shown last in the follow-up report."),
    )


class AssessmentForm(forms.Form):
    implementation = forms.ChoiceField(
        label=_("Assessment"), choices=Implementation.choices, widget=forms.RadioSelect
    )
    current_state = _area(_("Current state"), required=False, rows=5)


class QuestionFollowUpForm(forms.Form):
    current_state = _area(_("Current state"), rows=6)
    assessment = forms.ChoiceField(
        label=_("Assessment now"),
        choices=_assessment_choices(Assessment, _("Not assessed")),
        required=False,
    )
