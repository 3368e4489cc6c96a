"""Forms for Dialog Insight pages. The contact form is generated from the project definition
(the mirror of Projects.Get): each field's type and required flag become a form field and its
validation, each opt-in a checkbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from contacts import nomenclature
from contacts.client import Contact
from contacts.models import Message, ProjectField, Segment
from dashboard import clock
from dashboard.forms import RowFormSet

PER_PAGE = 25
MAX_PAGES = 40  # Contacts.Get answers at most 1000 rows


def _form_field(definition: ProjectField, *, editing: bool) -> forms.Field:
    common: dict[str, Any] = {"label": definition.label, "required": definition.required}
    if definition.is_key:
        # The project key identifies the contact: it is given once and never changed here.
        field: forms.Field = (
            forms.EmailField(max_length=254, required=True, label=definition.label)
            if "mail" in definition.code.lower()
            else forms.CharField(max_length=255, required=True, label=definition.label)
        )
        if editing:
            # Never read from the browser: the edited contact's key is the form's initial.
            field.disabled, field.required = True, False
            field.help_text = _("The project key identifies the contact and cannot be changed.")
        return field
    if definition.data_type == nomenclature.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=4, **common)
    if definition.data_type == nomenclature.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if definition.data_type == nomenclature.BOOLEAN:
        return forms.BooleanField(label=definition.label, required=False)
    return forms.CharField(max_length=255, **common)


class ContactForm(forms.Form):
    """Create or update one contact (Contacts.Merge by project key)."""

    required_css_class = "required"  # its required fields marked (templates/forms/field.html)

    def __init__(self, definition: list[ProjectField], *args: Any, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.editing = editing
        for d in definition:
            if d.kind == ProjectField.Kind.OPTIN:
                self.fields[nomenclature.optin_name(d.code)] = forms.BooleanField(
                    label=d.label, required=False
                )
            else:
                self.fields[nomenclature.field_name(d.code)] = _form_field(d, editing=editing)

    @staticmethod
    def initial_from(contact: Contact, definition: list[ProjectField]) -> dict[str, Any]:
        """Form initial values from a client `Contact`."""
        initial: dict[str, Any] = {}
        for d in definition:
            if d.kind == ProjectField.Kind.OPTIN:
                initial[nomenclature.optin_name(d.code)] = contact.optins.get(d.code, False)
            else:
                value = nomenclature.from_provider_value(d.data_type, contact.values.get(d.code))
                initial[nomenclature.field_name(d.code)] = value
        return initial

    def field_groups(self) -> tuple[list, list]:
        fields = [self[n] for n in self.fields if nomenclature.parse_name(n)[0] == "field"]
        optins = [self[n] for n in self.fields if nomenclature.parse_name(n)[0] == "optin"]
        return fields, optins

    def key(self) -> str:
        key_code = next(
            (d.code for d in self.definition if d.is_key), nomenclature.PROJECT_KEY_CODE
        )
        return str(self.cleaned_data[nomenclature.field_name(key_code)]).strip()

    def payload(self) -> dict[str, str]:
        """The record's `Data`, in the provider's names and formats (key excluded)."""
        data: dict[str, str] = {}
        for d in self.definition:
            if d.kind == ProjectField.Kind.OPTIN:
                name = nomenclature.optin_name(d.code)
                data[name] = nomenclature.optin_value(bool(self.cleaned_data.get(name)))
            elif not d.is_key:
                name = nomenclature.field_name(d.code)
                data[name] = nomenclature.to_provider_value(
                    d.data_type, self.cleaned_data.get(name)
                )
        return data

    def add_provider_rejection(self, message: str) -> None:
        """Show a per-record rejection on the field it names, else on the form."""
        for d in self.definition:
            if message.startswith(f"{d.label}:") or message.startswith(f"{d.label} "):
                name = (
                    nomenclature.optin_name(d.code)
                    if d.kind == ProjectField.Kind.OPTIN
                    else nomenclature.field_name(d.code)
                )
                if name in self.fields:
                    said = gettext("Dialog Insight rejected this: %(message)s")
                    self.add_error(name, said % {"message": message})
                    return
        said = gettext("Dialog Insight rejected the contact: %(message)s")
        self.add_error(None, said % {"message": message})


def _field_choices() -> list[tuple[str, str]]:
    return [
        (d.code, d.label)
        for d in ProjectField.objects.filter(kind=ProjectField.Kind.FIELD).order_by("position")
    ]


OPERATOR_CHOICES = [
    ("Contains", pgettext_lazy("condition", "contains")),
    ("StartsWith", pgettext_lazy("condition", "starts with")),
    ("Equal", pgettext_lazy("condition", "is")),
]


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Email or name"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("claire@… or Brown")}),
    )
    field = forms.ChoiceField(required=False, label=_("Field"))
    operator = forms.ChoiceField(choices=OPERATOR_CHOICES, required=False, label=_("Operator"))
    value = forms.CharField(required=False, max_length=200, label=_("Value"))
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("Any field…")), *_field_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("field") and not data.get("value"):
            self.add_error("value", _("Type the value to look for in this field."))
        if data.get("value") and not data.get("field"):
            self.add_error("field", _("Choose the field to search."))
        return data

    def clause(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        clauses = []
        if q := data.get("q", "").strip():
            codes = {code for code, _label in _field_choices()}
            name_codes = [
                c for c in (nomenclature.PROJECT_KEY_CODE, *nomenclature.NAME_CODES) if c in codes
            ] or [nomenclature.PROJECT_KEY_CODE]
            # "claire brown": every word must be in the email or one of the names.
            for word in q.split()[:5]:
                clauses.append(
                    nomenclature.combine(
                        "OR", [nomenclature.field_clause(c, "Contains", word) for c in name_codes]
                    )
                )
        if data.get("field") and data.get("value"):
            clauses.append(
                nomenclature.field_clause(
                    data["field"], data.get("operator") or "Contains", data["value"].strip()
                )
            )
        return nomenclature.combine("AND", clauses) if clauses else None


# --- Segments: a small clause builder (one formset row per condition) ---------------------
class SegmentForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Segment name"))
    # One per new-segment form; creating claims it once (see dashboard/submissions.py).
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    combine = forms.ChoiceField(
        choices=[("AND", _("all conditions (AND)")), ("OR", _("any condition (OR)"))],
        label=_("Contacts must match"),
        initial="AND",
    )


# What a condition may say of a field, by the field's type: (operator, the builder's words).
YES, NO = "Yes", "No"
OPTIN = ProjectField.Kind.OPTIN.value
CONDITION_OPERATORS: dict[str, list[tuple[str, str]]] = {
    OPTIN: [(YES, _("subscribed")), (NO, _("not subscribed"))],
    nomenclature.BOOLEAN: [(YES, _("is yes")), (NO, _("is no"))],
    nomenclature.TEXT: OPERATOR_CHOICES[2:] + OPERATOR_CHOICES[:2],
    nomenclature.NUMBER: [
        ("Equal", pgettext_lazy("condition", "is")),
        ("GreaterThan", pgettext_lazy("condition", "more than")),
        ("LessThan", pgettext_lazy("condition", "less than")),
        (nomenclature.BETWEEN, pgettext_lazy("condition", "between")),
    ],
    nomenclature.DATE: [
        ("Equal", pgettext_lazy("date condition", "on")),
        ("LessThan", pgettext_lazy("date condition", "before")),
        ("GreaterThan", pgettext_lazy("date condition", "after")),
        (nomenclature.BETWEEN, pgettext_lazy("date condition", "between")),
    ],
}
# Inferred operators (see nomenclature.COMPARISONS): offered while the account has not refused
# them.
COMPARING = {"GreaterThan", "LessThan", nomenclature.BETWEEN}


def _condition_field(d: ProjectField) -> tuple[str, str]:
    """A builder's field choice: opt-ins by their provider name, fields by their code."""
    if d.kind == OPTIN:
        return nomenclature.optin_name(d.code), gettext("%(optin)s (opt-in)") % {"optin": d.label}
    return d.code, d.label


