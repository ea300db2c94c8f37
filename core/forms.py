from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError

from core.models import AccessibilityReport


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
