import re

from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.loader import render_to_string

from core.renderers import FormRenderer
from core.widgets import LeanRadioSelect, LeanSelect

CHOICES = [("", "Alla skolor"), ("1", "Ullvi & Tällberg"), ("2", "<Noret>")]


class Both(forms.Form):
    lean = forms.ChoiceField(choices=CHOICES, required=False, widget=LeanSelect, help_text="Välj")
    plain = forms.ChoiceField(choices=CHOICES, required=False, help_text="Välj")


def normalised(html: str) -> str:
    return "".join(line.strip() for line in html.splitlines())


def test_the_lean_select_writes_the_same_markup_as_djangos_template() -> None:
    for data in ({}, {"lean": "2", "plain": "2"}, {"lean": "x", "plain": "x"}):
        form = Both(data or None)
        form.is_valid()
        lean = normalised(str(form["lean"])).replace("lean", "FIELD")
        plain = normalised(str(form["plain"])).replace("plain", "FIELD")
        assert sorted(lean.split('" ')) == sorted(plain.split('" '))  # attribute order aside
    assert "&lt;Noret&gt;" in str(Both()["lean"])
    assert "Ullvi &amp; Tällberg" in str(Both()["lean"])


KINDS = [("yes", "Ja, <genast>"), ("no", "Nej & inte nu")]
GROUPED = [("Skolor", [("1", "Ullvi"), ("2", "Noret")]), ("3", "Annan")]


class Radios(forms.Form):
    lean = forms.ChoiceField(choices=KINDS, widget=LeanRadioSelect, help_text="Välj")
    plain = forms.ChoiceField(choices=KINDS, widget=forms.RadioSelect, help_text="Välj")
    lean_grouped = forms.ChoiceField(choices=GROUPED, required=False, widget=LeanRadioSelect)
    plain_grouped = forms.ChoiceField(choices=GROUPED, required=False, widget=forms.RadioSelect)


def _same(lean: str, plain: str) -> None:
    assert lean.replace("lean", "FIELD") == plain.replace("plain", "FIELD")


def test_the_lean_radio_select_writes_the_same_markup_as_djangos_templates() -> None:
    # Held to the template language's markup, byte for byte; the Jinja2 copies that other
    # forms render through (core/renderers.py) differ from it only in whitespace.
    for data in (None, {"lean": "no", "plain": "no"}, {"lean": "x", "plain": "x"}):
        form = Radios(data, renderer=DjangoTemplates())
        form.is_valid()
        _same(str(form["lean"]), str(form["plain"]))
        _same(str(form["lean_grouped"]), str(form["plain_grouped"]))
    html = str(Radios()["lean"])
    assert "Ja, &lt;genast&gt;" in html
    assert "Nej &amp; inte nu" in html
    assert 'value="yes" required id="id_lean_0"' in html


def test_the_error_summary_links_to_the_first_lean_radio_button() -> None:
    form = Radios({"plain": "no"})
    assert not form.is_valid()
    html = render_to_string("includes/form_errors.html", {"form": form})
    assert 'href="#id_lean_0"' in html  # the first button, not the wrapper


class Mixed(forms.Form):
    name = forms.CharField(label="Namn", help_text="Som i folkbokföringen", max_length=20)
    note = forms.CharField(label="Anteckning", widget=forms.Textarea, required=False)
    day = forms.DateField(label="Dag", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="Slag", choices=KINDS)
    many = forms.MultipleChoiceField(
        label="Flera", choices=KINDS, widget=forms.CheckboxSelectMultiple, required=False
    )


def test_forms_render_through_jinja2_with_the_template_languages_markup() -> None:
    """core.renderers.FormRenderer: the same elements and attributes (whitespace aside), the
    errors and help texts included; templates without a Jinja2 copy fall back."""
    for data in (None, {"name": "x" * 30, "day": "igår", "kind": "maybe"}):
        jinja2_form, django_form = Mixed(data), Mixed(data, renderer=DjangoTemplates())
        jinja2_form.is_valid()
        django_form.is_valid()
        written, expected = str(jinja2_form), str(django_form)
        assert "<textarea" in written
        assert _tags(written) == _tags(expected)
    renderer = FormRenderer()
    assert renderer.render("django/forms/label.html", {"label": "x"}).strip() == "x"
    wrapper = renderer.get_template("admin/widgets/related_widget_wrapper.html")
    assert wrapper is not None  # the admin's own widget: no Jinja2 copy, the template language


def _tags(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()
