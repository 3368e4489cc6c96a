"""What Switchboard keeps of an EngageLab campaign: the mirror's fields from the provider's
object, and one campaign written into the mirror. The services store what a write returned
through here, the syncs what a listing returned."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from campaigns import client as api
from campaigns.models import Campaign


def mirror_fields(c: api.Campaign) -> dict[str, Any]:
    """The mirror's values for a campaign as EngageLab describes it (`raw` tells any change)."""
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
    row, _ = Campaign.objects.update_or_create(provider_id=campaign.campaign_id, defaults=defaults)
    return row
