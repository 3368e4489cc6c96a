from __future__ import annotations

from django import forms
from django.forms import BaseForm, BaseFormSet

from dashboard.models import AuditEvent
from dashboard.providers import PROVIDER_NAMES


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "User, object or action", "type": "search"}),
    )
    provider = forms.ChoiceField(required=False)
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any outcome"), *AuditEvent.Outcome.choices]
    )

    def __init__(self, *args, providers: list[str], **kwargs) -> None:
        """`providers`: those the user may see; the filter offers only them."""
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [
            ("", "All providers"),
            *((name, PROVIDER_NAMES[name]) for name in providers),
        ]


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
