"""The dialer's use cases: add, edit and delete a contact (provider first, then the mirror,
the per-status counts and the audit log), and refresh the mirror on demand. (The bulk import's
use cases are in `imports.py`.)"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from dashboard.audit import Audited
from dashboard.providers import ProviderError
from dashboard.sync import SyncResult
from dialer import statuses as st
from dialer.client import CCAIClient, ContactInput
from dialer.mirror import board_changed, campaign_upsert, count_bump
from dialer.models import DialerCampaign, DialerContact
from dialer.phones import loose_e164
from dialer.sync import sync_campaign_contacts, sync_campaigns


class ContactRejected(ProviderError):
    """CCAI Platform answered 200 but listed the contact in `invalid_contacts`."""


def _label(contact: DialerContact | dict) -> str:
    if isinstance(contact, dict):
        return f"{contact.get('name', '')} {contact.get('phone_number', '')}".strip()
    return f"{contact.name} {contact.phone_number}".strip()


def _audited(user: Any, action: str, object_id: Any, label: str) -> Audited:
    """The audit line of a write to one contact (see `dashboard.audit.Audited`)."""
    return Audited(user, "ccai", "dialer contact", action, object_id, label)


def contact_add(*, user: Any, campaign: DialerCampaign, data: dict[str, str]) -> DialerContact:
    """Add one contact (`data` from ContactForm: phone already E.164). The provider's answer
    has no id: the mirror row waits for the next sync to learn it."""
    contact = ContactInput(
        name=data["name"],
        phone_number=data["phone_number"],
        email=data.get("email", ""),
        outbound_number=data.get("outbound_number", ""),
        external_unique_id=data.get("external_unique_id", ""),
    )
    with _audited(user, "add", "", _label(contact.payload())) as audit:
        result = CCAIClient().contact_add(campaign.provider_id, contact)
        if result.invalid or not result.valid:
            reason = (
                result.invalid[0].reason if result.invalid else gettext("no contact was accepted")
            )
            raise ContactRejected(
                gettext("CCAI Platform refused the contact: %(reason)s") % {"reason": reason},
                provider="ccai",
                status=200,
                provider_message=reason,
                details=[i.contact for i in result.invalid],
            )
        accepted = result.valid[0]
        now = timezone.now()
        with transaction.atomic():
            row = DialerContact.objects.create(
                campaign=campaign,
                provider_id=accepted.get("id") if isinstance(accepted.get("id"), int) else None,
                name=contact.name,
                email=contact.email,
                phone_number=contact.phone_number,
                phone_e164=loose_e164(contact.phone_number),
                outbound_number=contact.outbound_number,
                external_unique_id=contact.external_unique_id,
                status=st.UPCOMING,
                created_at=now,
                updated_at=now,
            )
            count_bump(campaign.pk, st.UPCOMING, 1)
            board_changed(campaign.pk)
        audit.object_id = row.provider_id or ""
    return row


def contact_update(*, user: Any, contact: DialerContact, data: dict[str, str]) -> DialerContact:
    if contact.provider_id is None:
        raise ProviderError(
            gettext(
                "This contact is still being registered at CCAI Platform; edit it in a moment."
            ),
            provider="ccai",
        )
    before = _label(contact)
    with _audited(user, "edit", contact.provider_id, before) as audit:
        updated = CCAIClient().contact_update(
            contact.campaign.provider_id,
            contact.provider_id,
            name=data["name"],
            email=data.get("email", ""),
            phone_number=data["phone_number"],
            external_unique_id=data.get("external_unique_id", ""),
        )
        contact.name = updated.name or data["name"]
        contact.email = updated.email or data.get("email", "")
        contact.phone_number = updated.phone_number or data["phone_number"]
        contact.phone_e164 = loose_e164(contact.phone_number)
        contact.external_unique_id = updated.external_unique_id or data.get(
            "external_unique_id", ""
        )
        contact.updated_at = updated.updated_at or timezone.now()
        if updated.status and updated.status != contact.status:
            with transaction.atomic():
                count_bump(contact.campaign_id, contact.status, -1)
                count_bump(contact.campaign_id, updated.status, 1)
            contact.status = updated.status
        contact.save()
        board_changed(contact.campaign_id)
        changes = [
            f"{label}: {data.get(key, '')}"
            for key, label in (("name", "name"), ("phone_number", "phone"), ("email", "email"))
        ]
        audit.object_label = _label(contact)
        audit.detail = f"Was {before}; now " + ", ".join(changes)
    return contact


def contact_delete(*, user: Any, contact: DialerContact) -> str:
    """Delete at the provider (by id, or by phone while the id is not known yet), then from
    the mirror. A contact the provider no longer has is removed from the mirror too."""
    client = CCAIClient()
    outcome = "deleted"
    with _audited(user, "delete", contact.provider_id, _label(contact)) as audit:
        try:
            if contact.provider_id is not None:
                client.contact_delete(contact.campaign.provider_id, contact_id=contact.provider_id)
            else:
                client.contact_delete(
                    contact.campaign.provider_id, phone_number=contact.phone_number
                )
        except ProviderError as error:
            if error.status != 404:
                raise
            outcome = "already gone"
            audit.detail = "CCAI Platform no longer had it."
        with transaction.atomic():
            deleted, _ = DialerContact.objects.filter(pk=contact.pk).delete()
            if deleted:
                count_bump(contact.campaign_id, contact.status, -1)
                board_changed(contact.campaign_id)
    return outcome


def campaign_list_refresh() -> SyncResult:
    """Pull the list of campaigns (with their per-status counts) into the mirror now."""
    return sync_campaigns()


def campaign_contacts_refresh(*, campaign: DialerCampaign) -> SyncResult:
    """Pull one campaign and its whole contact listing into the mirror now."""
    client = CCAIClient()
    campaign_upsert(client.campaign_get(campaign.provider_id))
    return sync_campaign_contacts(campaign, client)
