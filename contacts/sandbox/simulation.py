"""Dialog Insight's sendings, emulated: a batch goes out at its launch time to its audience,
and each delivery carries seeded opens and clicks that arrive over the following hours."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from contacts.sandbox.models import SandboxBatch, SandboxContact, SandboxDelivery, SandboxProject
from contacts.sandbox.rules import contacts_matching


def audience(project: SandboxProject, batch: SandboxBatch) -> QuerySet[SandboxContact]:
    if batch.mode == "Single":
        return project.contacts.filter(pk=batch.id_contact)
    if batch.mode == "All":
        return project.contacts.all()
    ids: set[int] = set()
    for id_filter in batch.filter_ids:
        ids |= set(contacts_matching(project, None, id_filter).values_list("pk", flat=True))
    return project.contacts.filter(pk__in=ids)


def _deliver(batch: SandboxBatch, contacts: QuerySet[SandboxContact]) -> int:
    """Create each contact's delivery with its (seeded) future opens and clicks."""
    rows = []
    for contact_id in contacts.values_list("pk", flat=True):
        rng = random.Random(f"{batch.pk}:{contact_id}")
        delivered = rng.random() < 0.96
        opened_at = clicked_at = None
        opens = clicks = 0
        if delivered and rng.random() < 0.45:
            opened_at = batch.launch_at + dt.timedelta(minutes=rng.randint(1, 240))
            opens = rng.randint(1, 3)
            if rng.random() < 0.35:
                clicked_at = opened_at + dt.timedelta(minutes=rng.randint(1, 60))
                clicks = rng.randint(1, 2)
        rows.append(
            SandboxDelivery(
                batch=batch,
                contact_id=contact_id,
                sent_at=batch.launch_at,
                delivered=delivered,
                unsubscribed=delivered and rng.random() < 0.01,
                opened_at=opened_at,
                clicked_at=clicked_at,
                opens=opens,
                clicks=clicks,
            )
        )
    SandboxDelivery.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def process_due(project: SandboxProject | None = None, now: dt.datetime | None = None) -> int:
    """Launch every scheduled batch whose time has come (the simulated sending)."""
    now = now or timezone.now()
    qs = SandboxBatch.objects.filter(status="Scheduled", launch_at__lte=now)
    if project is not None:
        qs = qs.filter(project=project)
    launched = 0
    for batch_id in list(qs.values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = SandboxBatch.objects.filter(pk=batch_id, status="Scheduled").update(
                status="Sending"
            )
            if not claimed:
                continue
            batch = SandboxBatch.objects.select_related("project").get(pk=batch_id)
            batch.target_count = _deliver(batch, audience(batch.project, batch))
            batch.status = "Sent"
            batch.save(update_fields=["status", "target_count"])
            launched += 1
    return launched
