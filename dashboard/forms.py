from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.forms import BaseForm, BaseFormSet
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from dashboard.models import AuditEvent
from dashboard.providers import PROVIDER_NAMES

F = TypeVar("F", bound=forms.BaseForm)


class FormRenderer(TemplatesSetting):
    """Every form's fields through one template (templates/forms/field.html): label, widget,
    help and errors tied together for assistive technologies. TemplatesSetting: the project's
    templates/ can hold it, and Django's own widget templates come from `django.forms`."""

    field_template_name = "forms/field.html"


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("User, object or action"), "type": "search"}
        ),
    )
    provider = forms.ChoiceField(label=_("Provider"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Any outcome")), *AuditEvent.Outcome.choices],
    )

    def __init__(self, *args, providers: list[str], **kwargs) -> None:
        """`providers`: those the user may see; the filter offers only them."""
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [
            ("", _("All providers")),
            *((name, PROVIDER_NAMES[name]) for name in providers),
        ]


# --- Builders: rows added and removed before anything is submitted ---------------------------
def typed(form: forms.BaseForm) -> dict[str, Any]:
    """What was typed in a bound `form`, field by field, as a form's `initial` (read without
    validating: nothing is checked)."""
    return {name: form[name].value() for name in form.fields}


def as_typed(form: F, **kwargs: Any) -> F:
    """`form` again, unbound, holding what was typed: it renders without errors, for a builder
    whose rows changed while nothing was submitted yet. `kwargs`: the form's own arguments."""
    return type(form)(initial=typed(form), prefix=form.prefix, **kwargs)


class RowFormSet(forms.BaseFormSet):
    """The rows of a builder, which the user adds and removes (its "Add" and "Remove" buttons)
    before submitting. Every row on screen counts: an empty row is an error to fix or a row
    to remove, never silently dropped. Build it with `extra=0` and `absolute_max=max_num`, so
    that a crafted row count builds no more rows than the builder allows."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = False
        form.use_required_attribute = False
        return form

    def changed(self, *, add: bool = False, remove: int | None = None) -> RowFormSet:
        """These rows again, unbound, as typed, with a row added at the end or row `remove`
        taken out: shown without errors, since nothing was submitted yet."""
        rows = [typed(form) for form in self.forms]
        if remove is not None and 0 <= remove < len(rows):
            del rows[remove]
        if add and len(rows) < self.max_num:
            rows.append({})
        return type(self)(initial=rows, prefix=self.prefix, form_kwargs=self.form_kwargs)


def show_as_typed(*forms: BaseForm | BaseFormSet) -> None:
    """Bound forms and formsets shown as typed, with no error message: a form's own buttons
    that are not a submission (add or remove a row, refresh a preview) must not tell the user
    that what they have not finished yet is wrong. Django validates each the way it always
    does, then what it found is forgotten, so the page shows every value as typed and no
    message. Only for showing: never save what was passed here."""
    for form in forms:
        if isinstance(form, BaseFormSet):
            form.non_form_errors().clear()
            show_as_typed(*form.forms)  # a formset's `errors` are its forms' own
        else:
            form.errors.clear()
