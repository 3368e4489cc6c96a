from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting

from dashboard.models import AuditEvent
from dashboard.providers import PROVIDER_NAMES


class FormRenderer(TemplatesSetting):
    """Every form's fields through one template (templates/forms/field.html): label, widget,
    help and errors tied together for assistive technologies. TemplatesSetting: the project's
    templates/ can hold it, and Django's own widget templates come from `django.forms`."""

    field_template_name = "forms/field.html"


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
