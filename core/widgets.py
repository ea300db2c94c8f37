"""Widgets that render without the template engine where a page would otherwise pay for it on
every request.

Django renders each ``<option>`` of a select through a template include; a filter of every
school in a large municipality (hundreds of schools and preschools) then costs more than the
list it filters, and the cost grows with the municipality (PERFORMANCE.md, T5).
"""

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class LeanSelect(forms.Select):
    """A plain ``<select>`` (no option groups) written directly: the same markup as Django's
    template, the widget's attributes (id, aria-describedby, required) included."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        del renderer  # written directly: no template renderer
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(option["value"]), flatatt(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )
