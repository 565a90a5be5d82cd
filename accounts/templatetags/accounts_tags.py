"""Template helpers for account pages."""

from django import template

register = template.Library()


@register.filter
def get_key(mapping: dict, key: str):
    """mapping[key], or None when absent (a dotted lookup of a missing key is a template error)."""
    return mapping.get(key)
