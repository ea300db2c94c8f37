from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
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
        rows = getattr(self.field, "offered_rows", None)
        for obj in self.queryset if rows is None else rows:
            yield self.choice(obj)


def offer_rows(field: forms.Field, rows: Sequence[Model]) -> None:
    """Show ``rows`` as the choices of a model choice field using :class:`ListedChoiceIterator`,
    with no query: for a page that has read them already, with other rows, in one query. The
    rows must be what the field's queryset gives, in its order (the caller's test holds them
    to it); a submitted choice is still checked against the queryset."""
    if not isinstance(field, forms.ModelChoiceField) or field.iterator is not ListedChoiceIterator:
        raise TypeError("offer_rows needs a model choice field with ListedChoiceIterator")
    field.offered_rows = list(rows)  # type: ignore[attr-defined]


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
