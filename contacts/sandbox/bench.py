"""`make bench` for Dialog Insight's sandbox: the emulated project holding 50,000 × scale
contacts, the first of them with a history of 60 mailings, for the product's pages that ask the
provider (search, detail; see contacts/bench.py)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

CONTACTS_PER_SCALE = 50_000


def seed(scale: int) -> None:
    from contacts.sandbox.models import (
        SandboxBatch,
        SandboxContact,
        SandboxDelivery,
        SandboxMessage,
    )
    from contacts.sandbox.rules import ensure_project

    rng = random.Random(7)
    now = timezone.now()
    project = ensure_project()
    cities = ["Montréal", "Québec", "Laval", "Gatineau", "Sherbrooke", "Toronto"]
    names = ["Claire", "Marc", "Sophie", "Louis", "Emma", "Noah", "Léa", "Hugo", "Zoé", "Adam"]
    batch = []
    for i in range(CONTACTS_PER_SCALE * scale):
        email = f"{rng.choice(names).lower()}.{i}@bench.example"
        batch.append(
            SandboxContact(
                project=project,
                key=email,
                data={
                    "EMail": email,
                    "FirstName": rng.choice(names),
                    "LastName": f"Person{i}",
                    "City": rng.choice(cities),
                    "LoyaltyPoints": str(rng.randint(0, 5000)),
                },
                optins={"Newsletter": {"v": "1" if i % 3 else "0", "at": "2024.01.01 00:00:00"}},
            )
        )
        if len(batch) == 5000:
            SandboxContact.objects.bulk_create(batch)
            batch = []
    SandboxContact.objects.bulk_create(batch)
    # A contact with a long mailing history for the detail page.
    message = SandboxMessage.objects.create(
        project=project, name="Bench newsletter", subject="S", sender="b@bench.example"
    )
    first = SandboxContact.objects.filter(project=project).order_by("pk").first()
    for n in range(60):
        sent = now - timedelta(days=n)
        b = SandboxBatch.objects.create(
            project=project, message=message, mode="All", launch_at=sent, status="Sent"
        )
        SandboxDelivery.objects.create(batch=b, contact=first, sent_at=sent, opened_at=sent)
