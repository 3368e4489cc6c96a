"""Mirror syncs for Dialog Insight: the project definition (so forms and labels never call the
provider), segments, messages, and mailings with their statistics (the Mailings page and the
overview). Each job upserts by provider id in one transaction and removes only rows absent
from a complete listing, so overlapping runs leave the mirror as one run would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from contacts import nomenclature
from contacts.client import DialogInsightClient
from contacts.models import Mailing, MailingSnapshot, Message, ProjectField, Segment
from dashboard.capabilities import Unavailable
from dashboard.sync import SyncResult

# Statistics keep moving for a while after a sending; older mailings are left as last seen.
STATISTICS_WINDOW = timedelta(days=30)


def _upsert(
    model: type[models.Model],
    object_type: str,
    rows: dict[Any, dict[str, Any]],
    *,
    key: tuple[str, ...] = ("provider_id",),
    complete: bool = True,
) -> SyncResult:
    """Make `model` hold `rows` ({identity: field values}); the fields named in `key` identify
    a row (its identity is their value, or a tuple of their values). A complete listing also
    removes rows the provider no longer has."""

    def identity(values: tuple[Any, ...]) -> Any:
        return values if len(key) > 1 else values[0]

    result = SyncResult(object_type)
    now = timezone.now()
    with transaction.atomic():
        existing = {identity(tuple(getattr(o, f) for f in key)): o for o in model.objects.all()}
        for ident, values in rows.items():
            current = existing.get(ident)
            if current is None:
                ident_fields = dict(zip(key, ident if len(key) > 1 else (ident,), strict=True))
                model.objects.create(**ident_fields, **values, synced_at=now)
                result.created += 1
            elif any(getattr(current, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(current, f, v)
                current.synced_at = now
                current.save()
                result.updated += 1
            else:
                result.unchanged += 1
        if complete:
            gone = [o.pk for ident, o in existing.items() if ident not in rows]
            if gone:
                result.removed = model.objects.filter(pk__in=gone).delete()[0]
    return result


def sync_project(client: DialogInsightClient | None = None) -> SyncResult:
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
    return _upsert(ProjectField, gettext_noop("project fields"), wanted, key=("kind", "code"))


def sync_segments(client: DialogInsightClient | None = None) -> SyncResult:
    """Segments as Dialog Insight lists them. An account without the listing keeps the
    segments saved from Switchboard, and the result says why nothing was listed."""
    try:
        segments = (client or DialogInsightClient()).segment_list()
    except Unavailable as error:
        return SyncResult(gettext_noop("segments"), errors=[str(error)])
    rows = {
        s.id: {"name": s.name, "is_dynamic": s.is_dynamic, "clause": s.clause} for s in segments
    }
    return _upsert(Segment, gettext_noop("segments"), rows)


def sync_messages(client: DialogInsightClient | None = None) -> SyncResult:
    """Messages as Dialog Insight lists them (or, without the listing, the ones created from
    Switchboard, kept as they were)."""
    try:
        messages = (client or DialogInsightClient()).message_list()
    except Unavailable as error:
        return SyncResult(gettext_noop("messages"), errors=[str(error)])
    rows = {
        m.id: {"name": m.name, "subject": m.subject, "sender": m.sender, "parameters": m.parameters}
        for m in messages
    }
    return _upsert(Message, gettext_noop("messages"), rows)


def sync_mailings(client: DialogInsightClient | None = None) -> SyncResult:
    client = client or DialogInsightClient()
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
    result = _upsert(Mailing, gettext_noop("mailings"), rows)
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
