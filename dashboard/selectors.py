from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from dashboard.models import AuditEvent, ProviderCall
from dashboard.providers import ProviderConfig


def audit_events(filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all()
    if filters.get("provider"):
        qs = qs.filter(provider=filters["provider"])
    if filters.get("outcome"):
        qs = qs.filter(outcome=filters["outcome"])
    if q := filters.get("q"):
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(object_label__icontains=q)
            | Q(object_id=q)
            | Q(action__icontains=q)
            | Q(object_type__icontains=q)
        )
    return qs


def overview_cards(user) -> list[dict[str, Any]]:
    """The overview's summary cards, one per area the user may see. Each app adds its own
    numbers through `overview_card()` in its selectors."""
    from campaigns import selectors as campaign_selectors
    from contacts import selectors as contact_selectors
    from dialer import selectors as dialer_selectors

    cards = []
    for perm, module in (
        ("dashboard.view_campaigns", campaign_selectors),
        ("dashboard.view_contacts", contact_selectors),
        ("dashboard.view_dialer", dialer_selectors),
    ):
        if user.has_perm(perm):
            cards.append(module.overview_card())
    return cards


def provider_statuses(configs: list[ProviderConfig]) -> list[dict[str, Any]]:
    since = timezone.now() - timedelta(hours=1)
    rows = []
    for config in configs:
        calls = ProviderCall.objects.filter(provider=config.name, at__gte=since)
        last_error = (
            ProviderCall.objects.filter(provider=config.name, ok=False).order_by("-at").first()
        )
        rows.append(
            {
                "config": config,
                "calls_last_hour": calls.count(),
                "errors_last_hour": calls.filter(ok=False).count(),
                "last_error": last_error,
            }
        )
    return rows
