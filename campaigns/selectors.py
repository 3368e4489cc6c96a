from __future__ import annotations

from django.urls import reverse


def overview_card() -> dict:
    return {
        "title": "Campaigns",
        "provider": "EngageLab",
        "url": reverse("campaigns:list"),
        "stats": [],
    }