class ConditionForm(forms.Form):
    """One condition of the builder. What it offers follows the chosen field's type (the
    project definition): opt-ins are subscribed or not, text is compared as text, numbers and
    dates as such; a value is asked only where the operator needs one."""

    field = forms.ChoiceField(label=_("Field"))
    operator = forms.ChoiceField(label=_("Operator"))
    value = forms.CharField(max_length=200, required=False, label=_("Value"))
    value_to = forms.CharField(
        max_length=200, required=False, label=pgettext_lazy("between", "and")
    )

    def __init__(
        self,
        *args: Any,
        definition: list[ProjectField],
        comparisons: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definitions = {_condition_field(d)[0]: d for d in definition}
        self.fields["field"].choices = [_condition_field(d) for d in definition]
        chosen = self["field"].value() or next(iter(self.definitions), "")
        self.fields["field"].initial = chosen
        self.definition = self.definitions.get(chosen)
        self.kind = self._kind(self.definition)
        operators = [
            (op, words)
            for op, words in CONDITION_OPERATORS[self.kind]
            if comparisons or op not in COMPARING
        ]
        self.fields["operator"].choices = operators
        self.fields["operator"].initial = operators[0][0]
        if self.definition is not None:
            words = ", ".join(str(w) for _op, w in operators)
            self.fields["operator"].error_messages["invalid_choice"] = gettext(
                "Choose how to compare %(field)s: %(operators)s."
            ) % {"field": self.definition.label, "operators": words}
        widget = {
            nomenclature.NUMBER: forms.NumberInput(attrs={"step": "any"}),
            nomenclature.DATE: forms.DateInput(attrs={"type": "date"}),
        }.get(self.kind, forms.TextInput())
        self.fields["value"].widget = widget
        self.fields["value_to"].widget = widget

    @staticmethod
    def _kind(definition: ProjectField | None) -> str:
        if definition is None:
            return nomenclature.TEXT
        if definition.kind == OPTIN:
            return OPTIN
        known = definition.data_type in CONDITION_OPERATORS
        return definition.data_type if known else nomenclature.TEXT

    @property
    def needs_value(self) -> bool:
        return self.kind not in {OPTIN, nomenclature.BOOLEAN}

    @property
    def between(self) -> bool:
        return self["operator"].value() == nomenclature.BETWEEN

    def _value(self, name: str) -> Any:
        """The value typed in `name`, read as the field's type; a ValidationError otherwise."""
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            raise ValidationError(_("Enter the value to compare with."))
        if self.kind == nomenclature.NUMBER:
            try:
                number = Decimal(raw)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                raise ValidationError(_("Enter a number."))
            return number
        if self.kind == nomenclature.DATE:
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                raise ValidationError(_("Enter a date (YYYY-MM-DD).")) from None
        return raw

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.needs_value or "operator" not in data:
            return data
        values = ["value", "value_to"] if data["operator"] == nomenclature.BETWEEN else ["value"]
        for name in values:
            try:
                data[f"{name}_read"] = self._value(name)
            except ValidationError as error:
                self.add_error(name, error)
        low, high = data.get("value_read"), data.get("value_to_read")
        if low is not None and high is not None and high < low:
            self.add_error("value_to", _("The end of the range comes before its start."))
        return data

    def clause(self) -> dict[str, Any]:
        data = self.cleaned_data
        operator = data["operator"]
        if self.kind == OPTIN:
            return nomenclature.optin_clause(self.definition.code, subscribed=operator == YES)
        code = self.definition.code
        if self.kind == nomenclature.BOOLEAN:
            return nomenclature.field_clause(
                code, "Equal", nomenclature.optin_value(operator == YES)
            )
        low = nomenclature.to_provider_value(self.kind, data["value_read"])
        if operator == nomenclature.BETWEEN:
            high = nomenclature.to_provider_value(self.kind, data["value_to_read"])
            return nomenclature.between_clause(code, low, high)
        return nomenclature.field_clause(code, operator, low)


class BaseConditionFormSet(RowFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not any(f.cleaned_data for f in self.forms):
            raise ValidationError(_("Add at least one condition."))

    def clauses(self) -> list[dict[str, Any]]:
        return [f.clause() for f in self.forms if f.cleaned_data]


ConditionFormSet = formset_factory(
    ConditionForm, formset=BaseConditionFormSet, extra=0, max_num=10, absolute_max=10
)


def condition_initial(
    clause: dict[str, Any] | None, definition: list[ProjectField]
) -> tuple[str, list[dict[str, str]]]:
    """The builder's starting rows: a segment's conditions, or one row to fill."""
    combine, rows = nomenclature.flatten_clause(clause)
    types = {_condition_field(d)[0]: ConditionForm._kind(d) for d in definition}
    initial = []
    for field, operator, value, value_to in rows:
        kind = types.get(field, nomenclature.TEXT)
        if kind in {OPTIN, nomenclature.BOOLEAN}:
            operator, value = (YES if nomenclature.is_subscribed(value) else NO), ""
        elif kind == nomenclature.DATE:  # the date input's YYYY-MM-DD
            value, value_to = (
                (nomenclature.from_provider_date(v) or v) if v else v for v in (value, value_to)
            )
        initial.append({"field": field, "operator": operator, "value": value, "value_to": value_to})
    return combine, initial or [{}]


# --- Imports --------------------------------------------------------------------------------
class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "A CRM export with a header row; columns named after the project's fields "
            "(code or label), the email column is required."
        ),
    )

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > self.MAX_BYTES:
            raise ValidationError(_("The file is larger than 20 MB; split it into smaller files."))
        if not file.name.lower().endswith((".csv", ".txt")):
            raise ValidationError(_("Upload a .csv file (comma or semicolon separated)."))
        return file


