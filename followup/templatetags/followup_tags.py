"""Small filters of the follow-up's templates."""

from django import template

register = template.Library()


@register.filter
def absolute(value: int) -> int:
    """The number without its sign: "passed 12 days ago" for -12 days left."""
    return abs(value)
