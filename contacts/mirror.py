"""Switchboard's record of the contacts it changed (RecentContact), written by the use cases
that change one (contacts/services/contacts.py) and by imports (contacts/services/imports.py):
the Contacts page lists the latest without asking Dialog Insight, which lists no such thing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from contacts import nomenclature
from contacts.models import RecentContact


def contacts_changed(changes: Iterable[tuple[int, str, str, str]], *, by: Any) -> None:
    """Record `changes` — (contact id, key, name, what changed) — as made now by `by` (a
    user, or None for the worker), each contact keeping only its latest change."""
    now = timezone.now()
    username = by.get_username() if getattr(by, "is_authenticated", False) else ""
    rows = {
        contact_id: RecentContact(
            provider_id=contact_id,
            key=key[:300],
            name=name[:200],
            change=change[:100],
            changed_at=now,
            changed_by=username,
        )
        for contact_id, key, name, change in changes
        if contact_id
    }
    if not rows:
        return
    RecentContact.objects.bulk_create(
        rows.values(),
        update_conflicts=True,
        unique_fields=["provider_id"],
        update_fields=["key", "name", "change", "changed_at", "changed_by"],
    )
    _keep_latest()


def contact_changed(
    *, contact_id: int | None, key: str, values: dict[str, Any], change: str, by: Any
) -> None:
    """Record one change; `values` are the contact's fields by code (for its name)."""
    if contact_id:
        contacts_changed([(contact_id, key, nomenclature.display_name(values), change)], by=by)


def contact_removed(contact_id: int) -> None:
    """A contact deleted at Dialog Insight is not listed any more."""
    RecentContact.objects.filter(provider_id=contact_id).delete()


def _keep_latest() -> None:
    """Only the latest RecentContact.KEEP are kept: the page lists recent changes, not all."""
    latest = RecentContact.objects.order_by("-changed_at", "-id")
    last_kept = latest.values_list("changed_at", "id")[RecentContact.KEEP - 1 : RecentContact.KEEP]
    for at, pk in last_kept:
        RecentContact.objects.filter(Q(changed_at__lt=at) | Q(changed_at=at, id__lt=pk)).delete()
