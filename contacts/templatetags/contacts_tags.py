from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from dashboard.numbers import rate

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
    """A rate as every page writes one (dashboard/numbers.py: "30.3%", « 30,3 % » in French)."""
    return rate(value)


@register.simple_tag
def contact_url(view: str, contact_id: int, key: str = "") -> str:
    """A contact page's address with the contact's project key, which finds the contact on an
    account that does not let Switchboard open it by id (see contacts/client.py)."""
    url = reverse(f"contacts:{view}", args=[contact_id])
    return f"{url}?{urlencode({'key': key})}" if key else url
