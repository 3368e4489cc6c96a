"""Campaigns' tables: the mirror of EngageLab (what Switchboard last saw of each campaign and of
the reference lists the builder offers), the webhook inbox, the statistics buckets the charts
read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns.describe import in_campaign_tz, offset_hours

SEND_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # EngageLab's `send_time`


class CampaignType(models.IntegerChoices):
    # EngageLab's parameter tables: 1 = A/B test, 2 = regular (the seed's curl examples swap
    # them; the contract follows the tables).
    AB_TEST = 1, _("A/B test")
    REGULAR = 2, _("Regular")


class CampaignStatus(models.IntegerChoices):
    PENDING = 0, _("Pending")
    RUNNING = 1, _("Running")
    FINISHED = 2, _("Finished")
    FAILED = -1, pgettext_lazy("campaign status", "Failed")


class Campaign(models.Model):
    """One EngageLab campaign as last read (sync) or written (services) by Switchboard."""

    provider_id = models.BigIntegerField(unique=True)  # EngageLab's `campaign_id`
    campaign_type = models.SmallIntegerField(choices=CampaignType.choices)
    name = models.CharField(max_length=64, db_index=True)
    audience_type = models.CharField(max_length=10, blank=True)  # list | tag | segment
    audience_values = models.JSONField(default=list, blank=True)
    template_invoke_name = models.CharField(max_length=128, blank=True)
    # Not in EngageLab's documented response: kept from Switchboard's own writes.
    subject = models.CharField(max_length=255, blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    status = models.SmallIntegerField(choices=CampaignStatus.choices, db_index=True)
    from_email = models.CharField(max_length=254, blank=True)
    from_name = models.CharField(max_length=128, blank=True)
    sender_id = models.BigIntegerField(null=True, blank=True)
    create_time = models.DateTimeField(null=True, blank=True)
    update_time = models.DateTimeField(null=True, blank=True)
    run_time = models.DateTimeField(null=True, blank=True)
    complete_time = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=6, default="+8")
    # The schedule Switchboard last sent (EngageLab's answer may not carry it: `run_time` can
    # be empty before a campaign starts), so that an edit sends it again instead of dropping
    # it: the wall time as sent (`YYYY-MM-DD HH:mm:ss`; blank: sent without one, i.e. at
    # once) and the hour offset it was sent with (null: never written by Switchboard).
    sent_send_time = models.CharField(max_length=19, blank=True)
    sent_time_zone = models.SmallIntegerField(null=True, blank=True)
    google_track = models.JSONField(null=True, blank=True)
    warm_up = models.JSONField(null=True, blank=True)
    ab_test = models.JSONField(null=True, blank=True)
    # Names and sizes of what Switchboard uploaded (the provider does not list attachments).
    attachments = models.JSONField(default=list, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    synced_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-create_time", "-provider_id"]
        indexes = [
            models.Index(fields=["-create_time", "-provider_id"], name="campaign_created"),
            models.Index(fields=["status", "-create_time"], name="campaign_status_created"),
            models.Index(fields=["campaign_type", "-create_time"], name="campaign_type_created"),
            models.Index(fields=["run_time"], name="campaign_run_time"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ab(self) -> bool:
        return self.campaign_type == CampaignType.AB_TEST

    @property
    def has_started(self) -> bool:
        return self.status != CampaignStatus.PENDING

    @property
    def schedule(self) -> Schedule | None:
        """When it sends, as a wall time and the hour offset it is read in: EngageLab's
        `run_time` when its answer has one, else the send time Switchboard last sent."""
        if self.run_time is not None:
            local = in_campaign_tz(self.run_time, self.time_zone)
            return Schedule(local.replace(tzinfo=None), offset_hours(self.time_zone), False)
        if self.sent_send_time and self.sent_time_zone is not None:
            local = datetime.strptime(self.sent_send_time, SEND_TIME_FORMAT)
            return Schedule(local, self.sent_time_zone, True)
        return None


class Schedule(NamedTuple):
    local: datetime  # the wall time, in the campaign's time zone
    time_zone: int  # hours from UTC
    from_switchboard: bool  # EngageLab's answer did not carry it; Switchboard sent it

    @property
    def at(self) -> datetime:
        """The instant it sends."""
        return (self.local - timedelta(hours=self.time_zone)).replace(tzinfo=UTC)


class ReferenceItem(models.Model):
    """Senders, templates, tags and segments the builder offers, synced from EngageLab so that
    the form never waits on the provider to show its choices."""

    class Kind(models.TextChoices):
        SENDER = "sender", "Sender"
        TEMPLATE = "template", "Template"
        TAG = "tag", "Tag"
        SEGMENT = "segment", "Segment"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=128)
    label = models.CharField(max_length=255)
    data = models.JSONField(default=dict, blank=True)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["kind", "label"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="reference_kind_key")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.label}"

    @staticmethod
    def list_name(kind: str) -> str:
        """A list's name in the sync records (`dashboard.SyncState`): "campaign senders"…"""
        return f"campaign {kind}s"


class SyncStamp(models.Model):
    """When a complete sync of one object type last finished: the list's "synced N s ago"."""

    name = models.CharField(max_length=40, unique=True)
    finished_at = models.DateTimeField()


class WebhookEvent(models.Model):
    """One EngageLab event as received, stored once (`key` is unique, so a re-sent event is
    ignored) and turned into statistics later by a task."""

    key = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=20)
    campaign_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["processed_at", "id"], name="webhook_unprocessed")]


