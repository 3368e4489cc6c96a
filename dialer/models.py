"""The dialer's tables: the local mirror of CCAI Platform (campaigns, contacts, per-status
counts), and Switchboard's own import jobs with their staging rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dashboard.uploads import DELIMITER_LABELS, ENCODING_LABELS
from dialer.phones import international
from dialer.statuses import (
    CAMPAIGN_STATUS_LABELS,
    MODE_LABELS,
    STATUS_BY_NAME,
    STATUS_CHOICES,
    UPCOMING,
    Status,
    status_label,
)

# --- Mirror ---------------------------------------------------------------------------------


class DialerCampaign(models.Model):
    """What Switchboard last saw of one CCAI outbound dialer campaign."""

    provider_id = models.BigIntegerField(unique=True)
    name = models.CharField(max_length=255)
    campaign_type = models.CharField(max_length=50, blank=True)
    mode = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=30, blank=True)
    max_redial_count = models.IntegerField(null=True, blank=True)
    redial_interval_minutes = models.IntegerField(null=True, blank=True)
    max_abandonment_percent = models.FloatField(null=True, blank=True)
    target_number_to_process = models.IntegerField(null=True, blank=True)
    queue_name = models.CharField(max_length=255, blank=True)
    contact_stats = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    contacts_synced_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every write that changes what the campaign's board shows (the campaign, its
    # counts, its contacts): the board's ETag, so that an unchanged board costs a 304.
    version = models.PositiveBigIntegerField(default=0)

    RUNNING = ("started", "dialing", "running")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def mode_label(self) -> str:
        return MODE_LABELS.get(self.mode) or capfirst(self.mode)

    @property
    def status_label(self) -> str:
        return CAMPAIGN_STATUS_LABELS.get(self.status) or capfirst(self.status)


class ContactDetails(models.Model):
    """What CCAI Platform takes for a contact, as the mirror and an import's checked rows keep
    it: the phone normalised to E.164 is what duplicates are found on."""

    name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone_e164 = models.CharField(max_length=20, blank=True)
    outbound_number = models.CharField(max_length=40, blank=True)
    external_unique_id = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True


class DialerContact(ContactDetails):
    """One contact of a campaign. `provider_id` is null for a contact Switchboard added or
    imported whose CCAI id is not known yet (the add and import answers carry none); the next
    contacts sync fills it in, matching on the normalised phone."""

    campaign = models.ForeignKey(DialerCampaign, on_delete=models.CASCADE, related_name="contacts")
    provider_id = models.BigIntegerField(null=True, blank=True)
    phone_number = models.CharField(max_length=40, blank=True)  # as CCAI wrote it
    status = models.CharField(max_length=40, choices=STATUS_CHOICES, default=UPCOMING)
    priority = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "provider_id"], name="dialer_contact_unique_provider_id"
            )
        ]
        # The board's queries: one campaign's page of rows (optionally of one status), and
        # exact look-ups by phone or external id within it.
        indexes = [
            models.Index(fields=["campaign", "id"], name="dialer_contact_board"),
            models.Index(fields=["campaign", "status", "id"], name="dialer_contact_status"),
            models.Index(fields=["campaign", "phone_e164"], name="dialer_contact_phone"),
            models.Index(fields=["campaign", "external_unique_id"], name="dialer_contact_extid"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.phone_number} ({self.status})"

    @property
    def status_info(self) -> Status | None:
        return STATUS_BY_NAME.get(self.status)

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def phone_display(self) -> str:
        """The phone in one international format, whatever way CCAI or a file wrote it."""
        return international(self.phone_e164) if self.phone_e164 else self.phone_number


class DialerStatusCount(models.Model):
    """How many contacts of a campaign are in each status: kept by the contacts sync (recounted
    from the listing) and by every write, so a board never counts 200,000 rows per request."""

    campaign = models.ForeignKey(
        DialerCampaign, on_delete=models.CASCADE, related_name="status_counts"
    )
    status = models.CharField(max_length=40)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "status"], name="dialer_count_unique")
        ]


# --- Imports --------------------------------------------------------------------------------


class DialerImport(models.Model):
    """A bulk import a user is preparing or has sent: the uploaded file's shape, the column
    mapping, the preview report's counts and the provider job it became."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded: choose the columns")
        CHECKING = "checking", _("Checking the rows")
        PREVIEWED = "previewed", _("Checked: ready to send")
        SUBMITTING = "submitting", _("Sending to CCAI Platform")
        IN_PROGRESS = "in_progress", _("Importing at CCAI Platform")
        COMPLETED = "completed", pgettext_lazy("dialer import state", "Completed")
        FAILED = "failed", _("Failed at CCAI Platform")

    campaign = models.ForeignKey(DialerCampaign, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10)  # csv | json
    # How the stored file is read (detected at upload; the user may correct both).
    encoding = models.CharField(max_length=20, default="utf-8")
    delimiter = models.CharField(max_length=2, default=",")
    columns = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.UPLOADED)
    total_rows = models.IntegerField(default=0)
    valid_rows = models.IntegerField(default=0)
    invalid_rows = models.IntegerField(default=0)
    duplicate_in_file = models.IntegerField(default=0)
    duplicate_in_campaign = models.IntegerField(default=0)
    provider_job_id = models.CharField(max_length=64, blank=True)
    provider_status = models.CharField(max_length=30, blank=True)
    error_message = models.TextField(blank=True)
    error_details = models.TextField(blank=True)
    checked_rows = models.IntegerField(default=0)
    check_requested_at = models.DateTimeField(null=True, blank=True)
    # A check or a send in progress is held until `lease_until` by whoever runs it, who renews
    # it as it goes; a lease left to expire was held by a process that died. Each claim bumps
    # `lease_attempt`, so that a run that lost its lease notices and stops.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_attempt = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "checked_at"], name="dialer_import_state")]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.campaign}"

    @property
    def rejected_rows(self) -> int:
        return self.invalid_rows + self.duplicate_in_file + self.duplicate_in_campaign

    @property
    def finished(self) -> bool:
        return self.state in (self.State.COMPLETED, self.State.FAILED)

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self) -> str:
        return DELIMITER_LABELS.get(self.delimiter, self.delimiter)


