"""Segments: dynamic segments saved from the clause builder, their members, the list's refresh."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from contacts import nomenclature, sync
from contacts.client import Contact, DialogInsightClient
from contacts.models import Segment
from contacts.services import audit
from dashboard.capabilities import Unavailable
from dashboard.providers import ProviderError
from dashboard.sync import SyncResult


def segment_save(
    *,
    user,
    name: str,
    combine: str,
    clauses: list[dict[str, Any]],
    segment_id: int | None,
    token: str = "",
) -> Segment:
    clause = nomenclature.combine(combine, clauses)
    action = "updated" if segment_id else "created"
    with audit.event(user, "segment", action, segment_id or "", name) as event:
        event.object_id = new_id = audit.once(
            # Only a create can be duplicated; an update of the same segment twice is harmless.
            token="" if segment_id else token,
            call=lambda: DialogInsightClient().segment_merge(
                name=name, clause=clause, segment_id=segment_id
            ),
        )
    segment, _ = Segment.objects.update_or_create(
        provider_id=new_id,
        defaults={"name": name, "is_dynamic": True, "clause": clause, "synced_at": timezone.now()},
    )
    return segment


def segment_contact_list(*, segment: Segment, limit: int = 100) -> list[Contact]:
    clause = segment.clause if segment.is_dynamic else None
    return DialogInsightClient().segment_contact_list(
        segment.provider_id, clause=clause, max_rows=limit
    )


def segment_count(*, combine: str, clauses: list[dict[str, Any]]) -> tuple[int | None, str]:
    """How many contacts these conditions match today, or why that is not known: an account
    without Contacts.Count (unpublished) or without the comparisons they use, or a failure."""
    try:
        return DialogInsightClient().contact_count(nomenclature.combine(combine, clauses)), ""
    except Unavailable as error:
        return None, str(error)
    except ProviderError as error:
        return None, gettext("The count could not be loaded. %(error)s") % {"error": error}


def segment_list_refresh() -> SyncResult:
    """The Segments page's refresh button: the segments sync, now."""
    return sync.sync_segments()


def segment_look_up(*, name: str) -> Segment | None:
    """After a save whose outcome is unknown: refresh from Dialog Insight, look by name."""
    sync.sync_segments()
    return Segment.objects.filter(name=name.strip()).order_by("-provider_id").first()
