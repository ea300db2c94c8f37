"""Django's admin for the national reference values, for the operators of an installation
(``manage.py followup_reference_value`` does the same from the shell).

Changes go through ``followup.services`` so that they are validated and audited as from the
command. A row's indicator and year are its identity: to move a value, remove it and add it
again (the change form shows them read-only)."""

from typing import Any, override

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from followup.catalogue import CATALOGUE
from followup.models import ReferenceValue
from followup.services import (
    reference_value_clean,
    reference_value_remove,
    reference_value_set,
)


class ReferenceValueForm(forms.ModelForm):
    indicator_key = forms.ChoiceField(label=_("indicator"))

    class Meta:
        model = ReferenceValue
        fields = ("indicator_key", "year", "value", "source")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "indicator_key" in self.fields:
            field: forms.ChoiceField = self.fields["indicator_key"]  # type: ignore[assignment]
            field.choices = [
                (key, f"{indicator.name} ({key})") for key, indicator in CATALOGUE.items()
            ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        instance = self.instance
        key = cleaned.get("indicator_key", instance.indicator_key)
        year = cleaned.get("year", instance.year)
        if key and year is not None and "value" in cleaned and "source" in cleaned:
            try:
                reference_value_clean(
                    indicator_key=key, year=year, value=cleaned["value"], source=cleaned["source"]
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    @override
    def validate_unique(self) -> None:
        # Setting a year that has a value replaces it (the service's rule), as the command does.
        return


@admin.register(ReferenceValue)
class ReferenceValueAdmin(admin.ModelAdmin):
    form = ReferenceValueForm
    list_display = ("indicator_key", "year", "value", "source")
    list_filter = ("indicator_key",)
    search_fields = ("indicator_key", "source")

    @override
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("indicator_key", "year") if obj is not None else ()

    @override
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved, _changed = reference_value_set(
            actor=request.user,  # type: ignore[arg-type]
            indicator_key=obj.indicator_key,
            year=obj.year,
            value=obj.value,
            source=obj.source,
        )
        obj.pk = saved.pk

    @override
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        reference_value_remove(
            actor=request.user,  # type: ignore[arg-type]
            indicator_key=obj.indicator_key,
            year=obj.year,
        )

    @override
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
