from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from contacts.models import BulkSync, Mailing, ProjectField, Segment


def project_fields() -> list[ProjectField]:
    """The project's fields then opt-ins, from the mirror."""
    return list(ProjectField.objects.order_by("kind", "position", "code"))


def field_labels() -> dict[str, str]:
    return dict(ProjectField.objects.values_list("code", "label"))


def segments():
    return Segment.objects.all()


def mailings(*, status: str = "", mode: str = "", q: str = ""):
    qs = Mailing.objects.all()
    if status:
        qs = qs.filter(status=status)
    if mode == "batch":
        qs = qs.exclude(mode="Single")
    elif mode:
        qs = qs.filter(mode=mode)
    if q:
        qs = qs.filter(Q(message_name__icontains=q) | Q(audience__icontains=q))
    return qs


def bulk_syncs():
    return BulkSync.objects.select_related("user")[:20]


def latest_mailings(limit: int = 5) -> list[Mailing]:
    """The latest sent batch mailings with their rates: what the overview's analytics show
    beside EngageLab's campaigns."""
    return list(
        Mailing.objects.filter(status="Sent").exclude(mode="Single").order_by("-launch_at")[:limit]
    )


def overview_card() -> dict:
    recent = Mailing.objects.filter(status="Sent").exclude(mode="Single").order_by("-launch_at")
    latest = recent.first()
    totals = Mailing.objects.aggregate(
        scheduled=Count("pk", filter=Q(status="Scheduled")),
    )
    stats: list[tuple[str, object]] = [
        ("Segments", Segment.objects.count()),
        ("Scheduled mailings", totals["scheduled"]),
    ]
    if latest is not None:
        rate = latest.open_rate
        stats.append(("Latest mailing", latest.message_name))
        stats.append(("Its open rate", f"{rate:.0%}" if rate is not None else "—"))
    return {
        "title": "Contacts",
        "provider": "Dialog Insight",
        "url": reverse("contacts:search"),
        "stats": stats,
    }
