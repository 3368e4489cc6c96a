from __future__ import annotations

from django.urls import reverse


def overview_card() -> dict:
    return {
        "title": "Contacts",
        "provider": "Dialog Insight",
        "url": reverse("contacts:search"),
        "stats": [],
    }
