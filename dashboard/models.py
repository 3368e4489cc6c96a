from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Access(models.Model):
    """Holds Switchboard's permissions; roles (groups) are sets of them. No table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_campaigns", "Can view EngageLab campaigns"),
            ("change_campaigns", "Can create, edit and delete EngageLab campaigns"),
            ("view_contacts", "Can view Dialog Insight contacts, segments and mailings"),
            ("change_contacts", "Can create, edit and delete Dialog Insight contacts/segments"),
            ("send_mailings", "Can schedule and trigger Dialog Insight mailings"),
            ("view_dialer", "Can view CCAI dialer campaigns and contacts"),
            ("change_dialer", "Can add, edit, delete and import CCAI dialer contacts"),
            ("view_audit", "Can read the audit log"),
            ("view_operations", "Can view the Providers page"),
        ]


class AuditEvent(models.Model):
    """Who did what to which provider object, when, and with what outcome."""

    class Outcome(models.TextChoices):
        OK = "ok", _("Succeeded")
        ERROR = "error", _("Failed")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(max_length=150, blank=True)
    provider = models.CharField(max_length=20)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=100, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OK)
    detail = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The log's own order: a page of it reads 50 rows, not every event to sort them.
            models.Index(fields=["-at", "-id"], name="audit_latest"),
            models.Index(fields=["provider", "-at"]),
            models.Index(fields=["username", "-at"]),
            models.Index(fields=["outcome", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.username or 'system'} {self.action} {self.object_type} {self.object_id}"


class ProviderCall(models.Model):
    """One line per provider call (no bodies, no secrets): feeds the Providers page."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    provider = models.CharField(max_length=20)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField(null=True)
    duration_ms = models.PositiveIntegerField()
    ok = models.BooleanField()
    error = models.CharField(max_length=500, blank=True)
    username = models.CharField(max_length=150, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # Whether the call went to the provider's sandbox; null for calls recorded before
    # Switchboard noted it. `seed_demo` refuses a database that ever called a live provider.
    sandbox = models.BooleanField(null=True)

    class Meta:
        indexes = [models.Index(fields=["provider", "-at"])]


class SandboxFault(models.Model):
    """A fault the sandbox injects into one provider's answers: set by a test or an operator
    (`manage.py sandbox_fault`). Stored in the database so every process sees it."""

    class Kind(models.TextChoices):
        LATENCY = "latency", "Added latency"
        ERROR = "error", "HTTP error status"
        RATE_LIMIT = "rate_limit", "HTTP 429 with Retry-After"
        TIMEOUT = "timeout", "No answer (timeout)"
        MALFORMED = "malformed", "Malformed body"
        UNKNOWN_METHOD = "unknown_method", "Method refused as unknown (Dialog Insight envelope)"

    provider = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    latency_ms = models.PositiveIntegerField(default=0)
    status = models.PositiveSmallIntegerField(default=503)
    retry_after = models.PositiveIntegerField(default=1)
    # How many more calls to affect; null = every call until cleared.
    remaining = models.PositiveIntegerField(null=True, blank=True)
    path_contains = models.CharField(max_length=200, blank=True)
    # Dialog Insight's variants of one method differ by body alone (Contacts.Get by idFilter).
    body_contains = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.provider}: {self.get_kind_display()}"


class ProviderCapability(models.Model):
    """What Switchboard last learnt of one method its provider does not publish (see
    dashboard/capabilities.py): whether this account answered it, and when it was tried."""

    provider = models.CharField(max_length=20)
    name = models.CharField(max_length=40)
    # The account it was learnt on: after a switch (sandbox to live) it is not tried yet.
    base_url = models.CharField(max_length=300)
    available = models.BooleanField()
    tried_at = models.DateTimeField()
    detail = models.CharField(max_length=500, blank=True)  # how the provider refused it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="unique_provider_capability")
        ]


class RateBucket(models.Model):
    """A provider's (or one of its endpoints') client-side rate limit, shared by every web
    process and worker: the time at which the bucket is next full, in seconds since the epoch
    (see dashboard/providers.py `RateLimiter`)."""

    name = models.CharField(max_length=100, primary_key=True)
    full_at = models.FloatField(default=0.0)


class WorkerHeartbeat(models.Model):
    """Written by `manage.py worker` every few seconds; `/readyz` reads it."""

    worker_id = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(db_index=True)


class PeriodicJob(models.Model):
    """When each periodic job last ran, so that many workers enqueue it once per interval."""

    name = models.CharField(max_length=100, unique=True)
    next_run = models.DateTimeField()


class SyncState(models.Model):
    """One row per (provider, object type) mirror: its lease (so overlapping sync runs take
    turns instead of interleaving) and the outcome of its last runs, for the Providers page."""

    provider = models.CharField(max_length=20)
    object_type = models.CharField(max_length=40)
    lease_holder = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_summary = models.CharField(max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "object_type"], name="unique_sync_state")
        ]


class FormSubmission(models.Model):
    """One submitted form that makes or sends something at a provider. Its token is unique,
    so a double click or a browser resending the form cannot do it twice: the second
    submission finds the token taken (see dashboard/submissions.py)."""

    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    object_id = models.BigIntegerField(null=True, blank=True)  # what it made, once known


class KeptUpload(models.Model):
    """A file chosen in a form that was not done yet (an error in another field, a
    confirmation step, a provider's refusal), kept with the form's one-time token so that it
    is not chosen again: removed when the form is done, or after a day
    (dashboard/submissions.py). Kept in the database, which every web process shares."""

    token = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    kept_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]


class Preferences(models.Model):
    """What a user chose for themselves: the language Switchboard speaks to them (blank: their
    browser's) and the time zone every time is shown and typed in (blank: the installation's
    `TIME_ZONE`). Copied into the session at login and when changed (dashboard/preferences.py),
    so that a request reads no row for them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    language = models.CharField(max_length=8, blank=True, choices=settings.LANGUAGES)
    time_zone = models.CharField(max_length=64, blank=True)