class DialerUploadChunk(models.Model):
    """The uploaded file itself, as it came, in pieces of at most a megabyte: read again (never
    whole) to check its rows, or to read it with another encoding or delimiter. It is dropped
    once the contacts are sent."""

    upload = models.ForeignKey(  # indexed by the constraint below
        DialerImport, on_delete=models.CASCADE, related_name="chunks", db_index=False
    )
    index = models.IntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["upload", "index"], name="dialer_upload_chunk")
        ]


class DialerImportRow(ContactDetails):
    """One row of an import after the column mapping and validation."""

    class Kind(models.TextChoices):
        VALID = "valid", pgettext_lazy("dialer import row", "Valid")
        INVALID = "invalid", pgettext_lazy("dialer import row", "Invalid")
        DUPLICATE_FILE = "dup_file", _("Duplicate phone in the file")
        DUPLICATE_CAMPAIGN = "dup_campaign", _("Phone already in the campaign")

    # Few indexes (each is written 100,000 times by a large check): the report reads an import's
    # rows by kind in line order, its rejected ones through an index of those rows alone (a few
    # percent of a file); correcting a row looks among its valid ones.
    upload = models.ForeignKey(
        DialerImport, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    line = models.IntegerField()
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.VALID)
    problem = models.CharField(max_length=300, blank=True)
    phone_raw = models.CharField(max_length=100, blank=True)  # as the file wrote it

    class Meta:
        indexes = [
            models.Index(fields=["upload", "kind", "line"], name="dialer_importrow_kind"),
            models.Index(
                fields=["upload", "line"],
                condition=~models.Q(kind="valid"),
                name="dialer_importrow_rejected",
            ),
        ]
