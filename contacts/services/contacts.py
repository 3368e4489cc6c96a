"""Contacts: search, open, create or update by project key, opt-ins, unsubscribe, delete."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from contacts import mirror, nomenclature, sync
from contacts.client import Contact, DialogInsightClient, HistoryEntry, MergeRecord
from contacts.models import ProjectField
from contacts.services import audit
from dashboard.capabilities import Unavailable
from dashboard.providers import ProviderError


def project_definition() -> list[ProjectField]:
    """The mirrored project definition; fetched once from the provider if never synced."""
    definition = list(ProjectField.objects.order_by("kind", "position", "code"))
    if not definition:
        sync.sync_project()
        definition = list(ProjectField.objects.order_by("kind", "position", "code"))
    return definition


@dataclass
class SearchPage:
    contacts: list[Contact]
    number: int
    per_page: int
    has_next: bool
    total: int | None = None  # how many contacts match, when the results say

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.contacts) - 1


def contact_search(
    *, clause: dict[str, Any] | None, page: int = 1, per_page: int = 25
) -> SearchPage:
    """One page of a provider search. Contacts.Get has MaxRows but no offset, so page N asks
    for N pages plus one row and shows the last page (capped by the form at 1000 rows). When
    Dialog Insight returned them all, they are how many match (`total`); otherwise the page
    asks contact_search_count, after showing the results."""
    rows = DialogInsightClient().contact_search(clause, max_rows=page * per_page + 1)
    start = (page - 1) * per_page
    has_next = len(rows) > page * per_page
    return SearchPage(
        contacts=rows[start : start + per_page],
        number=page,
        per_page=per_page,
        has_next=has_next,
        total=None if has_next else len(rows),
    )


def contact_search_count(*, clause: dict[str, Any]) -> tuple[int | None, str]:
    """How many contacts a search matches (Contacts.Count, unpublished), or why that is not
    known: an account without it, or a failure."""
    try:
        return DialogInsightClient().contact_count(clause), ""
    except Unavailable as error:
        return None, str(error)
    except ProviderError as error:
        return None, gettext("The count could not be loaded. %(error)s") % {"error": error}


def contact_get(*, contact_id: int, key: str = "") -> Contact | None:
    """One contact; its project `key`, when the page knows it, finds it on an account that
    does not let Switchboard ask by id."""
    return DialogInsightClient().contact_get(contact_id, key=key)


def contact_detail(
    *, contact_id: int, key: str = ""
) -> tuple[Contact | None, list[HistoryEntry], str]:
    """The contact, its mailing history, and why that history is missing (an account without
    it, or a failure): the contact is shown all the same."""
    client = DialogInsightClient()
    contact = client.contact_get(contact_id, key=key)
    if contact is None:
        return None, [], ""
    return contact, *contact_history(contact_id=contact_id, client=client)


def contact_history(
    *, contact_id: int, client: DialogInsightClient | None = None
) -> tuple[list[HistoryEntry], str]:
    """A contact's mailing history, or why it is missing (an account without it, or a
    failure)."""
    try:
        return (client or DialogInsightClient()).contact_history_get(contact_id), ""
    except Unavailable as error:
        return [], str(error)
    except ProviderError as error:
        return [], gettext("The mailing history could not be loaded. %(error)s") % {"error": error}


def contact_save(*, user, key: str, data: dict[str, str], creating: bool) -> MergeRecord:
    """Create or update one contact by project key. A rejected record is returned (not
    raised) so the form can show it; transport/provider errors raise `ProviderError`."""
    with audit.event(user, "contact", "created" if creating else "updated", label=key) as event:
        record = (
            DialogInsightClient()
            .contact_merge([(key, data)], allow_insert=creating, allow_update=not creating)
            .records[0]
        )
        event.object_id = record.contact_id
        if not record.ok:
            event.failed(record.message or record.validation)
            return record
        event.action = record.status.lower()
    mirror.contact_changed(
        contact_id=record.contact_id,
        key=key,
        values=nomenclature.field_values(data),
        change=record.status.lower(),
        by=user,
    )
    return record


def _contact_or_error(client: DialogInsightClient, contact_id: int, key: str) -> Contact:
    contact = client.contact_get(contact_id, key=key)
    if contact is None:
        raise ProviderError(
            gettext("This contact no longer exists at Dialog Insight."), provider=audit.PROVIDER
        )
    return contact


def _merge_or_error(client: DialogInsightClient, contact: Contact, data: dict[str, str]) -> None:
    """Merge `data` into an existing contact; a rejected record is an error."""
    record = client.contact_merge([(contact.key, data)], allow_insert=False).records[0]
    if not record.ok:
        raise ProviderError(
            gettext("Dialog Insight: %(message)s") % {"message": record.message},
            provider=audit.PROVIDER,
        )


def contact_optin_set(
    *, user, contact_id: int, code: str, subscribed: bool, key: str = ""
) -> Contact:
    """Subscribe or unsubscribe one contact from one opt-in; returns the contact as now stored."""
    client = DialogInsightClient()
    contact = _contact_or_error(client, contact_id, key)
    action = "subscribed" if subscribed else "unsubscribed"
    label = f"{contact.key} · {code}"
    data = {nomenclature.optin_name(code): nomenclature.optin_value(subscribed)}
    with audit.event(user, "contact", action, contact_id, label):
        _merge_or_error(client, contact, data)
    optin = ProjectField.objects.filter(kind=ProjectField.Kind.OPTIN, code=code).first()
    change = f"{action} {'to' if subscribed else 'from'} {optin.label if optin else code}"
    mirror.contact_changed(
        contact_id=contact_id, key=contact.key, values=contact.values, change=change, by=user
    )
    return _reread(client, contact, {code: subscribed})


def _reread(client: DialogInsightClient, contact: Contact, optins: dict[str, bool]) -> Contact:
    """The contact as stored after a successful merge. If that read fails the change is still
    made (and audited): the user must hear that it worked, so the page shows the contact as
    read before with the new opt-ins applied, instead of reporting a failure."""
    try:
        return client.contact_get(contact.id, key=contact.key) or contact
    except ProviderError:
        return dataclasses.replace(contact, optins={**contact.optins, **optins})


def contact_unsubscribe(*, user, contact_id: int, key: str = "") -> Contact:
    """The provider's recommended alternative to deleting: every opt-in set to 0."""
    client = DialogInsightClient()
    contact = _contact_or_error(client, contact_id, key)
    codes = list(
        ProjectField.objects.filter(kind=ProjectField.Kind.OPTIN).values_list("code", flat=True)
    ) or list(contact.optins)
    data = {nomenclature.optin_name(c): nomenclature.optin_value(False) for c in codes}
    with audit.event(user, "contact", "unsubscribed", contact_id, contact.key, "from every opt-in"):
        _merge_or_error(client, contact, data)
    mirror.contact_changed(
        contact_id=contact_id,
        key=contact.key,
        values=contact.values,
        change="unsubscribed from every list",
        by=user,
    )
    return _reread(client, contact, dict.fromkeys(codes, False))


def contact_delete(*, user, contact_id: int, label: str = "") -> int:
    with audit.event(user, "contact", "deleted", contact_id, label) as event:
        deleted = DialogInsightClient().contact_delete(nomenclature.id_clause(contact_id))
        if not deleted:
            # Nothing was deleted: the audit log must not say that this user deleted a contact.
            event.failed(gettext("Dialog Insight had no such contact; nothing was deleted."))
            return 0
        event.detail = f"{deleted} deleted"
    mirror.contact_removed(contact_id)
    return deleted
