from __future__ import annotations

from django import forms

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
