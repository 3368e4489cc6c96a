"""Mirror syncs for Dialog Insight: the project definition (so forms and labels never call the
provider), segments, messages, and mailings with their statistics (the Mailings page and the
overview). Each job upserts by provider id in one transaction and removes only rows absent
from a complete listing that were synced before it was asked for (`upsert_mirror`), so
overlapping runs, or a save from Switchboard meanwhile, leave the mirror as one run would."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from contacts import nomenclature
from contacts.client import DialogInsightClient
from contacts.models import Mailing, MailingSnapshot, Message, ProjectField, Segment
from dashboard.capabilities import Unavailable
from dashboard.providers import ProviderError
from dashboard.sync import SyncResult, upsert_mirror

# Statistics keep moving for a while after a sending; older mailings are left as last seen.
STATISTICS_WINDOW = timedelta(days=30)


def sync_project(client: DialogInsightClient | None = None) -> SyncResult:
    started = timezone.now()
    project = (client or DialogInsightClient()).project_get()
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for position, f in enumerate(project.fields):
        wanted[(ProjectField.Kind.FIELD, f.code)] = {
            "label": f.label,
            "data_type": f.data_type,
            "required": f.required,
            "is_key": f.code == nomenclature.PROJECT_KEY_CODE,
            "position": position,
        }
    for position, o in enumerate(project.optins):
        wanted[(ProjectField.Kind.OPTIN, o.code)] = {
            "label": o.label,
            "data_type": nomenclature.BOOLEAN,
            "required": False,
            "is_key": False,
            "position": position,
        }
    return upsert_mirror(
        ProjectField,
        wanted,
        result=SyncResult(gettext_noop("project fields")),
        key=("kind", "code"),
        listed_at=started,
    )


def _unpublished_listing(
    model: type[models.Model],
    object_type: str,
    listing: Callable[[], Iterable[Any]],
    values: Callable[[Any], dict[str, Any]],
) -> SyncResult:
    """Mirror a listing an account may not have: without it, the rows saved from Switchboard
    stay as they were, and the result says why nothing was listed."""
    started = timezone.now()
    try:
        items = listing()
    except Unavailable as error:
        return SyncResult(object_type, errors=[str(error)])
    rows = {item.id: values(item) for item in items}
    return upsert_mirror(model, rows, result=SyncResult(object_type), listed_at=started)


def sync_segments(client: DialogInsightClient | None = None) -> SyncResult:
    """Segments as Dialog Insight lists them."""
    return _unpublished_listing(
        Segment,
        gettext_noop("segments"),
        (client or DialogInsightClient()).segment_list,
        lambda s: {"name": s.name, "is_dynamic": s.is_dynamic, "clause": s.clause},
    )


def sync_messages(client: DialogInsightClient | None = None) -> SyncResult:
    """Messages as Dialog Insight lists them."""
    return _unpublished_listing(
        Message,
        gettext_noop("messages"),
        (client or DialogInsightClient()).message_list,
        lambda m: {
            "name": m.name,
            "subject": m.subject,
            "sender": m.sender,
            "parameters": m.parameters,
        },
    )


def sync_mailings(client: DialogInsightClient | None = None) -> SyncResult:
    client = client or DialogInsightClient()
    started = timezone.now()
    mailings = client.mailing_list()
    names = dict(Segment.objects.values_list("provider_id", "name"))
    rows: dict[int, dict[str, Any]] = {}
    for m in mailings:
        if m.mode == "All":
            audience = "Everyone"
        elif m.mode == "Single":
            audience = "One contact (triggered)"
        else:
            audience = ", ".join(names.get(i, f"Segment #{i}") for i in m.segment_ids)
        rows[m.id] = {
            "message_id": m.message_id,
            "message_name": m.message_name,
            "mode": m.mode,
            "audience": audience[:300],
            "segment_ids": m.segment_ids,
            "launch_at": m.launch_at,
            "status": m.status,
            "target_count": m.target_count,
        }
    result = upsert_mirror(
        Mailing, rows, result=SyncResult(gettext_noop("mailings")), listed_at=started
    )
    # Statistics of recent sent mailings (reads, one call each; old ones stay as last seen).
    since = timezone.now() - STATISTICS_WINDOW
    recent = Mailing.objects.filter(status__in=["Sent", "Sending"]).filter(
        models.Q(launch_at__gte=since) | models.Q(stats_at__isnull=True)
    )
    fields = ("sent", "delivered", "unique_opens", "unique_clicks")
    for mailing in recent.only("pk", "provider_id", *fields):
        try:
            s = client.mailing_statistics_get(mailing.provider_id)
        except Unavailable as error:  # the mailings are listed all the same, without numbers
            result.errors.append(str(error))
            break
        except ProviderError as error:
            # The listing above is stored: the refresh did that much. The mailings not read
            # keep their last numbers, and the provider is not asked again for the others.
            note = gettext("The statistics of mailing #%(id)s were not read: %(error)s")
            result.errors.append(note % {"id": mailing.provider_id, "error": error})
            break
        now = timezone.now()
        with transaction.atomic():
            Mailing.objects.filter(pk=mailing.pk).update(
                sent=s.sent,
                delivered=s.delivered,
                opens=s.opens,
                unique_opens=s.unique_opens,
                clicks=s.clicks,
                unique_clicks=s.unique_clicks,
                bounces=s.bounces,
                unsubscribes=s.unsubscribes,
                stats_at=now,
            )
            if any(getattr(mailing, f) != getattr(s, f) for f in fields):
                MailingSnapshot.objects.create(
                    mailing_id=mailing.pk, at=now, **{f: getattr(s, f) for f in fields}
                )
    return result


SYNC_JOBS = [
    ("project", sync_project),
    ("segments", sync_segments),
    ("messages", sync_messages),
    ("mailings", sync_mailings),
]
