"""`{% select_options widget.optgroups %}`: a select's options (and their groups) written in
Python, for templates/django/forms/widgets/select.html.

Django's select.html loops over the groups in the template (a select without groups has one
group per option) and writes each option through two more templates (select_option.html,
attrs.html): a select of the 519 time zones took 24-35 ms that way, 4-5 ms here (1 of them
Django building the options). The markup is Django's own, to the character:
tests/dashboard/test_widgets.py holds it to Django's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def select_options(
    context: Context, optgroups: Iterable[tuple[Any, list[dict[str, Any]], int]]
) -> SafeString:
    def shown(value: Any) -> str:
        # `{{ value }}`: in the reader's zone and format, escaped, as any template writes it.
        return render_value_in_context(value, context)

    def attrs(option: dict[str, Any]) -> str:
        # django/forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing
        # for False; values as `|stringformat:'s'` leaves them, escaped.
        return "".join(
            f" {shown(name)}" if value is True else f' {shown(name)}="{conditional_escape(value)}"'
            for name, value in option["attrs"].items()
            if value is not False
        )

    html = []
    for group_name, options, _index in optgroups:
        if group_name:
            html.append(f'\n  <optgroup label="{shown(group_name)}">')
        html.extend(
            f'\n  <option value="{conditional_escape(option["value"])}"{attrs(option)}>'
            f"{shown(option['label'])}</option>"
            for option in options
        )
        if group_name:
            html.append("\n  </optgroup>")
    return mark_safe("".join(html))
