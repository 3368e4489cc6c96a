"""Campaign settings in words, for people: the A/B test, the warm-up thresholds, the audience
and times in the user's zone beside the campaign's own. Used by the detail page and the form's
previews."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, npgettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dashboard import clock


@dataclass(frozen=True)
class Metric:
    """A rate as EngageLab's win conditions define it: a count of the statistics buckets over
    delivered (or, for the delivery rate, over sent). `squares` is the bucket field holding
    each recipient's count squared: for a rate that counts each recipient once (0 or 1), the
    count itself."""

    name: str | Promise
    numerator: str
    denominator: str
    squares: str
    rate_key: str  # its name among `stats.rates()` and the CSV columns

    @property
    def per_recipient(self) -> bool:
        """Each recipient counts once: the rate is a proportion."""
        return self.squares == self.numerator

    @property
    def full_name(self) -> str:
        """ "unique open rate, over delivered": how every rate on a page names itself."""
        if self.denominator == "sent":
            return gettext("%(rate)s, over sent") % {"rate": self.name}
        return gettext("%(rate)s, over delivered") % {"rate": self.name}

    @property
    def unit(self) -> str:
        """What the rate is over, as a count's unit: "2,000 delivered"."""
        return str(UNITS.get(self.denominator, self.denominator))


# A rate's denominator, as the unit of a count ("2,000 delivered each").
UNITS = {
    "delivered": pgettext_lazy("count of messages", "delivered"),
    "sent": pgettext_lazy("count of messages", "sent"),
}
METRICS = {
    "open_percent": Metric(
        _("open rate (every open counted)"), "opens", "delivered", "opens_sq", "open_rate"
    ),
    "uni_open_percent": Metric(
        _("unique open rate"), "unique_opens", "delivered", "unique_opens", "unique_open_rate"
    ),
    "click_percent": Metric(
        _("click rate (every click counted)"), "clicks", "delivered", "clicks_sq", "click_rate"
    ),
    "uni_click_percent": Metric(
        _("unique click rate"), "unique_clicks", "delivered", "unique_clicks", "unique_click_rate"
    ),
    "delivered_percent": Metric(
        _("delivery rate"), "delivered", "sent", "delivered", "delivered_rate"
    ),
}
DEFAULT_COMPARE = "uni_open_percent"
COMPARE_LABELS = {key: metric.name for key, metric in METRICS.items()}


def win_metric(ab_test: dict[str, Any] | None) -> tuple[str, Metric]:
    """The A/B test's win condition (`win_condition.compare`) and its metric."""
    compare = ((ab_test or {}).get("win_condition") or {}).get("compare")
    compare = compare if compare in METRICS else DEFAULT_COMPARE
    return compare, METRICS[compare]


@dataclass(frozen=True)
class Dimension:
    """What an A/B test compares, as the sentences about it need the word: alone ("subject"),
    with its article ("the subject"), and naming one variant ("subject B"). French needs
    the article with the noun ("l'objet", "le modèle"), so each form is its own message."""

    key: str  # its English noun: "subject"
    one: Promise  # "subject"
    many: Promise  # "subjects"
    the_one: Promise  # "the subject"
    the_many: Promise  # "the subjects"
    variant: Promise  # "subject %(letter)s"
    counted: Callable[[int], str]  # "%(count)s subjects"

    @property
    def label(self) -> str:
        """ "Subject": a field's label, a column's header."""
        return capfirst(self.one)

    def named(self, letter: str) -> str:
        """ "subject B" """
        return str(self.variant) % {"letter": letter}

    def count(self, n: int) -> str:
        """ "3 subjects" """
        return self.counted(n) % {"count": n}


