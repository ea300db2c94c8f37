"""Widgets that render without the template engine where a page would otherwise pay for it on
every request.

Django renders each ``<option>`` of a select through a template include; a filter of every
school in a large municipality (hundreds of schools and preschools) then costs more than the
list it filters, and the cost grows with the municipality (PERFORMANCE.md, T5).
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class _WrittenDirectly(forms.Widget):
    """A widget whose markup is written by ``write`` from Django's widget context, without
    the template renderer."""

    write: Callable[[dict[str, Any]], SafeString]  # each lean widget writes its own markup

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        del renderer  # written directly: no template renderer
        return self.write(self.get_context(name, value, attrs)["widget"])


class LeanSelect(_WrittenDirectly, forms.Select):
    """A plain ``<select>`` (no option groups) written directly: the same markup as Django's
    template, the widget's attributes (id, aria-describedby, required) included."""

    def write(self, widget: dict[str, Any]) -> SafeString:
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


class LeanRadioSelect(_WrittenDirectly, forms.RadioSelect):
    """Radio buttons written directly: the markup of Django's ``multiple_input.html`` and
    ``input_option.html``, without an include per option and per attribute list. The intake's
    report page has three groups of them on every view."""

    def write(self, widget: dict[str, Any]) -> SafeString:
        parts = [
            format_html(
                "<div{}{}>",
                _attribute("id", widget["attrs"].get("id")),
                _attribute("class", widget["attrs"].get("class")),
            )
        ]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html("\n  <div><label>{}</label>", group))
            parts.extend(format_html("<div>\n    {}</div>", _option(option)) for option in options)
            if group:
                parts.append(SafeString("\n  </div>"))
        parts.append(SafeString("\n</div>"))
        return SafeString("".join(parts))


def _attribute(name: str, value: Any) -> SafeString:
    return format_html(' {}="{}"', name, value) if value else SafeString("")


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """``attrs.html``: in the dictionary's order, ``True`` as a bare name, ``False`` left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _option(option: dict[str, Any]) -> SafeString:
    """``radio_option.html`` (and ``input_option.html``, ``input.html``), their line ends
    included: one ``<input>``, in its ``<label>`` when the widget wraps labels."""
    value = option["value"]
    field = format_html(
        '<input type="{}" name="{}"{}{}>\n',
        option["type"],
        option["name"],
        SafeString("") if value is None else format_html(' value="{}"', value),
        _attributes(option["attrs"]),
    )
    if not option["wrap_label"]:
        return format_html("{}\n\n", field)
    return format_html(
        "<label{}>{} {}</label>\n\n",
        _attribute("for", option["attrs"].get("id")),
        field,
        option["label"],
    )
