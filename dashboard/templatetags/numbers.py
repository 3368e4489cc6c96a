"""`{% load numbers %}` then `{{ value|rate }}`: every rate a page shows, one way."""

from __future__ import annotations

from django import template

from dashboard.numbers import rate as format_rate

register = template.Library()


@register.filter
def rate(value, digits: int = 1) -> str:
    return format_rate(value, digits)
