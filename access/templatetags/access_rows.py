"""``{% access_log_rows groups show_municipality following_child %}``: the log review's
table rows, written in ``access/fragments.py`` (a template loop cost a third of the page)."""

from collections.abc import Sequence

from django import template
from django.utils.safestring import SafeString

from access.fragments import log_rows_html
from access.grouping import AccessGroup

register = template.Library()


@register.simple_tag
def access_log_rows(
    groups: Sequence[AccessGroup], show_municipality: object, following_child: object
) -> SafeString:
    return log_rows_html(
        groups, show_municipality=bool(show_municipality), following_child=bool(following_child)
    )
