"""Two families of tables: the local mirror of what Switchboard last saw at Dialog Insight
(project definition, segments, messages, mailings with statistics), keyed by `provider_id`,
plus contact imports."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dashboard.numbers import share


# --- Mirror -------------------------------------------------------------------------------
class ProjectField(models.Model):
    """One field or opt-in of the project (Projects.Get), so that forms and labels do not call
    the provider on every page."""

    class Kind(models.TextChoices):
        FIELD = "field", _("Field")
        OPTIN = "optin", _("Opt-in")

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


class Mirrored(models.Model):
    """One of the project's objects as Switchboard last read (sync) or wrote (services) it,
    keyed by Dialog Insight's id for it."""

    provider_id = models.PositiveBigIntegerField(unique=True)
    synced_at = models.DateTimeField()

    class Meta:
        abstract = True


class Named(Mirrored):
    """An object the forms offer by its name."""

    name = models.CharField(max_length=200)

    class Meta:
        abstract = True
        ordering = ["name", "provider_id"]

    def __str__(self) -> str:
        return self.name


class Segment(Named):
    """A segment (a filter, at Dialog Insight); `provider_id` is its idFilter."""

    is_dynamic = models.BooleanField(default=True)
    clause = models.JSONField(null=True, blank=True)


class Message(Named):
    """A message; `provider_id` is its idMessage."""

    subject = models.CharField(max_length=300, blank=True)
    sender = models.CharField(max_length=200, blank=True)
    parameters = models.JSONField(default=list, blank=True)


class Mailing(Mirrored):
    """A sending (Sendings.GetBatches) with its latest statistics: the Mailings page and the
    overview read this, never the provider. `provider_id` is its idBatch."""

    class Status(models.TextChoices):
        SCHEDULED = "Scheduled", pgettext_lazy("mailing", "Scheduled")
        SENDING = "Sending", pgettext_lazy("mailing", "Sending")
        SENT = "Sent", pgettext_lazy("mailing", "Sent")
        CANCELLED = "Cancelled", pgettext_lazy("mailing", "Cancelled")

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

    class Meta:
        ordering = ["-launch_at", "-provider_id"]
        indexes = [
            models.Index(fields=["-launch_at", "-provider_id"], name="contacts_mailing_launch"),
            models.Index(fields=["mode", "-launch_at"], name="contacts_mailing_mode"),
            # The overview's "latest sent mailings" and the card's counts: with the mode in it,
            # "sent in 30 days, single messages apart" is counted from the index alone (half
            # the time at 100,000 mailings).
            models.Index(
                fields=["status", "-launch_at", "mode"], name="contacts_mailing_status_mode"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_name} #{self.provider_id}"

    @property
    def status_label(self) -> str:
        """The status in the reader's language (an unknown one as Dialog Insight wrote it)."""
        return self.Status(self.status).label if self.status in self.Status.values else self.status

    @property
    def audience_label(self) -> str:
        """Who it went to, in the reader's language: everyone and a triggered send are said
        in Switchboard's words; segments by their names."""
        if self.mode == "All":
            return gettext("Everyone")
        if self.mode == "Single":
            return gettext("One contact (triggered)")
        return self.audience

    @property
    def open_rate(self) -> float | None:
        return share(self.unique_opens, self.delivered)

    @property
    def click_rate(self) -> float | None:
        return share(self.unique_clicks, self.delivered)


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

    # `change` is kept as written (English); `change_label` says it in the reader's language.
    CHANGES = {
        "created": pgettext_lazy("contact change", "created"),
        "updated": pgettext_lazy("contact change", "updated"),
        "unsubscribed from every list": _("unsubscribed from every list"),
    }
    CHANGES_OF = (  # (how the stored text starts, the sentence with the rest as `name`)
        ("subscribed to ", gettext_noop("subscribed to %(name)s")),
        ("unsubscribed from ", gettext_noop("unsubscribed from %(name)s")),
        ("imported from ", gettext_noop("imported from %(name)s")),
    )

    @property
    def change_label(self) -> str:
        if self.change in self.CHANGES:
            return str(self.CHANGES[self.change])
        for start, sentence in self.CHANGES_OF:
            if self.change.startswith(start):
                return gettext(sentence) % {"name": self.change.removeprefix(start)}
        return self.change


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
        QUEUED = "queued", pgettext_lazy("import", "Queued")
        RUNNING = "running", pgettext_lazy("import", "Running")
        DONE = "done", pgettext_lazy("import", "Done")
        FAILED = "failed", pgettext_lazy("import", "Stopped")

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
        PENDING = "pending", pgettext_lazy("import row", "Pending")
        CREATED = "created", pgettext_lazy("import row", "Created")
        UPDATED = "updated", pgettext_lazy("import row", "Updated")
        REJECTED = "rejected", pgettext_lazy("import row", "Rejected")

    job = models.ForeignKey(ContactImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    key = models.CharField(max_length=300)
    data = models.JSONField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    message = models.CharField(max_length=500, blank=True)
    contact_id = models.PositiveBigIntegerField(null=True, blank=True)  # Dialog Insight's

    # Switchboard's own reasons for rejecting a row (kept in English, shown translated).
    EMPTY_KEY = gettext_noop("The email is empty.")
    KEY_TOO_LONG = gettext_noop("The email is longer than %(max)s characters; it was not sent.")

    class Meta:
        ordering = ["line"]
        indexes = [
            models.Index(fields=["job", "outcome", "line"], name="contacts_importrow_todo"),
            # The report: the rows done (any outcome but pending), in line order.
            models.Index(
                fields=["job", "line"],
                condition=~models.Q(outcome="pending"),
                name="contacts_importrow_done",
            ),
        ]

    @property
    def message_label(self) -> str:
        """The row's message in the reader's language: Switchboard's reasons are translated,
        Dialog Insight's rejections shown as it wrote them."""
        if self.message == self.EMPTY_KEY:
            return gettext(self.EMPTY_KEY)
        too_long = {"max": self._meta.get_field("key").max_length}
        if self.message == self.KEY_TOO_LONG % too_long:
            return gettext(self.KEY_TOO_LONG) % too_long
        return self.message
