"""The emulated CCAI account's state: dialer campaigns, their contacts, import jobs."""

from __future__ import annotations

from django.db import models

from dialer.statuses import UPCOMING


class SandboxCampaign(models.Model):
    name = models.CharField(max_length=255)
    campaign_type = models.CharField(max_length=50, default="outbound_dialer")
    mode = models.CharField(max_length=20, default="progressive")
    status = models.CharField(max_length=30, default="created")
    max_redial_count = models.IntegerField(default=2)
    redial_interval_minutes = models.IntegerField(default=30)
    max_abandonment_percent = models.FloatField(default=3.0)
    target_number_to_process = models.IntegerField(null=True, blank=True)
    queue_id = models.IntegerField(default=1)
    queue_name = models.CharField(max_length=255, default="Outbound sales")
    created_at = models.DateTimeField(auto_now_add=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class SandboxContact(models.Model):
    campaign = models.ForeignKey(SandboxCampaign, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone_number = models.CharField(max_length=60)
    phone_key = models.CharField(max_length=30)  # digits only, for duplicate checks
    outbound_number = models.CharField(max_length=60, blank=True)
    external_unique_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=40, default=UPCOMING)
    redials = models.IntegerField(default=0)
    priority = models.IntegerField(null=True, blank=True)
    assigned_call_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "phone_key"], name="dialer_sb_contact_phone"),
            models.Index(fields=["campaign", "status"], name="dialer_sb_contact_status"),
        ]


class SandboxImportJob(models.Model):
    campaign = models.ForeignKey(SandboxCampaign, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=20, default="in_progress")
    job_type = models.CharField(max_length=60, default="Jobs::Bulk::Campaign::ParentJob")
    payload = models.TextField()  # the uploaded JSON file, processed when the job runs
    error_message = models.CharField(max_length=200, blank=True)
    error_details = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    run_after = models.DateTimeField()