DIMENSIONS = {
    "subjects": Dimension(
        "subject",
        pgettext_lazy("A/B test compares", "subject"),
        pgettext_lazy("A/B test compares", "subjects"),
        pgettext_lazy("A/B test compares", "the subject"),
        pgettext_lazy("A/B test compares", "the subjects"),
        pgettext_lazy("A/B test compares", "subject %(letter)s"),
        lambda n: npgettext("A/B test compares", "%(count)s subject", "%(count)s subjects", n),
    ),
    "template_invoke_names": Dimension(
        "template",
        pgettext_lazy("A/B test compares", "template"),
        pgettext_lazy("A/B test compares", "templates"),
        pgettext_lazy("A/B test compares", "the template"),
        pgettext_lazy("A/B test compares", "the templates"),
        pgettext_lazy("A/B test compares", "template %(letter)s"),
        lambda n: npgettext("A/B test compares", "%(count)s template", "%(count)s templates", n),
    ),
    "sender_ids": Dimension(
        "sender",
        pgettext_lazy("A/B test compares", "sender"),
        pgettext_lazy("A/B test compares", "senders"),
        pgettext_lazy("A/B test compares", "the sender"),
        pgettext_lazy("A/B test compares", "the senders"),
        pgettext_lazy("A/B test compares", "sender %(letter)s"),
        lambda n: npgettext("A/B test compares", "%(count)s sender", "%(count)s senders", n),
    ),
    "send_times": Dimension(
        "send time",
        pgettext_lazy("A/B test compares", "send time"),
        pgettext_lazy("A/B test compares", "send times"),
        pgettext_lazy("A/B test compares", "the send time"),
        pgettext_lazy("A/B test compares", "the send times"),
        pgettext_lazy("A/B test compares", "send time %(letter)s"),
        lambda n: npgettext("A/B test compares", "%(count)s send time", "%(count)s send times", n),
    ),
}
VARIANT = Dimension(
    "variant",
    pgettext_lazy("A/B test compares", "variant"),
    pgettext_lazy("A/B test compares", "variants"),
    pgettext_lazy("A/B test compares", "the variant"),
    pgettext_lazy("A/B test compares", "the variants"),
    pgettext_lazy("A/B test compares", "variant %(letter)s"),
    lambda n: npgettext("A/B test compares", "%(count)s variant", "%(count)s variants", n),
)


def dimension_of(key: Any) -> Dimension:
    """The dimension an A/B test's key names ("subjects"), or its English noun ("subject")."""
    if isinstance(key, Dimension):
        return key
    if key in DIMENSIONS:
        return DIMENSIONS[key]
    return next((d for d in DIMENSIONS.values() if d.key == key), VARIANT)


# EngageLab's `google_track` keys, in the builder's order, with their labels.
UTM_LABELS = {
    "campaign_name": _("Campaign name"),
    "campaign_source": _("Source"),
    "campaign_medium": _("Medium"),
    "campaign_term": _("Term"),
    "campaign_content": _("Content"),
}


def offset_hours(time_zone: str | int | None) -> int:
    if time_zone is None or time_zone == "":
        return 8  # EngageLab's default
    try:
        return int(str(time_zone).replace("+", "").strip())
    except ValueError:
        return 8


def tz_label(time_zone: str | int | None) -> str:
    hours = offset_hours(time_zone)
    return "UTC" if hours == 0 else f"UTC{hours:+d}".replace("-", "−")


