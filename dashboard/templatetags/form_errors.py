"""`{% error_summary form formset … %}`: one summary of every error of the forms and formsets
given, for the top of a form page (templates/includes/error_summary.html)."""

from __future__ import annotations

from collections.abc import Iterator

from django import template
from django.forms import BaseForm, BaseFormSet
from django.utils.translation import gettext as _

register = template.Library()


def field_target(bound_field) -> str:
    """The id a link to the field should point at: its input, or a group's first choice."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    subwidgets = bound_field.subwidgets
    return subwidgets[0].id_for_label if subwidgets else bound_field.auto_id or ""


def form_errors(form: BaseForm | BaseFormSet) -> Iterator[tuple[str, str]]:
    """(message, id of the field it is about, or "" for the form as a whole), in page order."""
    if isinstance(form, BaseFormSet):
        if not form.is_bound:
            return
        for message in form.non_form_errors():
            yield message, ""
        for sub in form.forms:
            yield from form_errors(sub)
        return
    if not form.is_bound:
        return
    for message in form.non_field_errors():
        yield message, ""
    for bound_field in form:
        for message in bound_field.errors:
            if bound_field.is_hidden:
                yield message, ""
            else:
                text = _("%(field)s: %(message)s") % {
                    "field": bound_field.label,
                    "message": message,
                }
                yield text, field_target(bound_field)


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms) -> dict:
    return {"errors": [e for form in forms if form is not None for e in form_errors(form)]}
