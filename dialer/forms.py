"""The dialer's forms: what a user types, checked against the contract's rules before any
call (phones normalised to E.164 with `phonenumbers`, emergency numbers refused)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dashboard.uploads import DELIMITERS, ENCODINGS
from dialer.imports import FIELD_LABELS, FIELDS, REQUIRED
from dialer.models import DialerCampaign, DialerContact, DialerImport
from dialer.phones import PhoneError, normalise_phone

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# "Choose the column holding the name": one whole sentence per field.
REQUIRED_COLUMN = {
    "name": _("Choose the column holding the name."),
    "phone_number": _("Choose the column holding the phone."),
    "email": _("Choose the column holding the email."),
}


class DialerForm(forms.Form):
    # Its required fields are marked with an asterisk (templates/forms/field.html).
    required_css_class = "required"


class ContactForm(DialerForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    phone_number = forms.CharField(
        label=_("Phone"),
        max_length=40,
        help_text=_("With + and the country code, e.g. +1 514 555 0101."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("Email"), max_length=254)
    external_unique_id = forms.CharField(label=_("External id"), max_length=255, required=False)
    outbound_number = forms.CharField(
        label=_("Outbound number"),
        max_length=40,
        required=False,
        help_text=_("The number the contact sees; leave empty for the campaign's."),
        widget=forms.TextInput(attrs={"type": "tel"}),
    )

    def __init__(
        self,
        *args,
        campaign: DialerCampaign,
        contact: DialerContact | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.contact = contact
        if contact is not None:
            # The edit call (PATCH …/contact) does not take an outbound number.
            del self.fields["outbound_number"]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_phone_number(self) -> str:
        try:
            phone = normalise_phone(self.cleaned_data["phone_number"])
        except PhoneError as error:
            raise forms.ValidationError(str(error)) from None
        taken = DialerContact.objects.filter(campaign=self.campaign, phone_e164=phone)
        if self.contact is not None:
            taken = taken.exclude(pk=self.contact.pk)
        # Unordered (`first()` would order by id): the phone index finds it at once.
        other = next(iter(taken.order_by()[:1]), None)
        if other is not None:
            raise forms.ValidationError(
                gettext("%(phone)s is already in this campaign (%(name)s).")
                % {"phone": phone, "name": other.name or gettext("another contact")}
            )
        return phone

    def clean_outbound_number(self) -> str:
        value = self.cleaned_data.get("outbound_number", "").strip()
        if not value:
            return ""
        try:
            return normalise_phone(value)
        except PhoneError as error:
            raise forms.ValidationError(str(error)) from None


class ImportUploadForm(DialerForm):
    file = forms.FileField(
        label=_("CSV or JSON file"),
        help_text=_(
            "CSV with a header row (comma, semicolon or tab separated; UTF-8, UTF-16 or "
            "Windows-1252, as Excel saves it), or a JSON array of objects."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,.txt,.tsv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError(gettext("The file is empty."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext("The file is larger than 50 MB; split it."))
        return upload


class ImportMappingForm(DialerForm):
    """Which column of the file holds each contact field."""

    def __init__(self, *args, upload: DialerImport, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", gettext("— not in the file —"))] + [(c, c) for c in upload.columns]
        for field in FIELDS:
            self.fields[field] = forms.ChoiceField(
                label=FIELD_LABELS[field],
                choices=choices,
                required=field in REQUIRED,
                initial=upload.mapping.get(field, ""),
            )
            if field in REQUIRED:
                self.fields[field].error_messages["required"] = REQUIRED_COLUMN[field]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        used: dict[str, str] = {}
        for field in FIELDS:
            column = data.get(field)
            if not column:
                continue
            if column in used:
                self.add_error(
                    field,
                    gettext("“%(column)s” is already used for %(field)s.")
                    % {"column": column, "field": FIELD_LABELS[used[column]]},
                )
            used[column] = field
        return data

    def mapping(self) -> dict[str, str]:
        return {f: self.cleaned_data.get(f) or "" for f in FIELDS}


class ImportFormatForm(DialerForm):
    """How to read the file, as detected at upload: the user corrects what looks wrong in the
    sample (accents garbled: the encoding; everything in one column: the delimiter)."""

    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODINGS)
    delimiter = forms.ChoiceField(label=_("Delimiter"), choices=DELIMITERS, required=False)

    def __init__(self, *args: Any, upload: DialerImport, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"encoding": upload.encoding, "delimiter": upload.delimiter})
        super().__init__(*args, **kwargs)
        if upload.file_format == "json":
            del self.fields["delimiter"]


class ImportRowForm(DialerForm):
    """One rejected row of an import, as the user corrects it on the report (checked by the
    import's own rules, not here: the row's new problem is shown like the file's)."""

    name = forms.CharField(label=FIELD_LABELS["name"], max_length=255, required=False)
    phone_number = forms.CharField(
        label=FIELD_LABELS["phone_number"], max_length=100, required=False
    )
    email = forms.CharField(label=FIELD_LABELS["email"], max_length=254, required=False)
    external_unique_id = forms.CharField(
        label=FIELD_LABELS["external_unique_id"], max_length=255, required=False
    )
    outbound_number = forms.CharField(
        label=FIELD_LABELS["outbound_number"], max_length=40, required=False
    )
