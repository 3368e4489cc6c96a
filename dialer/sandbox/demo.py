"""Demo data for the CCAI sandbox: a few campaigns with a few hundred contacts, one of them
dialling so that its board moves while the demo runs."""

from __future__ import annotations

import random
from datetime import timedelta

import phonenumbers
from django.db import transaction
from django.utils import timezone

from dialer import statuses as st
from dialer.sandbox.models import SandboxCampaign, SandboxContact
from dialer.sandbox.rules import phone_key

FIRST = [
    "Ana",
    "Bo",
    "Chloé",
    "Daniel",
    "Emma",
    "Farid",
    "Gabriel",
    "Hana",
    "Ivan",
    "Jade",
    "Karim",
    "Léa",
    "Malik",
    "Nora",
    "Omar",
    "Paul",
    "Rosa",
    "Sami",
    "Théo",
    "Yara",
]
LAST = [
    "Lima",
    "Chen",
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Nguyen",
    "Diallo",
    "Martin",
    "Haddad",
    "Singh",
    "Moreau",
    "Okafor",
    "Leblanc",
]
AREAS = ["514", "438", "450", "416", "647", "613", "212", "415"]


def phones(rng: random.Random, count: int) -> list[str]:
    """Distinct valid North American numbers, loosely formatted like the contract's examples."""
    found: list[str] = []
    seen: set[str] = set()
    while len(found) < count:
        area = rng.choice(AREAS)
        number = f"+1{area}{rng.randint(2, 9)}{rng.randint(0, 99):02d}{rng.randint(1, 9999):04d}"
        if number in seen or not phonenumbers.is_valid_number(phonenumbers.parse(number)):
            continue
        seen.add(number)
        found.append(f"+1 {number[2:5]}-{number[5:8]}-{number[8:]}")
    return found


CAMPAIGNS = [
    # name, mode, status, contacts, how statuses are spread
    ("Spring renewals", "progressive", "dialing", 240, "fresh"),
    ("Win-back Q4", "predictive", "completed", 180, "finished"),
    ("VIP callbacks", "preview", "paused", 60, "mixed"),
    ("Summer promo", "progressive", "created", 30, "fresh"),
]


def _status(rng: random.Random, spread: str) -> str:
    if spread == "fresh":
        return st.UPCOMING
    if spread == "finished":
        weights = {s.name: 1 for s in st.STATUSES}
        weights.update({st.FINISHED: 30, st.TRANSFERRED_FINISHED: 8, st.NOT_PICKED_UP: 12})
        for live in (st.UPCOMING, st.DIALING, st.QUEUED, st.CONNECTED, st.TRANSFERRED):
            weights[live] = 0
    else:
        weights = {s.name: 2 for s in st.STATUSES}
        weights.update({st.UPCOMING: 20, st.FINISHED: 10})
    names, w = zip(*weights.items(), strict=True)
    return rng.choices(names, w)[0]


def seed() -> str:
    rng = random.Random(20261126)
    created = 0
    now = timezone.now()
    with transaction.atomic():
        for name, mode, status, count, spread in CAMPAIGNS:
            if SandboxCampaign.objects.filter(name=name).exists():
                continue
            campaign = SandboxCampaign.objects.create(
                name=name,
                mode=mode,
                status=status,
                max_redial_count=2,
                queue_name="Outbound retention" if mode == "predictive" else "Outbound sales",
                starts_at=now - timedelta(days=rng.randint(1, 20)),
                target_number_to_process=count,
            )
            rows = []
            for i, phone in enumerate(phones(rng, count)):
                person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                rows.append(
                    SandboxContact(
                        campaign=campaign,
                        name=person,
                        email=f"{person.split()[0].lower()}.{i}@example.com",
                        phone_number=phone,
                        phone_key=phone_key(phone),
                        external_unique_id=f"CRM-{campaign.pk}{i:04d}",
                        status=_status(rng, spread),
                    )
                )
            SandboxContact.objects.bulk_create(rows)
            created += 1
    total = SandboxContact.objects.count()
    return (
        f"CCAI dialer sandbox: {SandboxCampaign.objects.count()} campaigns ({created} new), "
        f"{total} contacts; “Spring renewals” is dialling."
    )
