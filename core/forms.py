from collections.abc import Iterator, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator

from core.models import AccessibilityReport


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices of a model choice field read with one plain query, and kept for the next
    rendering of the same field. Django reads them with ``iterator()``, which on PostgreSQL
    opens a server-side cursor: DECLARE, FETCH and CLOSE, three round trips, and WITH HOLD
    copies the rows aside at the commit, for a list of a few dozen people."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


def add_service_errors(
    form: forms.Form, error: ValidationError, *, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a service's ``ValidationError`` on ``form``: each message beside the field it
    names, so the page is shown again with what was typed.

    ``aliases`` maps a name the service uses to the form field that shows it (e.g. one of
    several fields the service sees as one value). A message for a name the form has no
    visible field for (unknown, or a hidden field the user can neither see nor correct), and
    an error that names no field, goes on the form itself.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    aliases = aliases or {}
    for name, messages in error.message_dict.items():
        target = aliases.get(name, name)
        field = form.fields.get(target)
        form.add_error(
            target if field is not None and not field.widget.is_hidden else None, messages
        )


class AccessibilityReportForm(forms.ModelForm):
    class Meta:
        model = AccessibilityReport
        fields = ["page", "description", "contact"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
