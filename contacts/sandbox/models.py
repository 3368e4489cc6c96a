"""The emulated Dialog Insight account's state: a project with its typed fields and opt-ins,
contacts, segments (filters), messages, batches and each contact's deliveries."""

from __future__ import annotations

from django.db import models


class SandboxProject(models.Model):
    name = models.CharField(max_length=200)
    key_code = models.CharField(max_length=100, default="EMail")
    # The provider's keys carry a call quota; null = unlimited (the default), set it to watch
    # Switchboard hit "the number of calls allowed has been exceeded".
    call_quota = models.PositiveIntegerField(null=True, blank=True)
    calls_used = models.PositiveIntegerField(default=0)


class SandboxField(models.Model):
    class DataType(models.TextChoices):
        TEXT = "Text"
        NUMBER = "Number"
        DATE = "Date"

    project = models.ForeignKey(SandboxProject, on_delete=models.CASCADE, related_name="fields")
    code = models.CharField(max_length=100)
    label = models.CharField(max_length=200)
    data_type = models.CharField(max_length=10, choices=DataType.choices, default=DataType.TEXT)
    required = models.BooleanField(default=False)
    is_optin = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="contacts_sb_field_uniq")
        ]


class SandboxContact(models.Model):
    project = models.ForeignKey(SandboxProject, on_delete=models.CASCADE, related_name="contacts")
    key = models.CharField(max_length=300)  # the key field's value, lower-cased
    data = models.JSONField(default=dict)  # code → provider string
    optins = models.JSONField(default=dict)  # code → {"v": "1"|"0", "at": "YYYY.MM.DD HH:mm:ss"}
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="contacts_sb_contact_key")
        ]


class SandboxFilter(models.Model):
    project = models.ForeignKey(SandboxProject, on_delete=models.CASCADE, related_name="filters")
    name = models.CharField(max_length=200)
    is_dynamic = models.BooleanField(default=True)
    clause = models.JSONField(null=True, blank=True)


class SandboxMessage(models.Model):
    project = models.ForeignKey(SandboxProject, on_delete=models.CASCADE, related_name="messages")
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    sender = models.CharField(max_length=200)
    html = models.TextField(blank=True)
    parameters = models.JSONField(default=list, blank=True)


class SandboxBatch(models.Model):
    project = models.ForeignKey(SandboxProject, on_delete=models.CASCADE, related_name="batches")
    message = models.ForeignKey(SandboxMessage, on_delete=models.CASCADE)
    mode = models.CharField(max_length=20)  # All | idFilters | Single
    filter_ids = models.JSONField(default=list, blank=True)
    id_contact = models.PositiveBigIntegerField(null=True, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    launch_at = models.DateTimeField()
    status = models.CharField(max_length=20, default="Scheduled")
    target_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)


class SandboxDelivery(models.Model):
    """One contact's copy of a batch; opens and clicks happen at precomputed times so that
    statistics grow over time and deterministically."""

    batch = models.ForeignKey(SandboxBatch, on_delete=models.CASCADE, related_name="deliveries")
    contact = models.ForeignKey(SandboxContact, on_delete=models.CASCADE, related_name="history")
    sent_at = models.DateTimeField()
    delivered = models.BooleanField(default=True)
    unsubscribed = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    opens = models.PositiveSmallIntegerField(default=0)
    clicks = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["contact", "-sent_at"], name="contacts_sb_delivery")]
