"""The campaign builder: one form that switches between regular and A/B, the A/B-test builder
and the warm-up builder (formsets), UTM, attachments, schedule and audience. Every rule of the
EngageLab contract is checked here first, with a message on the field; the payload is built
here too."""

from __future__ import annotations

import base64
import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from campaigns.describe import (
    COMPARE_LABELS,
    DIMENSIONS,
    UTM_LABELS,
    ab_dimension,
    ab_sentence,
    dimension_of,
    offset_hours,
    tz_label,
    warm_up_sentence,
)
from campaigns.models import SEND_TIME_FORMAT, Campaign, CampaignStatus, CampaignType
from campaigns.selectors import SORTS, references
from dashboard import clock
from dashboard.forms import RowFormSet, show_as_typed
from dashboard.models import KeptUpload
from dashboard.providers import ProviderError
from dashboard.submissions import (
    going_back,
    upload_drop,
    uploads_keep,
    uploads_kept,
    uploads_open,
)

MAX_NAME = 64
MAX_VARIANTS = 10
MAX_WARM_UP = 20
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_UTM = 64
# A message with its values, translated when shown (in the language of the request then).
interpolate = lazy(lambda message, values: str(message) % values, str)
DOMAIN_RE = re.compile(r"^(?=.{3,100}$)([a-z0-9-]+\.)+[a-z]{2,}$")
# The builder's UTM fields: {field name: (EngageLab's `google_track` key, label)}.
UTM_FIELDS = dict(
    zip(
        ("utm_campaign_name", "utm_source", "utm_medium", "utm_term", "utm_content"),
        UTM_LABELS.items(),
        strict=True,
    )
)
# Which field shows which EngageLab error (codes from the contract and the sandbox).
ERROR_FIELDS = {
    32101: "name",
    32112: "name",
    32102: "campaign_type",
    32103: "audience_type",
    32104: "sender_id",
    32105: "template_invoke_name",
    32108: "attachments",
    32109: "send_time",
    32113: "utm_campaign_name",
    32114: "reply_to",
    32115: "time_zone",
}


