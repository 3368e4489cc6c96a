from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy

from contacts.client import DialogInsightClient
from contacts.models import (
    ContactImport,
    Mailing,
    MailingSnapshot,
    Message,
    ProjectField,
    RecentContact,
    Segment,
)
from dashboard import capabilities
from dashboard.models import AuditEvent
from dashboard.numbers import rate as format_rate


def project_fields() -> list[ProjectField]:
    """The project's fields then opt-ins, from the mirror."""
    return list(ProjectField.objects.order_by("kind", "position", "code"))


def field_labels() -> dict[str, str]:
    return dict(ProjectField.objects.values_list("code", "label"))


def segments():
    return Segment.objects.all()


def unavailable(*names: str) -> list[str]:
    """For each of these unpublished Dialog Insight calls (see contacts/client.py) this
    account is known to refuse, the sentence its page shows where the feature would be."""
    notes = (capabilities.unavailable_sentence(DialogInsightClient.UNPUBLISHED[n]) for n in names)
    return [note for note in notes if note]


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


# The audit log keeps what was done to a contact in English; its page says it in the reader's.
ACTIONS = {
    "created": pgettext_lazy("contact change", "created"),
    "updated": pgettext_lazy("contact change", "updated"),
    "subscribed": pgettext_lazy("contact change", "subscribed"),
    "unsubscribed": pgettext_lazy("contact change", "unsubscribed"),
    "deleted": pgettext_lazy("contact change", "deleted"),
    "sent message": pgettext_lazy("contact change", "sent message"),
}
DETAILS = {"from every opt-in": pgettext_lazy("contact change", "from every opt-in")}


def _detail_label(detail: str) -> str:
    mailing = detail.removeprefix("mailing #")
    if mailing != detail and mailing.isdigit():
        return gettext("mailing #%(id)s") % {"id": mailing}
    return str(DETAILS.get(detail, detail))


def contact_activity(contact_id: int, limit: int = 10):
    """What Switchboard's users did to this contact (the audit log), newest first, each with
    its action and detail as the page says them (`action_label`, `detail_label`)."""
    events = list(
        AuditEvent.objects.filter(
            provider="dialoginsight", object_type="contact", object_id=str(contact_id)
        )[:limit]
    )
    for event in events:
        event.action_label = str(ACTIONS.get(event.action, event.action))
        event.detail_label = _detail_label(event.detail) if event.outcome == "ok" else event.detail
    return events


def messages():
    return list(Message.objects.all())


def recent_contacts():
    """The contacts Switchboard changed lately, newest first (its own record, see
    contacts/mirror.py)."""
    return RecentContact.objects.all()


def comparisons_unavailable() -> list[str]:
    """Why the builder offers no comparison of numbers and dates, when this account refused
    them."""
    return unavailable("clause_comparison")


def recent_imports():
    return ContactImport.objects.select_related("user")[:20]


def latest_mailings(limit: int = 5) -> list[Mailing]:
    """The latest sent batch mailings with their rates: what the overview's analytics show
    beside EngageLab's campaigns."""
    return list(
        Mailing.objects.filter(status="Sent").exclude(mode="Single").order_by("-launch_at")[:limit]
    )


def mailing_series(mailing_ids: list[int]) -> dict[int, list[tuple]]:
    """{mailing pk: [(at, delivered, unique opens, unique clicks), ...]} for charts."""
    series: dict[int, list[tuple]] = {pk: [] for pk in mailing_ids}
    rows = MailingSnapshot.objects.filter(mailing_id__in=mailing_ids).values_list(
        "mailing_id", "at", "delivered", "unique_opens", "unique_clicks"
    )
    for mailing_id, *point in rows:
        series[mailing_id].append(tuple(point))
    return series


def overview_card() -> dict:
    """Counts from the mirror only (indexed, a handful of rows)."""
    since = timezone.now() - timedelta(days=30)
    sent = Mailing.objects.filter(status="Sent").exclude(mode="Single")
    latest = sent.order_by("-launch_at").first()
    rate = latest.open_rate if latest else None
    return {
        "title": gettext("Contacts"),
        "provider": "Dialog Insight",
        "url": reverse("contacts:contact_search"),
        "stats": [
            (gettext("Segments"), Segment.objects.count()),
            (gettext("Scheduled mailings"), Mailing.objects.filter(status="Scheduled").count()),
            (gettext("Sent in 30 days"), sent.filter(launch_at__gte=since).count()),
            (gettext("Latest open rate"), format_rate(rate, 0)),
        ],
    }
