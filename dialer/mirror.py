"""The dialer's local mirror of CCAI Platform, as every writer keeps it: a campaign's fields from
the provider's object, a contact's fields from the provider's contact, the per-status counts,
and contacts Switchboard added or imported before CCAI numbered them. Used by the syncs, the
contact use cases and the import; it calls no provider."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from dialer import statuses as st
from dialer.bulk import insert_many
from dialer.client import Campaign, Contact
from dialer.models import DialerCampaign, DialerContact, DialerStatusCount
from dialer.phones import loose_e164

CAMPAIGN_FIELDS = [
    "name",
    "campaign_type",
    "mode",
    "status",
    "max_redial_count",
    "redial_interval_minutes",
    "max_abandonment_percent",
    "target_number_to_process",
    "queue_name",
    "contact_stats",
    "created_at",
    "starts_at",
    "ends_at",
    "updated_at",
]
CONTACT_FIELDS = [
    "name",
    "email",
    "phone_number",
    "phone_e164",
    "outbound_number",
    "external_unique_id",
    "status",
    "priority",
    "created_at",
    "updated_at",
]


# --- Per-status counts ------------------------------------------------------------------------


def board_changed(campaign_id: int) -> None:
    """What the campaign's board shows (the campaign, its counts, its contacts) has changed:
    its version, the board's ETag, moves on."""
    DialerCampaign.objects.filter(pk=campaign_id).update(version=F("version") + 1)


def counts_set(campaign_id: int, counts: dict[str, int]) -> bool:
    """Replace a campaign's per-status counts (only the 21 documented statuses); whether they
    changed."""
    new = {name: int(counts.get(name) or 0) for name in st.STATUS_NAMES}
    old = dict(
        DialerStatusCount.objects.filter(campaign_id=campaign_id).values_list("status", "count")
    )
    if all(old.get(name) == n for name, n in new.items()):
        return False
    DialerStatusCount.objects.bulk_create(
        [DialerStatusCount(campaign_id=campaign_id, status=k, count=n) for k, n in new.items()],
        update_conflicts=True,
        unique_fields=["campaign", "status"],
        update_fields=["count"],
    )
    return True


def counts_recount(campaign_id: int) -> bool:
    counts = dict(
        DialerContact.objects.filter(campaign_id=campaign_id)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return counts_set(campaign_id, counts)


def count_bump(campaign_id: int, status: str, delta: int) -> None:
    if not delta:
        return
    updated = DialerStatusCount.objects.filter(campaign_id=campaign_id, status=status).update(
        count=F("count") + delta
    )
    if not updated:
        DialerStatusCount.objects.get_or_create(
            campaign_id=campaign_id, status=status, defaults={"count": max(0, delta)}
        )


# --- Campaigns --------------------------------------------------------------------------------


def campaign_upsert(data: Campaign) -> tuple[DialerCampaign, str]:
    """Store one campaign as the provider described it; returns (row, created|updated|same)."""
    values = {f: getattr(data, f) for f in CAMPAIGN_FIELDS}
    now = timezone.now()
    with transaction.atomic():
        campaign, created = DialerCampaign.objects.get_or_create(
            provider_id=data.id, defaults={**values, "synced_at": now}
        )
        outcome = "created"
        if not created:
            changed = [f for f in CAMPAIGN_FIELDS if getattr(campaign, f) != values[f]]
            for f in changed:
                setattr(campaign, f, values[f])
            campaign.synced_at = now
            campaign.save(update_fields=[*changed, "synced_at"])
            outcome = "updated" if changed else "same"
        recounted = bool(data.contact_stats) and counts_set(campaign.pk, data.contact_stats)
        if outcome != "same" or recounted:
            board_changed(campaign.pk)
            campaign.refresh_from_db(fields=["version"])
    return campaign, outcome


# --- Contacts ---------------------------------------------------------------------------------


def contact_values(c: Contact) -> dict:
    """The mirror's values for a contact the provider listed, in the order of CONTACT_FIELDS."""
    return {
        "name": c.name[:255],
        "email": c.email[:254],
        "phone_number": c.phone_number[:40],
        "phone_e164": loose_e164(c.phone_number)[:20],
        "outbound_number": c.outbound_number[:40],
        "external_unique_id": c.external_unique_id[:255],
        "status": c.status[:40] or st.UPCOMING,
        "priority": c.priority,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


PENDING_FIELDS = ["campaign", *CONTACT_FIELDS[:7], "created_at", "updated_at"]


def contacts_add_pending(
    campaign_id: int, rows: Iterable[Sequence[str]], *, at: datetime | None = None
) -> int:
    """Mirror contacts CCAI accepted without saying their ids (an add, an import): each row is
    (name, email, phone in E.164, outbound number, external id). They show on the board as
    Upcoming at once; the next contacts sync links them to their CCAI ids by phone. Returns
    how many were added, counted in the campaign's Upcoming count."""
    at = at or timezone.now()
    batch: list[tuple] = []
    added = 0
    for name, email, phone, outbound, external_id in rows:
        batch.append(
            (campaign_id, name, email, phone, phone, outbound, external_id, st.UPCOMING, at, at)
        )
        if len(batch) >= 2000:
            insert_many(DialerContact, PENDING_FIELDS, batch)
            added += len(batch)
            batch.clear()
    insert_many(DialerContact, PENDING_FIELDS, batch)
    added += len(batch)
    count_bump(campaign_id, st.UPCOMING, added)
    board_changed(campaign_id)
    return added
