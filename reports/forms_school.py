"""Forms of the school side: starting a report, the draft, and the supplement.

The draft form never blocks a save: every field is optional here, and what is needed before a
report can be submitted is checked by ``services_school.submission_problems``. A field that does not
validate (a mistyped identity number) is shown again as typed, with its message, and the
valid fields are saved.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from core.personnummer import IdentityNumberField
from core.uploads import extensions, validate_upload
from organisations.models import Membership, Municipality, Unit
from reports.models import (
    NEVER_TELL_GUARDIANS,
    ConcernCategory,
    ConcernReport,
    GuardiansInformed,
)
from reports.selectors_common import identity_number_formatted
from reports.selectors_school import child_label_masked

OTHER_MUNICIPALITY = "other"
# How the guardians question was shown when the form was rendered (a hidden input says which):
# asked, or replaced by the notice not to tell the guardians.
GUARDIANS_ASK = "ask"
GUARDIANS_NEVER_TELL = "never_tell"

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def guardians_mode(categories: set[str]) -> str:
    return GUARDIANS_NEVER_TELL if categories & NEVER_TELL_GUARDIANS else GUARDIANS_ASK


class MembershipChoiceField(forms.ModelChoiceField[Membership]):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.get_role_display()} – {obj.unit.name}"


class SchoolChoiceField(forms.ModelChoiceField[Unit]):
    def __init__(self, *args: Any, several_municipalities: bool = False, **kwargs: Any) -> None:
        self.several_municipalities = several_municipalities
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Unit) -> str:
        if self.several_municipalities:
            return f"{obj.name} ({obj.municipality.name})"
        return obj.name


class NewReportForm(forms.Form):
    """Which school the report comes from, and (for someone with several roles) in which role
    it is filed: the role decides the confidentiality domain of the report."""

    school = SchoolChoiceField(
        queryset=Unit.objects.none(),
        label=_("The child's school or preschool"),
        empty_label=_("Choose the school or preschool"),
        error_messages={"required": _("Choose the school or preschool the child goes to.")},
    )

    def __init__(
        self,
        *args: Any,
        memberships: list[Membership],
        schools: list[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        school_field: SchoolChoiceField = self.fields["school"]  # type: ignore[assignment]
        school_field.queryset = Unit.objects.filter(pk__in=[s.pk for s in schools])
        school_field.several_municipalities = len({s.municipality_id for s in schools}) > 1
        own_schools = [m.unit for m in memberships if m.unit.is_school_unit]
        if own_schools:
            school_field.initial = own_schools[0].pk
        elif len(schools) == 1:
            school_field.initial = schools[0].pk
        if len(memberships) > 1:
            self.fields["membership"] = MembershipChoiceField(
                queryset=Membership.objects.filter(pk__in=[m.pk for m in memberships]),
                label=_("You report in your role as"),
                empty_label=None,
                help_text=_(
                    "A report from medical student health (school nurse, school doctor) is "
                    "not shown to the principal."
                ),
            )
            self.fields["membership"].initial = memberships[0].pk


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.Field):
    """Several files in one input; each is checked by ``core.uploads`` in the form."""

    widget = MultipleFileInput

    def to_python(self, data: Any) -> list[UploadedFile]:
        if not data:
            return []
        if isinstance(data, (list, tuple)):
            return [upload for upload in data if upload]
        return [data]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs["accept"] = ",".join(f".{extension}" for extension in extensions())
        return attrs


def check_uploads(uploads: list[UploadedFile]) -> tuple[list[UploadedFile], list[ValidationError]]:
    """Split the uploads into accepted ones and one message per refused file."""
    accepted, refused = [], []
    for upload in uploads:
        if not upload.size:
            refused.append(
                ValidationError(
                    _("%(name)s is empty. Choose the file again."),
                    code="file_empty",
                    params={"name": upload.name},
                )
            )
            continue
        try:
            validate_upload(upload, max_bytes=settings.REPORT_ATTACHMENT_MAX_BYTES)
        except ValidationError as error:
            refused.append(error)
        else:
            accepted.append(upload)
    return accepted, refused


ATTACHMENT_HELP = _(
    "PDF, images (PNG, JPEG, HEIC) or office documents (Word, Excel, PowerPoint, "
    "OpenDocument). You can choose several files."
)


class DraftForm(forms.Form):
    """The report of concern. Rendered by hand in fieldsets (see draft_edit.html)."""

    school = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=_("The child's school or preschool"),
        required=False,
    )
    child_identity_number = IdentityNumberField(
        label=_("Personal identity number or coordination number"),
        required=False,
        max_length=20,
        help_text=_(
            "YYYYMMDD-NNNN. If you do not know it, leave it empty and give the child's name "
            "and approximate age or class below."
        ),
    )
    child_name = forms.CharField(label=_("The child's name"), required=False, max_length=200)
    child_approximate_age = forms.IntegerField(
        label=_("Approximate age (years)"), required=False, min_value=0, max_value=20
    )
    child_class = forms.CharField(label=_("Class or group"), required=False, max_length=50)
    # Optional here (a draft may leave it open), required to submit
    # (services_school.submission_problems); no initial answer, so nothing is preset.
    acute_danger = forms.TypedChoiceField(
        label=_("Is the child in acute danger?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    guardians = forms.CharField(
        label=_("Guardians and their contact details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Names, phone numbers and addresses, as far as you know them."),
    )
    interpreter_language = forms.CharField(
        label=_("Interpreter needed for (language)"),
        required=False,
        max_length=100,
        help_text=_("Leave empty if no interpreter is needed."),
    )
    categories = forms.MultipleChoiceField(
        label=_("What is the concern about?"),
        choices=ConcernCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every kind of concern that applies, at least one."),
    )
    what_happened = forms.CharField(
        label=_("What happened and what you saw"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Describe what makes you worried, with examples: when, where, what."),
    )
    child_words = forms.CharField(
        label=_("What the child said, in the child's own words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Write it as the child said it, without interpreting it."),
    )
    guardians_informed = forms.ChoiceField(
        label=_("Have the guardians been told about the report?"),
        choices=[(GuardiansInformed.YES, _("Yes")), (GuardiansInformed.NO, _("No"))],
        required=False,
        widget=forms.RadioSelect,
    )
    guardians_not_informed_reason = forms.CharField(
        label=_("If not: why not?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    home = forms.ChoiceField(
        label=_("The child's home municipality"),
        required=False,
        help_text=_(
            "Where the child is registered (folkbokförd). The report goes to the social "
            "services of that municipality."
        ),
    )
    forward_to_name = forms.CharField(
        label=_("Name of the other municipality"),
        required=False,
        max_length=100,
        help_text=_("Only when you chose another municipality above."),
    )
    wants_feedback = forms.BooleanField(
        label=_("I want feedback on whether an investigation is opened"), required=False
    )
    reporter_phone = forms.CharField(label=_("Your phone number"), required=False, max_length=40)
    reporter_email = forms.EmailField(label=_("Your e-mail address"), required=False)
    attachments = MultipleFileField(
        label=_("Attach files"), required=False, help_text=ATTACHMENT_HELP
    )
    siblings = forms.MultipleChoiceField(
        label=_("Reports about the child's siblings"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One child per report: link your reports about brothers and sisters."),
    )
    sibling_query = forms.CharField(
        label=_("Find your report about a sibling"),
        required=False,
        max_length=100,
        help_text=_(
            "The sibling's name, or their personnummer or date of birth (at least six digits). "
            "Only your own reports are searched."
        ),
    )

    def __init__(
        self,
        *args: Any,
        report: ConcernReport,
        municipalities: list[Municipality],
        schools: list[Unit],
        sibling_candidates: list[ConcernReport],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.accepted_uploads: list[UploadedFile] = []
        if len(schools) > 1:
            school_field: forms.ModelChoiceField[Unit] = self.fields["school"]  # type: ignore[assignment]
            school_field.queryset = Unit.objects.filter(pk__in=[s.pk for s in schools])
            school_field.empty_label = None
        else:
            del self.fields["school"]
        home_field: forms.ChoiceField = self.fields["home"]  # type: ignore[assignment]
        home_field.choices = [
            ("", _("Choose the municipality")),
            *((str(m.pk), m.name) for m in municipalities),
            (OTHER_MUNICIPALITY, _("Another municipality (not in Samverkan)")),
        ]
        sibling_field: forms.MultipleChoiceField = self.fields["siblings"]  # type: ignore[assignment]
        # Always there (perhaps without choices), so that a tampered id is an error and
        # unticking the last sibling unlinks it.
        sibling_field.choices = [(str(r.pk), _sibling_label(r)) for r in sibling_candidates]
        if not self.is_bound:
            self.initial = _initial(report, sibling_candidates)

    # --- what to save --------------------------------------------------------------------------

    def clean_attachments(self) -> list[UploadedFile]:
        accepted, refused = check_uploads(self.cleaned_data["attachments"])
        self.accepted_uploads = accepted
        if refused:
            raise ValidationError(refused)
        return accepted

    def draft_values(self, *, shown_guardians_mode: str) -> dict[str, Any]:
        """The model values of the fields that validated (the others keep their saved value)."""
        data = self.cleaned_data
        values: dict[str, Any] = {}
        for name in (
            "child_identity_number",
            "child_name",
            "child_approximate_age",
            "child_class",
            "guardians",
            "interpreter_language",
            "what_happened",
            "child_words",
            "wants_feedback",
            "reporter_phone",
            "reporter_email",
        ):
            if name in data:
                values[name] = data[name]
        if data.get("school") is not None:
            values["school_unit"] = data["school"]
        if data.get("acute_danger") is not None:
            values["acute_danger"] = data["acute_danger"]
        values.update(self._guardians_values(shown_guardians_mode))
        values.update(self._home_values())
        return values

    def _guardians_values(self, shown_guardians_mode: str) -> dict[str, Any]:
        data = self.cleaned_data
        if shown_guardians_mode == GUARDIANS_NEVER_TELL:
            # The question was not shown (the notice not to tell the guardians was). If the
            # categories no longer call for that, the question is unanswered: it is shown next.
            # A reason typed earlier is kept for that moment.
            categories = self.draft_categories()
            if categories is None:
                categories = list(self.report.categories.values_list("category", flat=True))
            never_tell = guardians_mode(set(categories)) == GUARDIANS_NEVER_TELL
            return {"guardians_informed": GuardiansInformed.NOT_ASKED if never_tell else ""}
        values: dict[str, Any] = {}
        if "guardians_informed" in data:
            values["guardians_informed"] = data["guardians_informed"]
        if "guardians_not_informed_reason" in data:
            values["guardians_not_informed_reason"] = data["guardians_not_informed_reason"]
        return values

    def _home_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        if "home" not in data or "forward_to_name" not in data:
            return {}
        home = data["home"]
        if home == OTHER_MUNICIPALITY:
            return {"home_municipality": None, "forward_to_name": data["forward_to_name"].strip()}
        return {
            "home_municipality": (
                Municipality.objects.filter(pk=int(home)).first() if home else None
            ),
            "forward_to_name": "",
        }

    def draft_categories(self) -> list[str] | None:
        """The chosen categories, or None (keep the saved ones) when they did not validate."""
        if "categories" in self.cleaned_data:
            return list(self.cleaned_data["categories"])
        return None

    def draft_sibling_ids(self) -> list[int] | None:
        if "siblings" not in self.fields:
            return None
        if "siblings" in self.cleaned_data:
            return [int(pk) for pk in self.cleaned_data["siblings"]]
        return None

    def chose_other_municipality(self) -> bool:
        return self.data.get("home") == OTHER_MUNICIPALITY


class SupplementForm(forms.Form):
    text = forms.CharField(
        label=_("What do you want to add?"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write what you want to add to the report.")},
    )
    attachments = MultipleFileField(
        label=_("Attach files"), required=False, help_text=ATTACHMENT_HELP
    )

    def clean_attachments(self) -> list[UploadedFile]:
        accepted, refused = check_uploads(self.cleaned_data["attachments"])
        if refused:
            raise ValidationError(
                [
                    *refused,
                    ValidationError(
                        _("Nothing was added. Choose the files you want to attach again.")
                    ),
                ]
            )
        return accepted


def _sibling_label(report: ConcernReport) -> str:
    child = child_label_masked(report) or _("child not named yet")
    if report.is_draft:
        return str(_("%(child)s – draft %(reference)s")) % {
            "child": child,
            "reference": report.reference,
        }
    return str(_("%(child)s – report %(reference)s")) % {
        "child": child,
        "reference": report.reference,
    }


def _initial(report: ConcernReport, sibling_candidates: list[ConcernReport]) -> dict[str, Any]:
    if report.forward_to_name:
        home = OTHER_MUNICIPALITY
    elif report.home_municipality_id:
        home = str(report.home_municipality_id)
    else:
        home = ""
    linked = {s.pk for s in sibling_candidates} & {s.pk for s in report.siblings.all()}
    return {
        "school": report.school_unit_id,
        "child_identity_number": identity_number_formatted(report.child_identity_number),
        "child_name": report.child_name,
        "child_approximate_age": report.child_approximate_age,
        "child_class": report.child_class,
        "guardians": report.guardians,
        "interpreter_language": report.interpreter_language,
        "categories": list(report.categories.values_list("category", flat=True)),
        "what_happened": report.what_happened,
        "child_words": report.child_words,
        # Unanswered stays unanswered: neither radio button is checked on a new report.
        "acute_danger": (
            None if report.acute_danger is None else ("yes" if report.acute_danger else "no")
        ),
        "guardians_informed": report.guardians_informed,
        "guardians_not_informed_reason": report.guardians_not_informed_reason,
        "home": home,
        "forward_to_name": report.forward_to_name,
        "wants_feedback": report.wants_feedback,
        "reporter_phone": report.reporter_phone,
        "reporter_email": report.reporter_email,
        "siblings": [str(pk) for pk in linked if pk in {c.pk for c in sibling_candidates}],
    }
