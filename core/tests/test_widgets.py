from django import forms
from django.template.loader import render_to_string

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
    for data in (None, {"lean": "no", "plain": "no"}, {"lean": "x", "plain": "x"}):
        form = Radios(data)
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
