"""``{{ text|sanitize }}``: show stored formatted text through ``core.sanitize.sanitize_html``
again, so that nothing but the allowed formatting reaches the page (load with
``{% load sanitize %}``)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from core.sanitize import sanitize_html

register = template.Library()


@register.filter(name="sanitize")
def sanitize(value: object) -> SafeString:
    if value is None:
        return mark_safe("")
    return mark_safe(sanitize_html(str(value)))  # noqa: S308 - sanitised just above
