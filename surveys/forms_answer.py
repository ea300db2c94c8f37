"""The answer form, made from a version's questions: one field per question, named by the
question's id (``q-<id>``), so a field of another version or a made-up one is recognised."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from surveys.models import Question, QuestionKind, Section
from surveys.services_answers import Value

PREFIX = "q-"


def field_name(question: Question) -> str:
    return f"{PREFIX}{question.pk}"


def _field(question: Question, *, require: bool) -> forms.Field:
    required = require and question.required
    range_message: Any
    # Marked whether or not this form asks for it (a pause does not): the respondent sees
    # what must be answered before sending.
    label = (
        format_lazy("{} ({})", question.text, pgettext_lazy("answer form", "required"))
        if question.required
        else question.text
    )
    common: dict[str, Any] = {
        "label": label,
        "help_text": question.help_text,
        "required": required,
        "error_messages": {
            "required": _("Answer the question."),
            "invalid_choice": _("Choose one of the options."),
        },
    }
    choices = [(row["key"], row["label"]) for row in question.options]
    match question.kind:
        case QuestionKind.LIKERT | QuestionKind.SINGLE:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        case QuestionKind.MULTIPLE:
            common["error_messages"]["invalid_choice"] = _("Choose among the options.")
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        case QuestionKind.NUMBER:
            low, high = question.min_value, question.max_value
            if low is not None and high is not None:
                range_message = _("Write a whole number from %(low)s to %(high)s.") % {
                    "low": low,
                    "high": high,
                }
            elif low is not None:
                range_message = _("Write a whole number of at least %(low)s.") % {"low": low}
            elif high is not None:
                range_message = _("Write a whole number of at most %(high)s.") % {"high": high}
            else:
                range_message = _("Write a whole number.")
            common["error_messages"].update(
                {"invalid": range_message, "min_value": range_message, "max_value": range_message}
            )
            return forms.IntegerField(
                min_value=low,
                max_value=high,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                **common,
            )
        case _:
            if question.max_length:
                common["error_messages"]["max_length"] = ngettext_lazy(
                    "The answer may be at most %(limit_value)d character long (it is "
                    "%(show_value)d).",
                    "The answer may be at most %(limit_value)d characters long (it is "
                    "%(show_value)d).",
                    "limit_value",
                )
            return forms.CharField(
                max_length=question.max_length,
                widget=forms.Textarea(attrs={"rows": 5}),
                strip=True,
                **common,
            )


@dataclass(frozen=True)
class SectionFields:
    section: Section
    fields: list[forms.BoundField]


class AnswerForm(forms.Form):
    """``require``: whether required questions must be answered (submit) or not (pause)."""

    tampered_message = _(
        "The form held answers to questions that are not in this survey. Check your answers "
        "below and send them again."
    )

    def __init__(
        self,
        questions: list[Question],
        *,
        require: bool = True,
        data: Mapping[str, Any] | None = None,
        initial_values: Mapping[int, Value] | None = None,
    ) -> None:
        initial = {f"{PREFIX}{key}": value for key, value in (initial_values or {}).items()}
        super().__init__(data=data, initial=initial)
        self.questions = questions
        self.tampered = False
        for question in questions:
            self.fields[field_name(question)] = _field(question, require=require)
        if data is not None:
            own = set(self.fields)
            self.tampered = any(name.startswith(PREFIX) and name not in own for name in data)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.tampered:
            raise forms.ValidationError(self.tampered_message, code="tampered")
        return cleaned

    def values(self) -> dict[int, Value]:
        """The answers given (empty ones left out), by question id."""
        found: dict[int, Value] = {}
        for question in self.questions:
            value = self.cleaned_data.get(field_name(question))
            if value in (None, "", []):
                continue
            found[question.pk] = list(value) if isinstance(value, list) else value
        return found

    def sections(self) -> list[SectionFields]:
        grouped: list[SectionFields] = []
        for question in self.questions:
            if not grouped or grouped[-1].section.pk != question.section_id:
                grouped.append(SectionFields(question.section, []))
            grouped[-1].fields.append(self[field_name(question)])
        return grouped