class QuietForm(forms.Form):
    """Labels without Django's trailing colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CampaignFilterForm(QuietForm):
    q = forms.CharField(
        label=_("Search by name"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Campaign name or id")}),
    )
    campaign_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *CampaignType.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *CampaignStatus.choices],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("-created", _("Newest first")),
            ("created", _("Oldest first")),
            ("name", _("Name A→Z")),
            ("-name", _("Name Z→A")),
            ("-run", _("Send time, latest first")),
            ("run", _("Send time, earliest first")),
            ("status", _("Status")),
        ],
    )

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] if self.cleaned_data["sort"] in SORTS else "-created"


def parse_local(value: str) -> datetime | None:
    """A wall-clock time as typed (no time zone: the campaign's own applies)."""
    value = (value or "").strip()
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", SEND_TIME_FORMAT):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def send_instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The instant a wall time typed in `zone` stands for, refused when the clocks skip it
    or when it has passed."""
    at = clock.instant(local, zone)
    try:
        at + timedelta(days=1)  # EngageLab's offsets reach ±14 hours: still a date Python knows
    except OverflowError:
        raise ValidationError(
            gettext("%(time)s is too far ahead. Choose a date within the next few years.")
            % {"time": f"{local:{clock.DATETIME}}"}
        ) from None
    if at <= timezone.now():
        raise ValidationError(
            gettext(
                "%(time)s in %(zone)s has already passed. Choose a later time, or choose Send now."
            )
            % {"time": f"{local:{clock.DATETIME}}", "zone": zone.key}
        )
    return at


def engagelab_hours(at: datetime, zone: ZoneInfo) -> int:
    """EngageLab's `time_zone` (whole hours from UTC) for an instant in `zone`: the zone's
    offset on that date, daylight saving included. A zone a fraction of an hour off
    (Asia/Kolkata, +05:30) gives its whole hours; the send time is written at that offset, so
    the instant is the same."""
    offset = at.astimezone(zone).utcoffset() or timedelta()
    return max(-12, min(14, int(offset.total_seconds() / 3600)))


def engagelab_wall(at: datetime, hours: int) -> str:
    """EngageLab's `send_time` for an instant: the wall time at `hours` from UTC."""
    return (at.astimezone(UTC) + timedelta(hours=hours)).strftime(SEND_TIME_FORMAT)


def schedule_sentence(local: datetime | None, zone: ZoneInfo | None) -> str:
    """What EngageLab will be sent for a time typed in a zone, said before it is sent:
    "America/Toronto is UTC−05:00 on that date: EngageLab receives 2026-03-07 09:30 at UTC−5."
    """
    if local is None or zone is None:
        return ""
    try:
        at = clock.instant(local, zone)
        hours = engagelab_hours(at, zone)
        wall = engagelab_wall(at, hours)
    except ValidationError as error:
        return error.messages[0]
    except OverflowError:
        return ""
    offset = clock.offset_label(at.astimezone(zone).utcoffset())
    return gettext(
        "%(zone)s is %(offset)s on that date: EngageLab receives %(wall)s at %(hours)s."
    ) % {"zone": zone.key, "offset": offset, "wall": wall[:16], "hours": tz_label(hours)}


def zone_of(name: Any) -> ZoneInfo | None:
    """The zone named (what the form offers), or None for anything else."""
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value or None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


SCHEDULE, NOW = "schedule", "now"
ENTER_DATE_TIME = _("Enter a date and time, for example 2026-12-01 09:30.")
# What an A/B test's variants replace, by the dimension tested: those fields are not sent.
TESTED_FIELDS = {
    "subjects": ("subject",),
    "sender_ids": ("sender_id",),
    "template_invoke_names": ("template_invoke_name",),
    "send_times": ("when", "send_time"),
}


def attachments_problem(files: list[Any]) -> str:
    """What EngageLab would refuse in these attachments (anything with a name and a size),
    or ""."""
    if len(files) > MAX_ATTACHMENTS:
        return ngettext(
            "%(count)s file chosen; EngageLab accepts at most %(limit)s.",
            "%(count)s files chosen; EngageLab accepts at most %(limit)s.",
            len(files),
        ) % {"count": len(files), "limit": MAX_ATTACHMENTS}
    total = sum(f.size for f in files)
    if total > MAX_ATTACHMENT_BYTES:
        return gettext(
            "The files total %(size)s MB; EngageLab accepts at most 10 MB (counted before "
            "encoding)."
        ) % {"size": number_format(round(total / 2**20, 1), decimal_pos=1)}
    return ""


class CampaignForm(QuietForm):
    campaign_type = forms.TypedChoiceField(
        label=_("Kind of campaign"),
        coerce=int,
        choices=[(2, _("Regular campaign")), (1, _("A/B test"))],
        widget=forms.RadioSelect,
        initial=2,
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=MAX_NAME,
        help_text=interpolate(_("Up to %(count)s characters."), {"count": MAX_NAME}),
    )
    audience_type = forms.ChoiceField(
        label=_("Send to"),
        choices=[
            ("list", _("Everyone on the list")),
            ("tag", _("Contacts with tags")),
            ("segment", _("A segment")),
        ],
        widget=forms.RadioSelect,
        initial="list",
    )
    audience_tags = forms.MultipleChoiceField(
        label=_("Tags"), required=False, widget=forms.CheckboxSelectMultiple
    )
    audience_segments = forms.MultipleChoiceField(
        label=_("Segments"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sender_id = forms.ChoiceField(label=_("Sender"), required=False)
    template_invoke_name = forms.ChoiceField(label=_("Template"), required=False)
    subject = forms.CharField(
        label=_("Subject"),
        max_length=255,
        required=False,
        help_text=_(
            "Replaces the template's subject. Required when the A/B test compares templates."
        ),
    )
    reply_to = forms.EmailField(label=_("Reply-to address"), required=False)
    # Sending at once is a choice of its own, confirmed on a second step; nothing chosen is
    # an error, never an immediate send.
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[(SCHEDULE, _("Schedule for…")), (NOW, _("Send now"))],
        widget=forms.RadioSelect,
    )
    send_time = forms.CharField(
        label=_("Send at"),
        required=False,
        widget=LocalDateTimeInput(),
        help_text=_("In the campaign's time zone."),
    )
    # A named zone (its daylight saving included); EngageLab's fixed offset is worked out
    # for the date chosen (`engagelab_hours`).
    time_zone = forms.ChoiceField(label=_("Time zone"))
    # A/B test builder (the variants are a formset)
    ab_dimension = forms.ChoiceField(
        label=_("What to test"),
        required=False,
        choices=[(k, capfirst(v.one)) for k, v in DIMENSIONS.items()],
        initial="subjects",
    )
    ab_percent = forms.IntegerField(
        label=_("Share of contacts in the test (%)"),
        required=False,
        min_value=1,
        max_value=100,
        initial=20,
    )
    ab_compare = forms.ChoiceField(
        label=_("Winner: best"),
        required=False,
        choices=list(COMPARE_LABELS.items()),
        initial="open_percent",
    )
    ab_after_time = forms.IntegerField(
        label=_("Decide after"), required=False, min_value=0, initial=18
    )
    ab_time_unit = forms.ChoiceField(
        label=_("Unit"),
        required=False,
        choices=[("hour", _("hours")), ("day", _("days"))],
        initial="hour",
    )
    # Given with the empty builder; creating claims it once (see dashboard/submissions.py).
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=interpolate(
            _("Up to %(count)s files, %(size)s MB in total."),
            {"count": MAX_ATTACHMENTS, "size": MAX_ATTACHMENT_BYTES // 2**20},
        ),
    )

    def __init__(self, *args: Any, kept: list[KeptUpload] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept = kept or []  # files chosen before, kept with the form's token
        self.fields["time_zone"].choices = clock.zone_choices()
        self.fields["time_zone"].initial = clock.zone_name()
        for name, (_key, label) in UTM_FIELDS.items():
            self.fields[name] = forms.CharField(label=label, max_length=MAX_UTM, required=False)
        self.fields["audience_tags"].choices = references("tag")
        self.fields["audience_segments"].choices = references("segment")
        self.fields["sender_id"].choices = [("", _("Choose a sender")), *references("sender")]
        self.fields["template_invoke_name"].choices = [
            ("", _("Choose a template")),
            *references("template"),
        ]

    # --- what the user picked, readable before validation (for the live previews) ---------
    def raw(self, name: str) -> Any:
        if self.is_bound:
            return self.data.get(self.add_prefix(name), "")
        value = self.initial.get(name, self.fields[name].initial)
        return "" if value is None else value

    @property
    def is_ab(self) -> bool:
        return str(self.raw("campaign_type")) == "1"

    @property
    def dimension(self) -> str:
        value = self.raw("ab_dimension") or "subjects"
        return value if value in DIMENSIONS else "subjects"

    @property
    def times_in_variants(self) -> bool:
        """An A/B test on send times: each variant carries its own, there is no "when"."""
        return self.is_ab and self.dimension == "send_times"

    def clean_attachments(self) -> list:
        """The files chosen now; the limits count those kept from before too."""
        files = self.cleaned_data.get("attachments") or []
        if problem := attachments_problem([*self.kept, *files]):
            raise ValidationError(problem)
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        is_ab = data.get("campaign_type") == CampaignType.AB_TEST
        dimension = data.get("ab_dimension") or "subjects"
        if is_ab:
            # Not sent with an A/B test, and hidden by the page: the field its variants
            # replace, and the settings EngageLab takes for regular campaigns only. What was
            # typed there stays in the form, unchecked, for a switch back.
            for name in (*TESTED_FIELDS.get(dimension, ()), *UTM_FIELDS):
                self.errors.pop(name, None)
                data.pop(name, None)
        if data.get("audience_type") == "tag" and not data.get("audience_tags"):
            self.add_error("audience_tags", gettext("Choose at least one tag."))
        if data.get("audience_type") == "segment" and not data.get("audience_segments"):
            self.add_error("audience_segments", gettext("Choose at least one segment."))
        if not (is_ab and dimension == "sender_ids") and not data.get("sender_id"):
            self.add_error("sender_id", gettext("Choose who the campaign is sent from."))
        if not (is_ab and dimension == "template_invoke_names") and not data.get(
            "template_invoke_name"
        ):
            self.add_error("template_invoke_name", gettext("Choose the template to send."))
        zone = zone_of(data.get("time_zone"))
        send_at = None
        if is_ab and dimension == "send_times":
            data["when"] = SCHEDULE  # the variants' own times, checked with the variants
        elif data.get("when") not in (SCHEDULE, NOW):
            if "when" not in self.errors:
                self.add_error(
                    "when",
                    gettext(
                        "Choose when it is sent: schedule it for a date and time, or send now."
                    ),
                )
        elif data["when"] == SCHEDULE and not data.get("send_time"):
            self.add_error(
                "send_time", gettext("Choose the date and time it is sent, or choose Send now.")
            )
        elif data["when"] == SCHEDULE:
            local = parse_local(data["send_time"])
            if local is None:
                self.add_error("send_time", gettext(ENTER_DATE_TIME))
            elif zone is not None:
                try:
                    send_at = send_instant(local, zone)
                except ValidationError as error:
                    self.add_error("send_time", error)
        data["send_at"] = send_at
        # EngageLab's one offset for the campaign: the zone's on the send date (the variants'
        # first date when they carry the times; today's when sent now).
        data["engagelab_time_zone"] = (
            engagelab_hours(send_at or timezone.now(), zone) if zone else None
        )
        if is_ab:
            if data.get("ab_percent") is None and "ab_percent" not in self.errors:
                self.add_error(
                    "ab_percent", gettext("Say what share of contacts receives the test (1–100).")
                )
            if not data.get("ab_compare") and "ab_compare" not in self.errors:
                self.add_error("ab_compare", gettext("Choose how the winner is decided."))
            unit = data.get("ab_time_unit") or "hour"
            high = 23 if unit == "hour" else 10
            after = data.get("ab_after_time")
            if after is None and "ab_after_time" not in self.errors:
                if unit == "hour":
                    wait = gettext("Enter how long to wait: 0 to %(high)s hours.")
                else:
                    wait = gettext("Enter how long to wait: 0 to %(high)s days.")
                self.add_error("ab_after_time", wait % {"high": high})
            elif after is not None and after > high:
                if unit == "hour":
                    most = gettext(
                        "With hours, EngageLab waits at most %(high)s hours before choosing."
                    )
                else:
                    most = gettext(
                        "With days, EngageLab waits at most %(high)s days before choosing."
                    )
                self.add_error("ab_after_time", most % {"high": high})
            if dimension == "template_invoke_names" and not data.get("subject"):
                self.add_error(
                    "subject", gettext("When the test compares templates, the subject is required.")
                )
        return data

    def apply_provider_error(self, error: ProviderError) -> None:
        """Show EngageLab's refusal on the field it is about, or above the form."""
        field = ERROR_FIELDS.get(error.code if isinstance(error.code, int) else -1)
        message = str(error)
        if field and field in self.fields:
            self.add_error(field, message)
        else:
            self.add_error(None, message)


class VariantForm(QuietForm):
    value = forms.CharField(label=_("Variant"), max_length=255)

    def __init__(self, *args: Any, dimension: str = "subjects", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dimension = dimension
        field = self.fields["value"]
        field.label = dimension_of(dimension).label
        if dimension == "sender_ids":
            self.fields["value"] = forms.ChoiceField(
                label=_("Sender"), choices=[("", _("Choose a sender")), *references("sender")]
            )
        elif dimension == "template_invoke_names":
            self.fields["value"] = forms.ChoiceField(
                label=_("Template"),
                choices=[("", _("Choose a template")), *references("template")],
            )
        elif dimension == "send_times":
            self.fields["value"] = forms.CharField(label=_("Send at"), widget=LocalDateTimeInput())
        self.fields["value"].error_messages["required"] = _("Fill in this variant or remove it.")


class BaseVariantFormSet(RowFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        values = [f.cleaned_data.get("value") for f in self.forms if f.cleaned_data]
        if len(values) < 2:
            raise ValidationError(gettext("An A/B test needs at least 2 variants."))
        if len(values) > MAX_VARIANTS:
            raise ValidationError(
                gettext("Switchboard compares at most %(count)s variants.")
                % {"count": MAX_VARIANTS}
            )
        if len({str(v).strip().lower() for v in values}) != len(values):
            raise ValidationError(gettext("Two variants are the same; each variant must differ."))


VariantFormSet = formset_factory(
    VariantForm, formset=BaseVariantFormSet, extra=0, max_num=MAX_VARIANTS
)


class PercentInput(forms.TextInput):
    """A text input (whatever was typed comes back as typed, even when it is not a number)
    with the % sign after it, wherever the field is rendered."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def render(self, *args: Any, **kwargs: Any) -> SafeString:
        return format_html(
            '<span class="percent-input">{}<span>%</span></span>', super().render(*args, **kwargs)
        )


class PercentField(forms.DecimalField):
    """A delivered share typed as a percentage, as people say it (95, 92.5, "95 %"): above 0,
    at most 100, one decimal at most. EngageLab's contract wants it as a fraction in (0, 1]:
    `fraction()` converts it when the payload is built, `percent()` converts it back."""

    widget = PercentInput
    default_error_messages = {"invalid": _("Enter a percentage such as 95 or 92.5.")}

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().removesuffix("%").strip()
        return super().to_python(value)

    def validate(self, value: Decimal | None) -> None:
        super().validate(value)
        if value is None:
            return
        if not 0 < value <= 100:
            raise ValidationError(
                gettext("Enter a percentage above 0 and at most 100, such as 95.")
            )
        if value != value.quantize(Decimal("0.1")):
            raise ValidationError(gettext("Use one decimal at most, such as 92.5."))


def fraction(percent: Decimal) -> str:
    """95 → "0.95": the share as EngageLab's contract writes it."""
    return format((percent / 100).normalize(), "f")


def percent(share: Any) -> str:
    """EngageLab's share ("0.95", 0.925, 1) as the percentage the builder shows: "95"."""
    try:
        return format((Decimal(str(share)) * 100).normalize(), "f")
    except (ArithmeticError, ValueError):
        return str(share)


def typed_share(text: Any) -> Decimal | None:
    """A percentage as typed so far, as a share for the live preview (None: not a number)."""
    try:
        return Decimal(str(text).strip().removesuffix("%").strip()) / 100
    except (ArithmeticError, ValueError):
        return None


WARM_UP_DEFAULTS = {"rate": "1", "upgrade_value": "95", "downgrade_value": "75"}


class WarmUpForm(QuietForm):
    domain = forms.CharField(label=_("Recipient domain"), max_length=100)
    rate = forms.IntegerField(label=_("Rate level"), min_value=1, initial=1)
    upgrade_value = PercentField(
        label=_("Raise the rate at"), initial=WARM_UP_DEFAULTS["upgrade_value"]
    )
    downgrade_value = PercentField(
        label=_("Lower the rate below"), initial=WARM_UP_DEFAULTS["downgrade_value"]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].error_messages["required"] = _("Enter a domain or remove this row.")

    def clean_domain(self) -> str:
        domain = self.cleaned_data["domain"].strip().lower().lstrip("@")
        if not DOMAIN_RE.match(domain):
            raise ValidationError(gettext("Enter a recipient domain such as gmail.com."))
        return domain

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        up, down = data.get("upgrade_value"), data.get("downgrade_value")
        if up is not None and down is not None and down > up:
            self.add_error(
                "downgrade_value",
                gettext(
                    "The rate would go up and down at once: keep this below the raise threshold."
                ),
            )
        return data


class BaseWarmUpFormSet(RowFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if len(self.forms) > MAX_WARM_UP:
            raise ValidationError(
                gettext("EngageLab accepts at most %(count)s warm-up domains.")
                % {"count": MAX_WARM_UP}
            )
        seen: set[str] = set()
        for form in self.forms:
            domain = form.cleaned_data.get("domain")
            if domain in seen:
                form.add_error(
                    "domain", gettext("%(domain)s is already in the warm-up.") % {"domain": domain}
                )
                raise ValidationError(
                    gettext("Each domain may appear once; %(domain)s is repeated.")
                    % {"domain": domain}
                )
            seen.add(domain)


WarmUpFormSet = formset_factory(WarmUpForm, formset=BaseWarmUpFormSet, extra=0, max_num=MAX_WARM_UP)


# --- the builder as a whole ------------------------------------------------------------------
class CampaignBuilder:
    """The form and its two formsets, bound together, with the row actions (add/remove) the
    builder's buttons send and the payload EngageLab receives."""

    def __init__(
        self,
        data: QueryDict | None = None,
        files: Any = None,
        *,
        initial: dict[str, Any] | None = None,
        variants: list[str] | None = None,
        warm_up: list[dict] | None = None,
    ) -> None:
        self.action = ""
        if data is not None:
            data, self.action = self._apply_action(data)
        if data is None:
            initial = {"token": uuid.uuid4().hex, **(initial or {})}
        self.token = str((data if data is not None else initial).get("token") or "")
        if self.action.startswith("remove_kept-"):
            upload_drop(self.token, _int(self.action.rsplit("-", 1)[1]))
        self.files = files
        self.form = CampaignForm(data, files, initial=initial, kept=uploads_kept(self.token))
        dimension = self.form.dimension
        if data is None and variants is None:
            variants = ["", ""]
        self.variants = VariantFormSet(
            data,
            prefix="variant",
            initial=None if data is not None else [{"value": v} for v in variants or []],
            form_kwargs={"dimension": dimension},
        )
        self.warm_up = WarmUpFormSet(
            data, prefix="warmup", initial=None if data is not None else warm_up or []
        )
        if self.action:
            # A row was added or removed, or a preview asked for: nothing was submitted
            # yet, so no error is shown.
            show_as_typed(self.form, self.variants, self.warm_up)

    # Row actions come from the builders' buttons: `_action=add_variant`, `remove_warmup-2`…
    @staticmethod
    def _apply_action(data: QueryDict) -> tuple[QueryDict, str]:
        if going_back(data):  # from the Send now confirmation, to change something
            return data, "back"
        action = data.get("_action", "")
        if not action or action == "save":
            return data, ""
        # A new domain row starts from sensible thresholds.
        for rows, prefix, new_row in (
            (VariantFormSet, "variant", {}),
            (WarmUpFormSet, "warmup", WARM_UP_DEFAULTS),
        ):
            if action == f"add_{prefix}":
                data = rows.rows_changed(data, prefix, add=new_row)
            if action.startswith(f"remove_{prefix}-"):
                data = rows.rows_changed(data, prefix, remove=_int(action.rsplit("-", 1)[1]))
        return data, action

    def is_valid(self) -> bool:
        if self.action:
            return False
        valid = self.form.is_valid()
        if self.form.is_ab:
            valid = self.variants.is_valid() and valid
            if self.form.dimension == "send_times":
                valid = self._check_variant_times() and valid
            unsent = self.warm_up
        else:
            valid = self.warm_up.is_valid() and valid
            unsent = self.variants
        # The other kind's builder is not sent: kept as typed, without errors, for a switch.
        show_as_typed(unsent)
        return valid

    def keep_uploads(self) -> None:
        """The form goes back to the user (an error, the confirmation step, a refusal): keep
        the files just chosen with its token, unless EngageLab would refuse them (the field
        says why), so that they are not chosen again."""
        chosen = self.files.getlist("attachments") if self.files else []
        if chosen and not attachments_problem([*self.form.kept, *chosen]):
            uploads_keep(self.token, chosen)
            self.form.kept = uploads_kept(self.token)

    @property
    def sends_now(self) -> bool:
        """Valid, and to be sent at once: only after the confirmation step."""
        return self.form.cleaned_data.get("when") == NOW

    def _check_variant_times(self) -> bool:
        zone = zone_of(self.form.cleaned_data.get("time_zone"))
        ok = True
        instants = []
        for form in self.variants.forms:
            local = parse_local(str(form.cleaned_data.get("value") or ""))
            if local is None:
                form.add_error("value", gettext(ENTER_DATE_TIME))
                ok = False
            elif zone is not None:
                try:
                    instants.append((form, send_instant(local, zone)))
                except ValidationError as error:
                    form.add_error("value", error)
                    ok = False
        if instants:
            # One offset for the campaign (the first variant's date), every time written at it.
            hours = engagelab_hours(instants[0][1], zone)
            self.form.cleaned_data["engagelab_time_zone"] = hours
            for form, at in instants:
                form.cleaned_data["value"] = engagelab_wall(at, hours)
        return ok

    # --- previews (readable before validation) ------------------------------------------
    def ab_preview(self) -> str:
        f = self.form
        variants = self._variant_values()
        ab = {
            "percent": _int(f.raw("ab_percent")),
            "win_condition": {
                "time_unit": f.raw("ab_time_unit") or "hour",
                "after_time": _int(f.raw("ab_after_time")),
                "compare": f.raw("ab_compare") or "open_percent",
            },
            f.dimension: variants or ["", ""],
        }
        if not 1 <= ab["percent"] <= 100:
            return gettext(
                "Enter the share of contacts in the test (1–100) to see how the test runs."
            )
        return ab_sentence(ab)

    def schedule_preview(self) -> str:
        """The offset EngageLab will be sent for the time typed (the first variant's, when
        the A/B test compares send times)."""
        f = self.form
        typed = (self._variant_values() or [""])[0] if f.times_in_variants else f.raw("send_time")
        return schedule_sentence(parse_local(str(typed)), zone_of(f.raw("time_zone")))

    def _variant_values(self) -> list[str]:
        if self.form.is_bound:
            count = self.variants.total_form_count()
            return [str(self.variants.data.get(f"variant-{i}-value", "")) for i in range(count)]
        return [str(row.get("value", "")) for row in self.variants.initial or []]

    def warm_up_preview(self) -> list[str]:
        rows = []
        for i in range(len(self.warm_up.forms)):
            if self.form.is_bound:
                row = {
                    k: self.warm_up.data.get(f"warmup-{i}-{k}", "")
                    for k in ("domain", "rate", "upgrade_value", "downgrade_value")
                }
            else:
                row = (self.warm_up.initial or [])[i]
            if row.get("domain"):
                shares = {k: typed_share(row.get(k)) for k in ("upgrade_value", "downgrade_value")}
                rows.append(warm_up_sentence({**row, **shares}))
        return rows

    # --- the payload EngageLab receives ---------------------------------------------------
    @property
    def audience(self) -> tuple[str, list[str]]:
        """EngageLab's `to`: (type, values)."""
        d = self.form.cleaned_data
        audience = d["audience_type"]
        return audience, {
            "list": ["all"],
            "tag": list(d.get("audience_tags") or []),
            "segment": list(d.get("audience_segments") or []),
        }[audience]

    def payload(self) -> tuple[dict[str, Any], list[dict] | None]:
        d = self.form.cleaned_data
        audience, value = self.audience
        payload: dict[str, Any] = {
            "campaign_type": d["campaign_type"],
            "name": d["name"].strip(),
            "to": [{"type": audience, "value": value}],
            "reply_to": d.get("reply_to") or "",
            "time_zone": d["engagelab_time_zone"],
        }
        if d.get("subject"):
            payload["subject"] = d["subject"]
        if d.get("sender_id"):
            payload["sender_id"] = d["sender_id"]
        if d.get("template_invoke_name"):
            payload["template_invoke_name"] = d["template_invoke_name"]
        if d.get("send_at"):
            payload["send_time"] = engagelab_wall(d["send_at"], d["engagelab_time_zone"])
        if d["campaign_type"] == CampaignType.AB_TEST:
            dimension = d.get("ab_dimension") or "subjects"
            payload["ab_test"] = {
                "percent": d["ab_percent"],
                "win_condition": {
                    "time_unit": d.get("ab_time_unit") or "hour",
                    "after_time": d["ab_after_time"],
                    "compare": d["ab_compare"],
                },
                dimension: [str(f.cleaned_data["value"]) for f in self.variants.forms],
            }
            # Regular-only settings, cleared in case the campaign was regular before.
            payload["warm_up"] = None
            payload["google_track"] = None
        else:
            track = {key: d.get(name) or "" for name, (key, _) in UTM_FIELDS.items()}
            payload["google_track"] = track if any(track.values()) else None
            payload["warm_up"] = [
                {
                    "domain": f.cleaned_data["domain"],
                    "rate": f.cleaned_data["rate"],
                    "upgrade_value": fraction(f.cleaned_data["upgrade_value"]),
                    "downgrade_value": fraction(f.cleaned_data["downgrade_value"]),
                }
                for f in self.warm_up.forms
            ] or None
        files = [*uploads_open(self.form.kept), *(d.get("attachments") or [])]
        meta = None
        if files:
            payload["attachments"] = [
                {"filename": f.name, "content": base64.b64encode(f.read()).decode()} for f in files
            ]
            meta = [{"filename": f.name, "size": f.size} for f in files]
        return payload, meta


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def initial_from(campaign: Campaign) -> tuple[dict[str, Any], list[str], list[dict]]:
    """The builder's starting values for editing a mirrored campaign."""
    schedule = campaign.schedule
    hours = schedule.time_zone if schedule else offset_hours(campaign.time_zone)

    def yours(wall: str) -> str:  # a wall time at EngageLab's offset, typed in the user's zone
        at = (parse_local(wall) - timedelta(hours=hours)).replace(tzinfo=UTC)
        return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")

    ab = campaign.ab_test or {}
    dimension, variants = ab_dimension(ab)
    win = ab.get("win_condition") or {}
    initial: dict[str, Any] = {
        "campaign_type": campaign.campaign_type,
        "name": campaign.name,
        "audience_type": campaign.audience_type or "list",
        "audience_tags": campaign.audience_values if campaign.audience_type == "tag" else [],
        "audience_segments": (
            campaign.audience_values if campaign.audience_type == "segment" else []
        ),
        "sender_id": str(campaign.sender_id or ""),
        "template_invoke_name": campaign.template_invoke_name,
        "subject": campaign.subject,
        "reply_to": campaign.reply_to,
        # A known schedule is kept; none known leaves "when" unchosen, never "now".
        "when": SCHEDULE if schedule else "",
        "send_time": yours(f"{schedule.local:{SEND_TIME_FORMAT}}") if schedule else "",
        "time_zone": clock.zone_name(),
        "ab_dimension": dimension or "subjects",
        "ab_percent": ab.get("percent", 20),
        "ab_compare": win.get("compare", "open_percent"),
        "ab_after_time": win.get("after_time", 18),
        "ab_time_unit": win.get("time_unit", "hour"),
    }
    if dimension == "send_times":
        variants = [yours(v) if parse_local(v) else v for v in variants]
    for name, (key, _label) in UTM_FIELDS.items():
        initial[name] = (campaign.google_track or {}).get(key, "")
    warm_up = [
        {**row, **{k: percent(row.get(k)) for k in ("upgrade_value", "downgrade_value")}}
        for row in campaign.warm_up or []
    ]
    return initial, variants or ["", ""], warm_up
