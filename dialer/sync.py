"""Keeping the dialer mirror current: campaigns (with the provider's per-status counts) and
each campaign's contacts. Safe when two runs overlap: upserts by provider id in a transaction,
removals only of rows absent from a complete listing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dashboard.sync import SyncResult
from dialer import statuses as st
from dialer.bulk import update_many
from dialer.client import CCAIClient
from dialer.mirror import (
    CONTACT_FIELDS,
    board_changed,
    campaign_upsert,
    contact_values,
    counts_recount,
)
from dialer.models import DialerCampaign, DialerContact


def sync_campaigns(client: CCAIClient | None = None) -> SyncResult:
    client = client or CCAIClient()
    listing = client.campaign_list()
    result = SyncResult("campaigns")
    for data in listing:
        _, outcome = campaign_upsert(data)
        if outcome == "created":
            result.created += 1
        elif outcome == "updated":
            result.updated += 1
        else:
            result.unchanged += 1
    seen = {c.id for c in listing}
    with transaction.atomic():
        _, per_model = DialerCampaign.objects.exclude(provider_id__in=seen).delete()
    # `delete()` counts cascaded rows too; report campaigns only.
    result.removed = per_model.get(DialerCampaign._meta.label, 0)
    return result


UPDATE_FIELDS = [*CONTACT_FIELDS, "provider_id", "synced_at"]


def sync_campaign_contacts(
    campaign: DialerCampaign, client: CCAIClient | None = None
) -> SyncResult:
    """Mirror one campaign's complete contact listing, read as a stream and compared with the
    mirror row by row, in one transaction."""
    client = client or CCAIClient()
    started = timezone.now()
    result = SyncResult("contacts")
    fields = ["pk", "provider_id", *CONTACT_FIELDS]
    with transaction.atomic():
        # Only a hash of each row's values is kept to compare: a few dozen bytes a contact.
        existing: dict[int, tuple[int, int]] = {}
        pending: dict[str, int] = {}
        for row in (
            DialerContact.objects.filter(campaign=campaign).values_list(*fields).iterator(5000)
        ):
            pk, provider_id, *values = row
            if provider_id is None:
                pending.setdefault(values[CONTACT_FIELDS.index("phone_e164")], pk)
            else:
                existing[provider_id] = (pk, hash(tuple(values)))
        pending_created = dict(
            DialerContact.objects.filter(campaign=campaign, provider_id=None).values_list(
                "pk", "created_at"
            )
        )
        seen: set[int] = set()
        to_create: list[DialerContact] = []
        to_update: list[tuple] = []  # UPDATE_FIELDS' values, then the primary key
        now = timezone.now()

        def flush() -> None:
            DialerContact.objects.bulk_create(to_create, batch_size=2000, ignore_conflicts=True)
            update_many(DialerContact, UPDATE_FIELDS, to_update)
            to_create.clear()
            to_update.clear()

        for contact in client.contact_iter(campaign.provider_id):
            if contact.id is None or contact.id in seen:
                continue
            seen.add(contact.id)
            values = contact_values(contact)
            known = existing.get(contact.id)
            if known is None and values["phone_e164"] in pending:
                # A contact Switchboard added or imported: now we know its CCAI id.
                pk = pending.pop(values["phone_e164"])
                to_update.append((*(values[f] for f in CONTACT_FIELDS), contact.id, now, pk))
                result.updated += 1
            elif known is None:
                to_create.append(
                    DialerContact(
                        campaign=campaign, provider_id=contact.id, synced_at=now, **values
                    )
                )
                result.created += 1
            elif known[1] != hash(tuple(values[f] for f in CONTACT_FIELDS)):
                to_update.append((*(values[f] for f in CONTACT_FIELDS), contact.id, now, known[0]))
                result.updated += 1
            else:
                result.unchanged += 1
            if len(to_create) + len(to_update) >= 5000:
                flush()
        flush()
        gone = [pk for provider_id, (pk, _) in existing.items() if provider_id not in seen]
        # Rows added by Switchboard after the listing was asked for may not be in it yet.
        gone += [
            pk
            for pk in pending.values()
            if pending_created.get(pk) and pending_created[pk] < started
        ]
        for i in range(0, len(gone), 2000):
            DialerContact.objects.filter(pk__in=gone[i : i + 2000]).delete()
        result.removed = len(gone)
        recounted = counts_recount(campaign.pk)
        DialerCampaign.objects.filter(pk=campaign.pk).update(contacts_synced_at=now)
        if recounted or result.created or result.updated or result.removed:
            board_changed(campaign.pk)
    return result


def sync_contacts(client: CCAIClient | None = None) -> SyncResult:
    client = client or CCAIClient()
    total = SyncResult("contacts")
    for campaign in DialerCampaign.objects.all():
        one = sync_campaign_contacts(campaign, client)
        total.created += one.created
        total.updated += one.updated
        total.removed += one.removed
        total.unchanged += one.unchanged
    return total


def sync_running(client: CCAIClient | None = None) -> int:
    """What live boards show, every few seconds: the campaign list first (one call carrying
    every campaign's status and per-status counts: a campaign started at CCAI is noticed
    here), then the contacts of the campaigns being dialled, fetched less often the bigger the
    campaign (every 5 s up to 10,000 contacts, every 100 s at 200,000), to stay a small share of
    the provider's 10 calls a second. Returns how many campaigns are being dialled."""
    client = client or CCAIClient()
    sync_campaigns(client)
    dialling = 0
    now = timezone.now()
    for campaign in DialerCampaign.objects.filter(status__in=DialerCampaign.RUNNING):
        total = sum(
            int(v or 0) for k, v in campaign.contact_stats.items() if k in st.STATUS_BY_NAME
        )
        every = max(5.0, total / 2000)
        last = campaign.contacts_synced_at
        if last is None or (now - last).total_seconds() >= every - 0.5:
            sync_campaign_contacts(campaign, client)
        dialling += 1
    return dialling


SYNC_JOBS = [("campaigns", sync_campaigns), ("contacts", sync_contacts)]
# The full mirror is refreshed by the dashboard's periodic sync of every SYNC_JOBS entry; every
# campaign's status (a start is noticed within seconds), the running campaigns' contacts (what
# live boards show) and the imports being followed are polled closely.
PERIODIC = [
    ("dialer.tasks.sync_running_campaigns", 5),
    ("dialer.tasks.poll_imports", 5),
    ("dialer.tasks.clean_imports", 3600),
]
