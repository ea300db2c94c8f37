"""``{{ text|sanitize }}``: show stored formatted text through ``core.sanitize.sanitize_html``
again, so that nothing but the allowed formatting reaches the page (load with
``{% load sanitize %}``).

``{{ text|nested_headings }}`` does the same and moves the text's headings one level down
(h2 → h3 …), for text shown under a page's own h2, so that the page's outline stays in order.
"""

import re

from django import template
from django.utils.safestring import SafeString, mark_safe

from core.sanitize import sanitize_html

register = template.Library()

# Sanitised headings carry no attributes, so the tags are exactly these.
_HEADING = re.compile(r"<(/?)h([2-5])>")


@register.filter(name="sanitize")
def sanitize(value: object) -> SafeString:
    if value is None:
        return mark_safe("")
    return mark_safe(sanitize_html(str(value)))  # noqa: S308 - sanitised just above


@register.filter(name="nested_headings")
def nested_headings(value: object) -> SafeString:
    """Sanitised (whatever it is given), with the headings one level down."""
    clean = sanitize_html(str(value)) if value is not None else ""
    return mark_safe(  # noqa: S308 - sanitised just above; only tag names change
        _HEADING.sub(lambda match: f"<{match[1]}h{int(match[2]) + 1}>", clean)
    )
