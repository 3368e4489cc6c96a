"""`make bench`: what each page costs at scale. Each app may provide `<app>/bench.py` with
`seed(scale: int) -> None` (synthetic mirror rows) and `pages() -> list[tuple[str, str]]`
((label, URL) pairs to measure once seeded). The dashboard's own pages are here."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from dashboard.models import AuditEvent


def seed(scale: int) -> None:
    now = timezone.now()
    providers = ["engagelab", "dialoginsight", "ccai"]
    actions = ["created", "updated", "deleted", "imported", "sent"]
    rng = random.Random(1)
    batch = []
    for i in range(50_000 * scale):
        batch.append(
            AuditEvent(
                username=f"user{i % 40}",
                provider=providers[i % 3],
                object_type="contact",
                object_id=str(i),
                object_label=f"Object {i}",
                action=rng.choice(actions),
                outcome="ok" if i % 17 else "error",
            )
        )
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    AuditEvent.objects.update(at=now - timedelta(minutes=1))


def pages() -> list[tuple[str, str]]:
    return [
        ("Overview", "/"),
        ("Audit log", "/audit/"),
        ("Audit log, filtered", "/audit/?provider=ccai&outcome=error"),
        ("Audit log, search", "/audit/?q=Object+4242"),
        ("Audit log, page 100", "/audit/?page=100"),
        ("Providers", "/providers/"),
        ("Health /readyz", "/readyz"),
    ]
