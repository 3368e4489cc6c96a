"""The emulated EngageLab account's state: campaigns, their counters, tags, and the webhook
events still to deliver."""

from __future__ import annotations

from django.db import models


class SandboxCampaign(models.Model):
    """A campaign inside the emulated EngageLab account."""

    campaign_type = models.SmallIntegerField()
    name = models.CharField(max_length=64)
    data = models.JSONField(default=dict)  # the accepted request fields
    status = models.SmallIntegerField(default=0)
    time_zone = models.SmallIntegerField(default=8)
    send_at = models.DateTimeField(null=True, blank=True)  # UTC instant the sending starts
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    run_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    audience = models.PositiveIntegerField(default=1000)
    processed = models.PositiveIntegerField(default=0)
    step = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]


class SandboxStat(models.Model):
    """The emulator's per-day, per-variant, per-domain counters (served by /v1/stats_day)."""

    campaign = models.ForeignKey(SandboxCampaign, on_delete=models.CASCADE, related_name="stats")
    day = models.DateField()
    variant = models.CharField(max_length=16, blank=True)
    domain = models.CharField(max_length=100)
    targets = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    invalid_email = models.PositiveIntegerField(default=0)
    soft_bounce = models.PositiveIntegerField(default=0)
    total_opens = models.PositiveIntegerField(default=0)
    opens = models.PositiveIntegerField(default=0)
    total_clicks = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    unsubscribe = models.PositiveIntegerField(default=0)
    report_spam = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "day", "variant", "domain"], name="campaigns_sb_stat_key"
            )
        ]


class SandboxTag(models.Model):
    name = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)


class SandboxWebhook(models.Model):
    """Events the emulator still has to deliver; resent until Switchboard answers 2xx in 3 s,
    as EngageLab does."""

    payload = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
