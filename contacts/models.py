"""Two families of tables: the local mirror of what Switchboard last saw at Dialog Insight
(project definition, segments, messages, mailings with statistics), keyed by `provider_id`,
plus contact imports."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


# --- Mirror -------------------------------------------------------------------------------
class ProjectField(models.Model):
    """One field or opt-in of the project (Projects.Get), so that forms and labels do not call
    the provider on every page."""

    class Kind(models.TextChoices):
        FIELD = "field", "Field"
        OPTIN = "optin", "Opt-in"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=100)
    label = models.CharField(max_length=200)
    data_type = models.CharField(max_length=20, default="text")
    required = models.BooleanField(default=False)
    is_key = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["kind", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="contacts_field_uniq")]

    def __str__(self) -> str:
        return self.label


class Segment(models.Model):
    provider_id = models.PositiveBigIntegerField(unique=True)  # Dialog Insight's idFilter
    name = models.CharField(max_length=200)
    is_dynamic = models.BooleanField(default=True)
    clause = models.JSONField(null=True, blank=True)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "provider_id"]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    provider_id = models.PositiveBigIntegerField(unique=True)  # Dialog Insight's idMessage
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=300, blank=True)
    sender = models.CharField(max_length=200, blank=True)
    parameters = models.JSONField(default=list, blank=True)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "provider_id"]

    def __str__(self) -> str:
        return self.name


class Mailing(models.Model):
    """A sending (Sendings.GetBatches) with its latest statistics: the Mailings page and the
    overview read this, never the provider."""

    class Status(models.TextChoices):
        SCHEDULED = "Scheduled", "Scheduled"
        SENDING = "Sending", "Sending"
        SENT = "Sent", "Sent"
        CANCELLED = "Cancelled", "Cancelled"

    provider_id = models.PositiveBigIntegerField(unique=True)  # Dialog Insight's idBatch
    message_id = models.PositiveBigIntegerField()  # the message's provider_id
    message_name = models.CharField(max_length=200, blank=True)
    mode = models.CharField(max_length=20)  # All | idFilters | Single
    audience = models.CharField(max_length=300, blank=True)
    segment_ids = models.JSONField(default=list, blank=True)  # the segments' provider_id
    launch_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, db_index=True)
    target_count = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    opens = models.PositiveIntegerField(default=0)
    unique_opens = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    unique_clicks = models.PositiveIntegerField(default=0)
    bounces = models.PositiveIntegerField(default=0)
    unsubscribes = models.PositiveIntegerField(default=0)
    stats_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["-launch_at", "-provider_id"]
        indexes = [
            models.Index(fields=["-launch_at", "-provider_id"], name="contacts_mailing_launch"),
            models.Index(fields=["mode", "-launch_at"], name="contacts_mailing_mode"),
            # The overview's "latest sent mailings" and the card's counts.
            models.Index(fields=["status", "-launch_at"], name="contacts_mailing_status"),
        ]

    def __str__(self) -> str:
        return f"{self.message_name} #{self.provider_id}"

    @property
    def open_rate(self) -> float | None:
        return self.unique_opens / self.delivered if self.delivered else None

    @property
    def click_rate(self) -> float | None:
        return self.unique_clicks / self.delivered if self.delivered else None


class RecentContact(models.Model):
    """A contact Switchboard created, changed or imported, with when and how: the Contacts
    page lists the latest without asking Dialog Insight, which has no listing of recently
    changed contacts. Switchboard's own record, not a copy of the project: a contact changed
    at Dialog Insight directly is not here, and only the latest `KEEP` are kept."""

    KEEP = 500

    provider_id = models.PositiveBigIntegerField(unique=True)  # Dialog Insight's idContact
    key = models.CharField(max_length=300)  # the project key (email) when it was changed
    name = models.CharField(max_length=200, blank=True)
    change = models.CharField(max_length=100)  # "created", "imported from crm.csv", …
    changed_at = models.DateTimeField()
    changed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["-changed_at", "-id"], name="contacts_recent_changed")]

    def __str__(self) -> str:
        return self.key


class MailingSnapshot(models.Model):
    """A mailing's numbers each time they changed: the time series behind open/click-rate
    charts (appended by the mailings sync, never rewritten)."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="snapshots")
    at = models.DateTimeField()
    sent = models.PositiveIntegerField()
    delivered = models.PositiveIntegerField()
    unique_opens = models.PositiveIntegerField()
    unique_clicks = models.PositiveIntegerField()

    class Meta:
        ordering = ["mailing", "at"]
        indexes = [models.Index(fields=["mailing", "at"], name="contacts_snapshot_series")]


class ContactImport(models.Model):
    """An uploaded CRM file being merged into the project in batches by a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Stopped"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved forward after every batch: a running job that stops moving lost its worker.
    progressed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    STALLED_AFTER = timedelta(minutes=5)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def stalled(self) -> bool:
        last = self.progressed_at or self.created_at
        return self.status == self.Status.RUNNING and last < timezone.now() - self.STALLED_AFTER

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100

    @property
    def active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class ContactImportRow(models.Model):
    """One row of the uploaded file, kept until merged so that a stopped import loses nothing."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        REJECTED = "rejected", "Rejected"

    job = models.ForeignKey(ContactImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    key = models.CharField(max_length=300)
    data = models.JSONField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    message = models.CharField(max_length=500, blank=True)
    contact_id = models.PositiveBigIntegerField(null=True, blank=True)  # Dialog Insight's

    class Meta:
        ordering = ["line"]
        indexes = [models.Index(fields=["job", "outcome", "line"], name="contacts_importrow_todo")]
