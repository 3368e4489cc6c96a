from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """`mapping[key]` in a template (project field codes are data, not attribute names)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"