class AbPhase(models.TextChoices):
    """Which part of an A/B test a recipient's events belong to."""

    NONE = "", "Not told apart"  # a regular campaign, or events that do not say
    TEST = "test", "The test"  # the test share, before EngageLab began sending the winner
    LATE = "late", "The test, after the winner's send began"  # not seen by EngageLab's pick
    WINNER = "winner", "The winner's send"  # the rest of the list


class StatCounts(models.Model):
    """What the statistics count, as EngageLab's events report it."""

    sent = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    bounced = models.PositiveIntegerField(default=0)
    opens = models.PositiveIntegerField(default=0)
    unique_opens = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    unique_clicks = models.PositiveIntegerField(default=0)
    unsubscribes = models.PositiveIntegerField(default=0)
    spam_reports = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class StatBucket(StatCounts):
    """Counts for one campaign, variant, A/B phase and recipient domain over one minute: what
    charts read (never raw events). Unique counts are credited to the minute of a recipient's
    first event. `opens_sq`/`clicks_sq` add up each recipient's count squared (each event adds
    2c + 1 to a recipient at c): with the totals, the spread that significance tests need."""

    campaign_id = models.BigIntegerField()
    variant = models.CharField(max_length=16, blank=True)
    phase = models.CharField(max_length=8, blank=True, default="", choices=AbPhase.choices)
    domain = models.CharField(max_length=100, blank=True)
    start = models.DateTimeField()
    opens_sq = models.PositiveBigIntegerField(default=0)
    clicks_sq = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_id", "variant", "phase", "domain", "start"],
                name="stat_bucket_phase_key",
            )
        ]
        indexes = [
            models.Index(fields=["campaign_id", "start"], name="stat_campaign_start"),
            models.Index(fields=["start"], name="stat_start"),
        ]


class StatTotal(StatCounts):
    """A campaign's counts since it began, per A/B variant, A/B phase and recipient domain,
    kept with the buckets: the domain and variant charts read these few rows, whatever the
    campaign's age."""

    campaign_id = models.BigIntegerField()
    variant = models.CharField(max_length=16, blank=True)
    phase = models.CharField(max_length=8, blank=True, default="", choices=AbPhase.choices)
    domain = models.CharField(max_length=100, blank=True)
    opens_sq = models.PositiveBigIntegerField(default=0)
    clicks_sq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_id", "variant", "phase", "domain"], name="stat_total_key"
            )
        ]


class StatSeries(StatCounts):
    """A campaign's counts over time, summed over variants and domains, one row per
    `minutes`-long step, at each of `SERIES_STEPS`, kept with the buckets: a chart reads at
    most a few hundred points, whatever the campaign's age or the period. A step starts at
    `start_minute`, counted in minutes since the Unix epoch (a number: a few hundred of them
    read faster than as many dates)."""

    campaign_id = models.BigIntegerField()
    minutes = models.PositiveIntegerField()
    start_minute = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_id", "minutes", "start_minute"], name="stat_series_key"
            )
        ]
        indexes = [models.Index(fields=["minutes", "start_minute"], name="stat_series_step_start")]


# Steps of `StatSeries`, in minutes: the overview's periods (1 h, 6 h, 24 h, 7 days) each
# have theirs, and a campaign's curve takes the finest that keeps it within its points.
SERIES_STEPS = (1, 5, 15, 60, 360, 1440, 10080)


class StatRecipient(models.Model):
    """Which recipients of a campaign have opened or clicked, and how often, so uniques count
    once and the spread of every-open counts is known."""

    campaign_id = models.BigIntegerField()
    email = models.CharField(max_length=254)
    opened = models.BooleanField(default=False)
    clicked = models.BooleanField(default=False)
    opens = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign_id", "email"], name="stat_recipient_key")
        ]


class CampaignStats(StatCounts):
    """One campaign's totals, kept with its buckets as events are processed: the list, the
    headline numbers and the charts' version read one row instead of summing buckets. For an
    A/B test, which variant EngageLab sent to the rest of the list, and from when."""

    campaign_id = models.BigIntegerField(unique=True)
    winner_variant = models.CharField(max_length=16, blank=True)
    winner_sent_at = models.DateTimeField(null=True, blank=True)
    # The first and last minutes with events: how long the campaign's curve is, and which
    # campaigns the overview shows (the latest active).
    first_minute = models.DateTimeField(null=True, blank=True)
    last_minute = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["-last_minute", "-campaign_id"], name="campaign_stats_latest")
        ]


class DailyDomainStat(models.Model):
    """EngageLab's own account-wide daily statistics per recipient domain (`/v1/stats_day`),
    polled: the cross-check of what the webhook events add up to."""

    day = models.DateField()
    domain = models.CharField(max_length=100)
    sent = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    invalid_email = models.PositiveIntegerField(default=0)
    soft_bounce = models.PositiveIntegerField(default=0)
    total_opens = models.PositiveIntegerField(default=0)
    opens = models.PositiveIntegerField(default=0)  # unique
    total_clicks = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)  # unique
    unsubscribe = models.PositiveIntegerField(default=0)
    report_spam = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "domain"]
        constraints = [
            models.UniqueConstraint(fields=["day", "domain"], name="daily_domain_stat_key")
        ]
