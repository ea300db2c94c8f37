from django import forms

from core.widgets import LeanSelect

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
