"""Mailings and messages: a sending to a segment or everyone, a message to one contact, a new
message, the Mailings page's refresh, and what a check looks for after an unknown outcome."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.utils import timezone

from contacts import nomenclature, sync
from contacts.client import DialogInsightClient, HistoryEntry
from contacts.models import Mailing, Message, Segment
from contacts.services import audit
from dashboard.capabilities import Unavailable
from dashboard.providers import ProviderError
from dashboard.sync import SyncResult

LOOK_BACK = dt.timedelta(minutes=5)  # Dialog Insight's clock and ours may differ a little


# --- Mailings -------------------------------------------------------------------------------
def mailing_audience_count(*, segment_id: int | None) -> int | None:
    """How many contacts a sending reaches; None on an account that does not count them
    (the sending itself is documented, so it may go ahead)."""
    try:
        return DialogInsightClient().contact_count(segment_id=segment_id)
    except Unavailable:
        return None


def mailing_send(
    *,
    user,
    message_id: int,
    message_name: str,
    segment: Segment | None,
    launch_at: dt.datetime | None,
    token: str,
) -> Mailing:
    segment_ids = [segment.provider_id] if segment else None
    audience = segment.name if segment else "Everyone"
    action = "scheduled" if launch_at else "launched"
    label = f"{message_name} → {audience}"
    client = DialogInsightClient()
    at = f"at {launch_at:%Y-%m-%d %H:%M} UTC" if launch_at else ""
    with audit.event(user, "mailing", action, label=label, detail=at) as event:
        event.object_id = mailing_id = audit.once(
            token=token,
            call=lambda: client.mailing_send(
                message_id=message_id, segment_ids=segment_ids, launch_at=launch_at
            ),
        )
    # The sending exists whatever happens now; the next periodic sync mirrors it otherwise.
    with contextlib.suppress(ProviderError):
        sync.sync_mailings(client)
    mailing, _ = Mailing.objects.get_or_create(
        provider_id=mailing_id,
        defaults={
            "message_id": message_id,
            "message_name": message_name,
            "mode": "idFilters" if segment else "All",
            "audience": audience,
            "segment_ids": segment_ids or [],
            "launch_at": launch_at or timezone.now(),
            "status": "Scheduled" if launch_at else "Sending",
            "synced_at": timezone.now(),
        },
    )
    return mailing


def mailing_list_refresh() -> list[SyncResult]:
    """The Mailings and Messages pages' refresh button: messages, then mailings, now."""
    return [sync.sync_messages(), sync.sync_mailings()]


def mailing_look_up(
    *, message_id: int, segment: Segment | None, since: dt.datetime | None
) -> Mailing | None:
    """After a sending whose outcome is unknown: a sending of this message to this audience
    launching since `since` (a sending made then launches then, or later when scheduled)."""
    sync.sync_mailings()
    segment_ids = [segment.provider_id] if segment else []
    rows = Mailing.objects.filter(message_id=message_id, mode="idFilters" if segment else "All")
    if since is not None:
        rows = rows.filter(launch_at__gte=since - LOOK_BACK)
    return next((m for m in rows.order_by("-provider_id") if m.segment_ids == segment_ids), None)


# --- Messages -------------------------------------------------------------------------------
def message_send_one(
    *,
    user,
    contact_id: int,
    contact_label: str,
    message_id: int,
    message_name: str,
    parameters: dict[str, str],
    token: str = "",
) -> int:
    # Recorded against the contact, so that its page lists it with the other changes.
    label = f"{message_name} → {contact_label}"
    with audit.event(user, "contact", "sent message", contact_id, label) as event:
        mailing_id = audit.once(
            token=token,
            call=lambda: DialogInsightClient().message_send_one(
                message_id=message_id, contact_id=contact_id, parameters=parameters
            ),
        )
        event.detail = f"mailing #{mailing_id}"
    return mailing_id


def message_send_look_up(
    *, contact_id: int, message_id: int, since: dt.datetime | None
) -> HistoryEntry | None:
    """After a send whose outcome is unknown: this message in the contact's history, sent
    since `since`."""
    for entry in DialogInsightClient().contact_history_get(contact_id):
        recent = since is None or (entry.sent_at and entry.sent_at >= since - LOOK_BACK)
        if entry.message_id == message_id and recent:
            return entry
    return None


def message_create(
    *, user, name: str, subject: str, sender: str, html: str, token: str = ""
) -> Message:
    with audit.event(user, "message", "created", label=name) as event:
        event.object_id = message_id = audit.once(
            token=token,
            call=lambda: DialogInsightClient().message_create(
                name=name, subject=subject, sender=sender, html=html
            ),
        )
    with contextlib.suppress(ProviderError):
        sync.sync_messages()  # picks up the parameters the provider found in the body
    # Without the listing, the placeholders are those of the body Switchboard sent.
    message, _ = Message.objects.get_or_create(
        provider_id=message_id,
        defaults={
            "name": name,
            "subject": subject,
            "sender": sender,
            "parameters": nomenclature.placeholders(html),
            "synced_at": timezone.now(),
        },
    )
    return message


def message_look_up(*, name: str) -> Message | None:
    """After a create whose outcome is unknown: refresh from Dialog Insight, look by name."""
    sync.sync_messages()
    return Message.objects.filter(name=name.strip()).order_by("-provider_id").first()
