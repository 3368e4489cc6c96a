"""Demo data for Dialog Insight's sandbox: the standard project, ~200 contacts, 3 segments,
messages and a few mailings (two sent with their opens and clicks, one scheduled)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from contacts import nomenclature
from contacts.sandbox.models import SandboxBatch, SandboxContact, SandboxFilter, SandboxMessage
from contacts.sandbox.rules import ensure_project
from contacts.sandbox.simulation import audience, process_due

FIRST = [
    "Claire",
    "Marc",
    "Sophie",
    "Louis",
    "Emma",
    "Noah",
    "Chloé",
    "Liam",
    "Léa",
    "Gabriel",
    "Alice",
    "Thomas",
    "Camille",
    "Hugo",
    "Zoé",
    "Jacob",
    "Maya",
    "Félix",
    "Rosalie",
    "Adam",
]
LAST = [
    "Brown",
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Smith",
    "Martin",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Bergeron",
]
CITIES = ["Montréal", "Québec", "Laval", "Gatineau", "Sherbrooke", "Toronto", "Ottawa"]
SEGMENTS = [
    ("Montréal customers", nomenclature.field_clause("City", "Equal", "Montréal")),
    (
        "Newsletter subscribers",
        {
            "$type": "FieldClause",
            "Field": {"Name": nomenclature.optin_name("Newsletter")},
            "TypeOperator": "Equal",
            "ComparisonValue": "1",
        },
    ),
    (
        "Québec or Laval",
        nomenclature.combine(
            "OR",
            [
                nomenclature.field_clause("City", "Equal", "Québec"),
                nomenclature.field_clause("City", "Equal", "Laval"),
            ],
        ),
    ),
]
MESSAGES = [
    ("Spring newsletter", "What's new this spring", "<p>Hello!</p>", []),
    ("Summer promotions", "20% off this weekend", "<p>Our summer deals</p>", []),
    (
        "Abandoned cart reminder",
        "You left something behind",
        "<a href='[[CartUrl]]'>Cart</a>",
        ["CartUrl"],
    ),
    ("Welcome", "Welcome aboard", "<p>Welcome!</p>", []),
]


def seed() -> str:
    project = ensure_project()
    rng = random.Random(5)
    now = timezone.now()
    with transaction.atomic():
        existing = set(project.contacts.values_list("key", flat=True))
        new = []
        for i in range(200):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = f"{first}.{last}{i}@example.com".lower()
            email = email.translate(str.maketrans("éèôçë", "eeoce"))
            stamp = nomenclature.to_provider_datetime(now - timedelta(days=rng.randint(1, 400)))
            birth = now.date() - timedelta(days=rng.randint(18 * 365, 75 * 365))
            city, points = rng.choice(CITIES), str(rng.randint(0, 5000))
            newsletter, promotions = rng.random() < 0.6, rng.random() < 0.35
            if email in existing:
                continue  # after the draws, so that a second run makes the same people
            new.append(
                SandboxContact(
                    project=project,
                    key=email,
                    data={
                        "EMail": email,
                        "FirstName": first,
                        "LastName": last,
                        "City": city,
                        "BirthDate": nomenclature.to_provider_date(birth),
                        "LoyaltyPoints": points,
                    },
                    optins={
                        "Newsletter": {"v": "1" if newsletter else "0", "at": stamp},
                        "Promotions": {"v": "1" if promotions else "0", "at": stamp},
                    },
                )
            )
        SandboxContact.objects.bulk_create(new)
        filters = {}
        for name, clause in SEGMENTS:
            filters[name], _ = SandboxFilter.objects.get_or_create(
                project=project, name=name, defaults={"clause": clause}
            )
        messages = {}
        for name, subject, html, params in MESSAGES:
            messages[name], _ = SandboxMessage.objects.get_or_create(
                project=project,
                name=name,
                defaults={
                    "subject": subject,
                    "sender": "news@switchboard.example",
                    "html": html,
                    "parameters": params,
                },
            )
        if not project.batches.exists():
            plan = [
                ("Spring newsletter", "idFilters", [filters["Newsletter subscribers"].pk], -12),
                ("Summer promotions", "All", [], -3),
                ("Spring newsletter", "idFilters", [filters["Montréal customers"].pk], -0.1),
                ("Summer promotions", "idFilters", [filters["Québec or Laval"].pk], 2),
            ]
            for name, mode, filter_ids, days in plan:
                batch = SandboxBatch.objects.create(
                    project=project,
                    message=messages[name],
                    mode=mode,
                    filter_ids=filter_ids,
                    launch_at=now + timedelta(days=days),
                )
                batch.target_count = audience(project, batch).count()
                batch.save(update_fields=["target_count"])
    process_due(project, now)
    return (
        f"Dialog Insight sandbox: {project.contacts.count()} contacts, "
        f"{project.filters.count()} segments, {project.batches.count()} mailings"
    )
