"""The one mapper from a service's ValidationError to a form's errors."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import add_service_errors


class _Form(forms.Form):
    title = forms.CharField()
    attendance_7 = forms.IntegerField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


def _bound() -> _Form:
    form = _Form({"title": "Rutin", "version": "3"})
    assert form.is_valid()
    return form


def test_field_errors_go_on_their_fields() -> None:
    form = _bound()
    add_service_errors(form, ValidationError({"title": ["Too short.", "Not unique."]}))
    assert form.errors["title"] == ["Too short.", "Not unique."]
    assert form.non_field_errors() == []


def test_hidden_and_unknown_fields_errors_go_on_the_form() -> None:
    form = _bound()
    add_service_errors(
        form, ValidationError({"version": "Changed by someone else.", "parties": "Not yours."})
    )
    assert "version" not in form.errors
    assert form.non_field_errors() == ["Changed by someone else.", "Not yours."]


def test_an_error_naming_no_field_goes_on_the_form() -> None:
    form = _bound()
    add_service_errors(form, ValidationError("Something went wrong."))
    assert form.non_field_errors() == ["Something went wrong."]


def test_an_alias_puts_the_error_on_the_field_that_shows_it() -> None:
    form = _bound()
    add_service_errors(
        form,
        ValidationError({"attendance": "Only invited units."}),
        aliases={"attendance": "attendance_7"},
    )
    assert form.errors["attendance_7"] == ["Only invited units."]
    assert form.non_field_errors() == []
