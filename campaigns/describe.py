"""Campaign settings in words, for people: the A/B test, the warm-up thresholds, the audience
and times in the user's zone beside the campaign's own. Used by the detail page and the form's
previews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any

from django.utils import timezone

from dashboard import clock


@dataclass(frozen=True)
class Metric:
    """A rate as EngageLab's win conditions define it: a count of the statistics buckets over
    delivered (or, for the delivery rate, over sent). `squares` is the bucket field holding
    each recipient's count squared: for a rate that counts each recipient once (0 or 1), the
    count itself."""

    name: str
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
        return f"{self.name}, over {self.denominator}"


METRICS = {
    "open_percent": Metric(
        "open rate (every open counted)", "opens", "delivered", "opens_sq", "open_rate"
    ),
    "uni_open_percent": Metric(
        "unique open rate", "unique_opens", "delivered", "unique_opens", "unique_open_rate"
    ),
    "click_percent": Metric(
        "click rate (every click counted)", "clicks", "delivered", "clicks_sq", "click_rate"
    ),
    "uni_click_percent": Metric(
        "unique click rate", "unique_clicks", "delivered", "unique_clicks", "unique_click_rate"
    ),
    "delivered_percent": Metric(
        "delivery rate", "delivered", "sent", "delivered", "delivered_rate"
    ),
}
DEFAULT_COMPARE = "uni_open_percent"
COMPARE_LABELS = {key: metric.name for key, metric in METRICS.items()}


def win_metric(ab_test: dict[str, Any] | None) -> tuple[str, Metric]:
    """The A/B test's win condition (`win_condition.compare`) and its metric."""
    compare = ((ab_test or {}).get("win_condition") or {}).get("compare")
    compare = compare if compare in METRICS else DEFAULT_COMPARE
    return compare, METRICS[compare]


DIMENSIONS = {
    "subjects": ("subject", "subjects"),
    "template_invoke_names": ("template", "templates"),
    "sender_ids": ("sender", "senders"),
    "send_times": ("send time", "send times"),
}
# EngageLab's `google_track` keys, in the builder's order, with their labels.
UTM_LABELS = {
    "campaign_name": "Campaign name",
    "campaign_source": "Source",
    "campaign_medium": "Medium",
    "campaign_term": "Term",
    "campaign_content": "Content",
}
AUDIENCE_LABELS = {"list": "Everyone on the list", "tag": "Tag", "segment": "Segment"}


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
        return "right after the test is sent"
    return f"after {after} {unit}{'s' if after != 1 else ''}"


def ab_sentence(ab_test: dict[str, Any] | None) -> str:
    """ "20% get the test, split between 3 subjects; after 18 hours the subject with the best
    open rate goes to the other 80%." """
    if not ab_test:
        return ""
    percent = int(ab_test.get("percent") or 0)
    win = ab_test.get("win_condition") or {}
    dimension, variants = ab_dimension(ab_test)
    singular, plural = DIMENSIONS.get(dimension, ("variant", "variants"))
    compare = COMPARE_LABELS.get(win.get("compare"), win.get("compare") or "chosen metric")
    wait = wait_text(win.get("time_unit") or "hour", int(win.get("after_time") or 0))
    split = f", split evenly between {len(variants)} {plural}" if variants else ""
    if percent >= 100:
        return (
            f"Everyone gets the test{split}; {wait} the {singular} with the best {compare} "
            "is declared the winner (nobody is left to receive it)."
        )
    return (
        f"{percent}% get the test{split}; {wait} the {singular} with the best {compare} "
        f"goes to the other {100 - percent}%."
    )


def warm_up_sentence(row: dict[str, Any]) -> str:
    def pct(value: Any) -> str:
        try:
            return f"{float(value) * 100:g}%"
        except (TypeError, ValueError):
            return "?"

    return (
        f"{row.get('domain')}: starts at rate level {row.get('rate')}; the rate goes up when at "
        f"least {pct(row.get('upgrade_value'))} of messages are delivered, and down when "
        f"fewer than {pct(row.get('downgrade_value'))} are."
    )


def audience_text(audience_type: str, values: list[str]) -> str:
    if audience_type == "list":
        return "Everyone on the contact list"
    label = AUDIENCE_LABELS.get(audience_type, audience_type or "Audience")
    plural = "s" if len(values) > 1 else ""
    return f"{label}{plural}: {', '.join(values)}" if values else label
