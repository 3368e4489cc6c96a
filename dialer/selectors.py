from __future__ import annotations

from django.urls import reverse


def overview_card() -> dict:
    return {
        "title": "Dialer",
        "provider": "CCAI Platform",
        "url": reverse("dialer:list"),
        "stats": [],
    }
