"""Campaign use cases: form data → EngageLab → local mirror → audit event, in one place."""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from campaigns import client as api
from campaigns.models import Campaign, CampaignStatus
from dashboard.audit import audit_record
from dashboard.providers import ProviderError
from dashboard.submissions import (
    AlreadySubmitted,  # noqa: F401  (views catch it as services.AlreadySubmitted)
    submission_claim,
    submission_done,
    submission_failed,
)

PROVIDER = "engagelab"


class CampaignLocked(Exception):
    """The campaign has started: EngageLab refuses any change (code 32110)."""


def mirror_fields(c: api.Campaign) -> dict[str, Any]:
    return {
        "campaign_type": c.campaign_type,
        "name": c.name[:64],
        "audience_type": c.audience_type,
        "audience_values": c.audience_values,
        "template_invoke_name": c.template_invoke_name,
        "reply_to": c.reply_to,
        "status": c.status,
        "from_email": c.from_email,
        "from_name": c.from_name,
        "sender_id": c.sender_id,
        "create_time": c.create_time,
        "update_time": c.update_time,
        "run_time": c.run_time,
        "complete_time": c.complete_time,
        "time_zone": c.time_zone[:6],
        "google_track": c.google_track,
        "warm_up": c.warm_up,
        "ab_test": c.ab_test,
        "raw": c.raw,
    }


def campaign_upsert(*, campaign: api.Campaign, extra: dict[str, Any] | None = None) -> Campaign:
    """Write what EngageLab said about one campaign into the mirror. `extra` carries what only
    Switchboard knows (the subject and attachments it sent)."""
    defaults = {**mirror_fields(campaign), "synced_at": timezone.now()}
    if campaign.subject:
        defaults["subject"] = campaign.subject
    defaults.update(extra or {})
    row, _ = Campaign.objects.update_or_create(campaign_id=campaign.campaign_id, defaults=defaults)
    return row


def _extra(payload: dict[str, Any], attachments: list[dict] | None) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "subject": payload.get("subject") or "",
        # The schedule as sent: the next edit sends it again even if EngageLab never says it.
        "sent_send_time": payload.get("send_time") or "",
        "sent_time_zone": payload.get("time_zone"),
    }
    if attachments is not None:
        extra["attachments"] = attachments
    return extra


def campaign_create(
    *,
    user: Any,
    payload: dict[str, Any],
    attachments: list[dict] | None = None,
    token: str = "",
) -> Campaign:
    """Create a campaign on EngageLab (never retried: a POST is not repeated) and mirror it.
    `token` (the builder's) is claimed first, so one submitted form creates one campaign."""
    name = payload.get("name", "")
    claim = submission_claim(token)
    try:
        created = api.EngageLabClient().create_campaign(payload)
    except ProviderError as error:
        audit_record(user=user, provider=PROVIDER, object_type="campaign", action="created",
                     object_label=name, outcome="error", detail=str(error))  # fmt: skip
        submission_failed(claim, error)
        raise
    submission_done(claim, created.campaign_id)
    row = campaign_upsert(campaign=created, extra=_extra(payload, attachments or []))
    audit_record(user=user, provider=PROVIDER, object_type="campaign", action="created",
                 object_id=row.campaign_id, object_label=row.name)  # fmt: skip
    return row


def campaign_update(
    *,
    user: Any,
    campaign: Campaign,
    payload: dict[str, Any],
    attachments: list[dict] | None = None,
) -> Campaign:
    """Update a pending campaign; a started one is refused before any call."""
    if campaign.has_started:
        raise CampaignLocked(campaign.get_status_display())
    client = api.EngageLabClient()
    try:
        client.update_campaign(campaign.campaign_id, payload)
    except ProviderError as error:
        audit_record(user=user, provider=PROVIDER, object_type="campaign", action="updated",
                     object_id=campaign.campaign_id, object_label=campaign.name,
                     outcome="error", detail=str(error))  # fmt: skip
        if error.code == 32110:
            Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
        raise
    extra = _extra(payload, attachments)
    try:
        row = campaign_upsert(campaign=client.get_campaign(campaign.campaign_id), extra=extra)
    except ProviderError:
        # The update went through; the next sync brings the rest.
        Campaign.objects.filter(pk=campaign.pk).update(
            name=payload.get("name", campaign.name), **extra
        )
        row = Campaign.objects.get(pk=campaign.pk)
    audit_record(user=user, provider=PROVIDER, object_type="campaign", action="updated",
                 object_id=row.campaign_id, object_label=row.name)  # fmt: skip
    return row


def campaign_delete(*, user: Any, campaign: Campaign) -> None:
    try:
        api.EngageLabClient().delete_campaign(campaign.campaign_id)
    except ProviderError as error:
        if error.status != 404:
            audit_record(user=user, provider=PROVIDER, object_type="campaign", action="deleted",
                         object_id=campaign.campaign_id, object_label=campaign.name,
                         outcome="error", detail=str(error))  # fmt: skip
            raise
        # Already gone on EngageLab: the mirror follows.
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).delete()
    audit_record(user=user, provider=PROVIDER, object_type="campaign", action="deleted",
                 object_id=campaign.campaign_id, object_label=campaign.name)  # fmt: skip


def campaign_look_up(*, name: str) -> Campaign | None:
    """After a create whose outcome is unknown: refresh the campaigns from EngageLab, then the
    newest one with this name, if there is one now."""
    from campaigns.sync import sync_campaigns

    sync_campaigns()
    return (
        Campaign.objects.filter(name=name.strip()[:64])
        .order_by("-create_time", "-campaign_id")
        .first()
    )


class PartlyRefreshed(Exception):
    """The campaigns were refreshed, some of the builder's choices (senders, templates…) were
    not: `problems` says which, and why."""

    def __init__(self, summary: str, problems: list[str]) -> None:
        super().__init__(summary)
        self.summary = summary
        self.problems = problems


def campaign_refresh(*, user: Any) -> str:
    """The list's refresh button: run the campaign and reference syncs now. A failure of the
    second is not reported as if the campaigns had not been refreshed either."""
    from campaigns.selectors import reference_problems
    from campaigns.sync import sync_campaigns, sync_references

    summary = str(sync_campaigns())
    # Each list's failure is recorded on its own, and told from that record.
    with contextlib.suppress(ProviderError):
        summary += f"; {sync_references()}"
    if problems := reference_problems():
        raise PartlyRefreshed(summary, problems)
    return summary
