"""Small filters for the follow-up report."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """``mapping[key]``, or None: the report's assessments by recommendation."""
    return mapping.get(key) if mapping else None


@register.filter
def any_response(rows: list[Any]) -> bool:
    """Whether any of the recommendations was answered."""
    return any(row.responses for row in rows)