# --- Mailings -------------------------------------------------------------------------------
def _message_field() -> forms.ModelChoiceField:
    """A choice of the mirrored messages, by their Dialog Insight id."""
    return forms.ModelChoiceField(
        queryset=Message.objects.all(),
        to_field_name="provider_id",
        label=_("Message"),
        empty_label=_("Choose a message…"),
    )


class SendingForm(forms.Form):
    message = _message_field()
    segment = forms.ModelChoiceField(
        queryset=Segment.objects.all(),
        to_field_name="provider_id",
        required=False,
        empty_label=_("Everyone in the project"),
        label=_("Audience"),
    )
    when = forms.ChoiceField(
        choices=[("now", _("Send now")), ("later", _("Schedule for later"))],
        widget=forms.RadioSelect,
        initial="now",
        label=_("When"),
    )
    launch_at = clock.WallTimeField(
        required=False,
        label=_("Launch at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    time_zone = forms.ChoiceField(label=_("Time zone"))
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Given on the confirmation step; sending claims it once (see dashboard/submissions.py).
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Typed in the user's own zone unless they choose another.
        self.fields["time_zone"].choices = clock.zone_choices()
        self.fields["time_zone"].initial = clock.zone_name()
        self.provider_zone = settings.DIALOG_INSIGHT_TIME_ZONE
        self.fields["launch_at"].help_text = gettext(
            "Only for a scheduled sending. Dialog Insight reads launch times in "
            "%(zone)s: Switchboard converts the time you choose."
        ) % {"zone": self.provider_zone}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("when") == "later":
            launch = data.get("launch_at")
            if launch is None:
                self.add_error("launch_at", _("Choose the date and time of the sending."))
            elif data.get("time_zone"):
                try:
                    aware = clock.instant(launch, ZoneInfo(data["time_zone"]))
                    data["launch_utc"] = aware
                    # What Dialog Insight receives, said before anything is sent.
                    there = aware.astimezone(nomenclature.provider_time_zone())
                except ValidationError as error:  # a time the clocks skip, or past year 9999
                    self.add_error("launch_at", error)
                except OverflowError:  # 9999-12-31 23:59 in UTC, east of Dialog Insight's zone
                    self.add_error("launch_at", _("This is too far ahead; choose an earlier date."))
                else:
                    if aware <= timezone.now() + dt.timedelta(minutes=1):
                        self.add_error("launch_at", _("Choose a time in the future."))
                    data["launch_provider"] = f"{there:%Y-%m-%d %H:%M} {self.provider_zone}"
        else:
            data["launch_utc"] = None
        return data


class TriggerForm(forms.Form):
    """Send one message to one contact (Sendings.SendSingle2): one input per `[[Name]]`
    placeholder of the chosen message, whose value replaces it."""

    PREFIX = "parameter-"

    message = _message_field()
    # One per form shown; sending claims it once (see dashboard/submissions.py).
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = str(self["message"].value() or "")
        messages = self.fields["message"].queryset
        message = messages.filter(provider_id=chosen).first() if chosen.isdigit() else None
        for name in message.parameters if message else []:
            self.fields[f"{self.PREFIX}{name}"] = forms.CharField(
                label=name,
                max_length=2000,
                help_text=gettext("Replaces [[%(name)s]] in the message.") % {"name": name},
                error_messages={
                    "required": gettext("Enter the value that replaces [[%(name)s]].")
                    % {"name": name}
                },
            )

    def parameter_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n.startswith(self.PREFIX)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["parameters"] = {
            name.removeprefix(self.PREFIX): value.strip()
            for name, value in data.items()
            if name.startswith(self.PREFIX)
        }
        return data


class MessageForm(forms.Form):
    """A new email message with one HTML version (Messages.Create)."""

    name = forms.CharField(max_length=200, label=_("Name"), help_text=_("For Switchboard's lists."))
    # One per form shown; creating claims it once (see dashboard/submissions.py).
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    subject = forms.CharField(max_length=300, label=_("Subject"))
    sender = forms.EmailField(label=_("Sender email"))
    html = forms.CharField(
        label=_("HTML body"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "[[Name]] placeholders become parameters to fill when the message is "
            "triggered for one contact."
        ),
    )
