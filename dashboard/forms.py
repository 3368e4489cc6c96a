from __future__ import annotations

from typing import Any

from django import forms
from django.forms import BaseForm, BaseFormSet
from django.forms.renderers import TemplatesSetting
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

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
class RowFormSet(forms.BaseFormSet):
    """The rows of a builder, which the user adds and removes (its "Add" and "Remove" buttons)
    before submitting. Every row on screen counts: an empty row is an error to fix or a row
    to remove, never silently dropped. Build it with `extra=0` and `max_num`, the most rows
    its "Add" gives (with `absolute_max=max_num` too, a crafted row count builds no more)."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = False
        form.use_required_attribute = False
        return form

    @classmethod
    def rows_changed(
        cls,
        data: QueryDict,
        prefix: str,
        *,
        add: dict[str, str] | None = None,
        remove: int | None = None,
    ) -> QueryDict:
        """The posted `data` with a row added at the end (`add`: its values, `{}` for none;
        never beyond `max_num`) or row `remove` taken out, the later rows moving up. The
        builder is then built from it and shown with `show_as_typed`."""
        data = data.copy()
        count = f"{prefix}-TOTAL_FORMS"
        total = _whole(data.get(count))
        if add is not None and total < cls.max_num:
            for name, value in add.items():
                data[f"{prefix}-{total}-{name}"] = value
            data[count] = str(total + 1)
        if remove is not None and 0 <= remove < total:
            moved = {}
            for key in [k for k in data if k.startswith(f"{prefix}-")]:
                index, dash, name = key.removeprefix(f"{prefix}-").partition("-")
                if dash and index.isdigit() and int(index) >= remove:
                    values = data.pop(key)
                    if int(index) > remove:
                        moved[f"{prefix}-{int(index) - 1}-{name}"] = values
            for key, values in moved.items():
                data.setlist(key, values)
            data[count] = str(total - 1)
        return data


def _whole(value: Any) -> int:
    """A posted row count, 0 when it is not a whole number."""
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


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