def in_campaign_tz(value: datetime | None, time_zone: str | int | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(dt_timezone(timedelta(hours=offset_hours(time_zone))))


def local_time(value: datetime | None, time_zone: str | int | None) -> str:
    """An instant in the user's zone, and as EngageLab reads it in the campaign's fixed offset
    when that differs: `2026-03-09 21:30 CST (2026-03-09 09:30 UTC−4 at EngageLab)`."""
    if value is None:
        return "—"
    there = in_campaign_tz(value, time_zone)
    if there.utcoffset() == timezone.localtime(value).utcoffset():
        return f"{clock.shown(value)} ({tz_label(time_zone)})"
    return f"{clock.shown(value)} ({there:{clock.DATETIME}} {tz_label(time_zone)} at EngageLab)"


def ab_dimension(ab_test: dict[str, Any] | None) -> tuple[str, list[str]]:
    for key in DIMENSIONS:
        if (ab_test or {}).get(key):
            return key, [str(v) for v in ab_test[key]]
    return "", []


def wait_text(unit: str, after: int) -> str:
    if after == 0:
        return gettext("right after the test is sent")
    if unit == "hour":
        return ngettext("after %(count)s hour", "after %(count)s hours", after) % {"count": after}
    if unit == "day":
        return ngettext("after %(count)s day", "after %(count)s days", after) % {"count": after}
    return f"after {after} {unit}{'s' if after != 1 else ''}"  # a unit the contract does not know


def ab_sentence(ab_test: dict[str, Any] | None) -> str:
    """ "20% get the test, split evenly between 3 subjects; after 18 hours the subject with the
    best open rate goes to the other 80%." """
    if not ab_test:
        return ""
    percent = int(ab_test.get("percent") or 0)
    win = ab_test.get("win_condition") or {}
    key, variants = ab_dimension(ab_test)
    dimension = dimension_of(key)
    compare = COMPARE_LABELS.get(win.get("compare"), win.get("compare") or gettext("chosen metric"))
    values = {
        "percent": percent,
        "rest": 100 - percent,
        "variants": dimension.count(len(variants)),
        "wait": wait_text(win.get("time_unit") or "hour", int(win.get("after_time") or 0)),
        "the_one": dimension.the_one,
        "metric": compare,
    }
    if percent >= 100:
        if variants:
            sentence = gettext(
                "Everyone gets the test, split evenly between %(variants)s; %(wait)s %(the_one)s "
                "with the best %(metric)s is declared the winner (nobody is left to receive it)."
            )
        else:
            sentence = gettext(
                "Everyone gets the test; %(wait)s %(the_one)s with the best %(metric)s is "
                "declared the winner (nobody is left to receive it)."
            )
    elif variants:
        sentence = gettext(
            "%(percent)s%% get the test, split evenly between %(variants)s; %(wait)s "
            "%(the_one)s with the best %(metric)s goes to the other %(rest)s%%."
        )
    else:
        sentence = gettext(
            "%(percent)s%% get the test; %(wait)s %(the_one)s with the best %(metric)s goes to "
            "the other %(rest)s%%."
        )
    return sentence % values


def percent_text(share: Any) -> str:
    """A share (0.925) as the percentage people type ("92.5%"; "92,5 %" in French), or "?"."""
    try:
        number = Decimal(f"{float(share) * 100:g}")
    except (TypeError, ValueError, InvalidOperation):
        return "?"
    return gettext("%(number)s%%") % {"number": number_format(number)}


def warm_up_sentence(row: dict[str, Any]) -> str:
    return gettext(
        "%(domain)s: starts at rate level %(rate)s; the rate goes up when at least %(up)s of "
        "messages are delivered, and down when fewer than %(down)s are."
    ) % {
        "domain": row.get("domain"),
        "rate": row.get("rate"),
        "up": percent_text(row.get("upgrade_value")),
        "down": percent_text(row.get("downgrade_value")),
    }


def audience_text(audience_type: str, values: list[str]) -> str:
    if audience_type == "list":
        return gettext("Everyone on the contact list")
    n, joined = len(values), ", ".join(values)
    if audience_type == "tag":
        if not values:
            return gettext("Tag")
        return ngettext("Tag: %(values)s", "Tags: %(values)s", n) % {"values": joined}
    if audience_type == "segment":
        if not values:
            return gettext("Segment")
        return ngettext("Segment: %(values)s", "Segments: %(values)s", n) % {"values": joined}
    label = audience_type or gettext("Audience")
    return f"{label}: {joined}" if values else label


def and_list(items: list[str]) -> str:
    """ "A, B and C" """
    if len(items) == 1:
        return items[0]
    last = pgettext("before the last item of a list", "and")
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
