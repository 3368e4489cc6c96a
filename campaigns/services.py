"""Campaign use cases: form data → EngageLab → local mirror → audit event, in one place.
Refreshing the mirror is the syncs' business (`campaigns/sync.py`), never a service's."""

from __future__ import annotations

from typing import Any

from campaigns import client as api
from campaigns.mirror import campaign_upsert
from campaigns.models import Campaign, CampaignStatus
from dashboard.audit import Audited
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


def _audited(
    action: str, *, user: Any, campaign: Campaign | None = None, label: str = ""
) -> Audited:
    """The audit line of a write to one campaign (see `dashboard.audit.Audited`)."""
    return Audited(
        user=user,
        provider=PROVIDER,
        object_type="campaign",
        action=action,
        object_id=campaign.provider_id if campaign else "",
        object_label=campaign.name if campaign else label,
    )


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
    claim = submission_claim(token)
    with _audited("created", user=user, label=payload.get("name", "")) as audit:
        try:
            created = api.EngageLabClient().campaign_create(payload)
        except ProviderError as error:
            submission_failed(claim, error)
            raise
        submission_done(claim, created.campaign_id)
        row = campaign_upsert(campaign=created, extra=_extra(payload, attachments or []))
        audit.object_id, audit.object_label = row.provider_id, row.name
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
    with _audited("updated", user=user, campaign=campaign) as audit:
        try:
            client.campaign_update(campaign.provider_id, payload)
        except ProviderError as error:
            if error.code == 32110:
                Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
            raise
        extra = _extra(payload, attachments)
        try:
            row = campaign_upsert(campaign=client.campaign_get(campaign.provider_id), extra=extra)
        except ProviderError:
            # The update went through; the next sync brings the rest.
            Campaign.objects.filter(pk=campaign.pk).update(
                name=payload.get("name", campaign.name), **extra
            )
            row = Campaign.objects.get(pk=campaign.pk)
        audit.object_label = row.name
    return row


def campaign_delete(*, user: Any, campaign: Campaign) -> None:
    with _audited("deleted", user=user, campaign=campaign):
        try:
            api.EngageLabClient().campaign_delete(campaign.provider_id)
        except ProviderError as error:
            if error.status != 404:
                raise
            # Already gone on EngageLab: the mirror follows.
        Campaign.objects.filter(pk=campaign.pk).delete()
