from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMinute, TruncSecond
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dashboard.models import AuditEvent, ProviderCall, SyncState
from dashboard.providers import ProviderConfig
from dashboard.roles import viewable_providers


def audit_events(user, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The audit lines `user` may read: those of the providers whose objects the user may see
    (all of them for a superuser), narrowed by `filters`."""
    qs = AuditEvent.objects.all()
    if not user.is_superuser:
        qs = qs.filter(provider__in=viewable_providers(user))
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


OVERVIEW_CARD_SECONDS = 15


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
            cards.append(_shared(f"card:{module.__name__}", module.overview_card))
    return cards


def _shared(key: str, compute: Callable[[], Any]) -> Any:
    """What the overview shows everyone, worked out once for all every few seconds (the
    mirrors it reads move with syncs, minutes apart), in each language."""
    key = f"overview:{key}:{get_language()}"
    return cache.get_or_set(key, compute, OVERVIEW_CARD_SECONDS)


# Documented limits: CCAI 10 calls/s per customer; EngageLab 60 calls/min on its statistics
# endpoint (taken as the account's pace); Dialog Insight documents a quota per key, no rate.
RATE_LIMITS = {"ccai": (10, "second"), "engagelab": (60, "minute")}


def latest_sendings(user, limit: int = 5) -> list[dict[str, Any]]:
    """The latest sendings the user may see, both email providers, newest first: EngageLab
    campaigns (from the statistics buckets) and Dialog Insight mailings (from the mirror),
    each read once for everyone every few seconds, like the cards."""
    from campaigns.selectors import latest_campaign_numbers
    from contacts.selectors import latest_mailings

    rows: list[dict[str, Any]] = []
    if user.has_perm("dashboard.view_campaigns"):
        rows += _shared(f"campaigns:{limit}", lambda: latest_campaign_numbers(limit))
    if user.has_perm("dashboard.view_contacts"):
        rows += _shared(f"mailings:{limit}", lambda: _mailing_rows(latest_mailings(limit)))
    epoch = datetime.min.replace(tzinfo=UTC)
    rows.sort(key=lambda r: r["launched"] or epoch, reverse=True)
    return rows[: limit * 2]


def _mailing_rows(mailings) -> list[dict[str, Any]]:
    """A mailing whose statistics were never read has no numbers ("—"), not zeros."""
    numbers = ("sent", "delivered", "unique_opens", "unique_clicks", "open_rate", "click_rate")
    return [
        {
            "provider": "Dialog Insight",
            "name": m.message_name or _("Mailing #%(id)s") % {"id": m.provider_id},
            "url": reverse("contacts:mailing_detail", args=[m.provider_id]),
            "launched": m.launch_at,
            **{f: getattr(m, f) if m.stats_at else None for f in numbers},
        }
        for m in mailings
    ]


def provider_statuses(configs: list[ProviderConfig]) -> list[dict[str, Any]]:
    from dashboard import capabilities

    unpublished = capabilities.statuses()
    since = timezone.now() - timedelta(hours=1)
    states = {}
    for state in SyncState.objects.order_by("object_type"):
        states.setdefault(state.provider, []).append(state)
    rows = []
    for config in configs:
        calls = ProviderCall.objects.filter(provider=config.name, at__gte=since)
        totals = calls.aggregate(
            total=Count("id"), errors=Count("id", filter=Q(ok=False)), slowest=Max("duration_ms")
        )
        last_error = (
            ProviderCall.objects.filter(provider=config.name, ok=False).order_by("-at").first()
        )
        limit = RATE_LIMITS.get(config.name)
        peak = None
        if limit:
            trunc = TruncSecond("at") if limit[1] == "second" else TruncMinute("at")
            busiest = (
                calls.annotate(slot=trunc)
                .values("slot")
                .annotate(n=Count("id"))
                .order_by("-n")
                .first()
            )
            peak = {"calls": busiest["n"] if busiest else 0, "limit": limit[0], "per": limit[1]}
        rows.append(
            {
                "config": config,
                "calls_last_hour": totals["total"],
                "errors_last_hour": totals["errors"],
                "slowest_ms": totals["slowest"],
                "peak": peak,
                "last_error": last_error,
                "syncs": states.get(config.name, []),
                "unpublished": unpublished.get(config.name, []),
            }
        )
    return rows
