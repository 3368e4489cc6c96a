"""Dialog Insight use cases: form data → client → mirror → audit, one function each."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contacts import fields as nomenclature
from contacts import sync
from contacts.client import Contact, DialogInsightClient, HistoryEntry, MergeRecord
from contacts.models import (
    BulkSync,
    BulkSyncRow,
    Mailing,
    Message,
    ProjectField,
    Segment,
)
from dashboard import uploads
from dashboard.audit import audit_record
from dashboard.csvsafe import spreadsheet_safe
from dashboard.providers import ProviderError
from dashboard.submissions import (
    AlreadySubmitted,  # noqa: F401  (views catch it as services.AlreadySubmitted)
    submission_claim,
    submission_done,
    submission_failed,
)

PROVIDER = "dialoginsight"


def _audit(
    user,
    object_type: str,
    action: str,
    object_id: Any = "",
    label: str = "",
    *,
    error: Exception | None = None,
    detail: str = "",
) -> None:
    audit_record(
        user=user,
        provider=PROVIDER,
        object_type=object_type,
        action=action,
        object_id=object_id,
        object_label=label,
        outcome="error" if error else "ok",
        detail=str(error) if error else detail,
    )


def failure_sentence(error: ProviderError, *, refused: str, maybe: str) -> str:
    """`refused` when Dialog Insight certainly did nothing, `maybe` when it may have."""
    return f"{maybe if error.outcome_unknown else refused} {error}"


def project_definition() -> list[ProjectField]:
    """The mirrored project definition; fetched once from the provider if never synced."""
    definition = list(ProjectField.objects.order_by("kind", "position", "code"))
    if not definition:
        sync.sync_project()
        definition = list(ProjectField.objects.order_by("kind", "position", "code"))
    return definition


# --- Contacts ---------------------------------------------------------------------------
@dataclass
class SearchPage:
    contacts: list[Contact]
    number: int
    per_page: int
    has_next: bool

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
    for N pages plus one row and shows the last page (capped by the form at 1000 rows)."""
    rows = DialogInsightClient().contacts_get(clause, max_rows=page * per_page + 1)
    start = (page - 1) * per_page
    return SearchPage(
        contacts=rows[start : start + per_page],
        number=page,
        per_page=per_page,
        has_next=len(rows) > page * per_page,
    )


def contact_get(*, id_contact: int) -> Contact | None:
    return DialogInsightClient().contact_get(id_contact)


def contact_detail(*, id_contact: int) -> tuple[Contact | None, list[HistoryEntry]]:
    client = DialogInsightClient()
    contact = client.contact_get(id_contact)
    if contact is None:
        return None, []
    return contact, client.history(id_contact)


def contact_save(*, user, key: str, data: dict[str, str], creating: bool) -> MergeRecord:
    """Create or update one contact by project key. A rejected record is returned (not
    raised) so the form can show it; transport/provider errors raise `ProviderError`."""
    action = "created" if creating else "updated"
    try:
        result = DialogInsightClient().contacts_merge(
            [(key, data)], allow_insert=creating, allow_update=not creating
        )
    except ProviderError as error:
        _audit(user, "contact", action, label=key, error=error)
        raise
    record = result.records[0]
    if record.ok:
        _audit(user, "contact", record.status.lower(), record.id_record, key)
    else:
        _audit(
            user,
            "contact",
            action,
            record.id_record,
            key,
            error=ProviderError(record.message or record.validation, provider=PROVIDER),
        )
    return record


def contact_set_optin(*, user, id_contact: int, code: str, subscribed: bool) -> Contact:
    """Subscribe or unsubscribe one contact from one opt-in; returns the contact as now stored."""
    client = DialogInsightClient()
    contact = client.contact_get(id_contact)
    if contact is None:
        raise ProviderError("This contact no longer exists at Dialog Insight.", provider=PROVIDER)
    action = "subscribed" if subscribed else "unsubscribed"
    label = f"{contact.key} · {code}"
    try:
        result = client.contacts_merge(
            [(contact.key, {nomenclature.optin_name(code): nomenclature.optin_value(subscribed)})],
            allow_insert=False,
        )
    except ProviderError as error:
        _audit(user, "contact", action, id_contact, label, error=error)
        raise
    record = result.records[0]
    if not record.ok:
        error = ProviderError(f"Dialog Insight: {record.message}", provider=PROVIDER)
        _audit(user, "contact", action, id_contact, label, error=error)
        raise error
    _audit(user, "contact", action, id_contact, label)
    return _reread(client, contact, {code: subscribed})


def _reread(client: DialogInsightClient, contact: Contact, optins: dict[str, bool]) -> Contact:
    """The contact as stored after a successful merge. If that read fails the change is still
    made (and audited): the user must hear that it worked, so the page shows the contact as
    read before with the new opt-ins applied, instead of reporting a failure."""
    try:
        return client.contact_get(contact.id) or contact
    except ProviderError:
        return dataclasses.replace(contact, optins={**contact.optins, **optins})


def contact_unsubscribe_all(*, user, id_contact: int) -> Contact:
    """The provider's recommended alternative to deleting: every opt-in set to 0."""
    client = DialogInsightClient()
    contact = client.contact_get(id_contact)
    if contact is None:
        raise ProviderError("This contact no longer exists at Dialog Insight.", provider=PROVIDER)
    codes = list(
        ProjectField.objects.filter(kind=ProjectField.Kind.OPTIN).values_list("code", flat=True)
    ) or list(contact.optins)
    data = {nomenclature.optin_name(c): nomenclature.optin_value(False) for c in codes}
    try:
        result = client.contacts_merge([(contact.key, data)], allow_insert=False)
        if not result.records[0].ok:
            raise ProviderError(f"Dialog Insight: {result.records[0].message}", provider=PROVIDER)
    except ProviderError as error:
        _audit(user, "contact", "unsubscribed", id_contact, contact.key, error=error)
        raise
    _audit(user, "contact", "unsubscribed", id_contact, contact.key, detail="from every opt-in")
    return _reread(client, contact, dict.fromkeys(codes, False))


def contact_delete(*, user, id_contact: int, label: str = "") -> int:
    try:
        deleted = DialogInsightClient().contacts_delete(nomenclature.id_clause(id_contact))
    except ProviderError as error:
        _audit(user, "contact", "deleted", id_contact, label, error=error)
        raise
    if not deleted:
        # Nothing was deleted: the audit log must not say that this user deleted a contact.
        nothing = ProviderError(
            "Dialog Insight had no such contact; nothing was deleted.", provider=PROVIDER
        )
        _audit(user, "contact", "deleted", id_contact, label, error=nothing)
        return 0
    _audit(user, "contact", "deleted", id_contact, label, detail=f"{deleted} deleted")
    return deleted


# --- Segments -----------------------------------------------------------------------------
def segment_save(
    *,
    user,
    name: str,
    combine: str,
    clauses: list[dict[str, Any]],
    id_filter: int | None,
    token: str = "",
) -> Segment:
    clause = nomenclature.combine(combine, clauses)
    action = "updated" if id_filter else "created"
    # Only a create can be duplicated; an update of the same segment twice is harmless.
    claim = None if id_filter else submission_claim(token)
    try:
        new_id = DialogInsightClient().segment_merge(name=name, clause=clause, id_filter=id_filter)
    except ProviderError as error:
        _audit(user, "segment", action, id_filter or "", name, error=error)
        submission_failed(claim, error)
        raise
    submission_done(claim, new_id)
    segment, _ = Segment.objects.update_or_create(
        id_filter=new_id,
        defaults={"name": name, "is_dynamic": True, "clause": clause, "synced_at": timezone.now()},
    )
    _audit(user, "segment", action, new_id, name)
    return segment


def segment_contacts(*, id_filter: int, limit: int = 100) -> list[Contact]:
    return DialogInsightClient().segment_contacts(id_filter, max_rows=limit)


# --- Bulk sync ----------------------------------------------------------------------------
class BulkSyncFileError(ValueError):
    """The uploaded file cannot be read as contacts; the message says why, for the form."""


def parse_contacts_csv(raw: bytes, definition: list[ProjectField]) -> list[tuple[int, str, dict]]:
    """[(line, key, {provider name: value})] from a CRM CSV, or `BulkSyncFileError`.
    Columns are matched to the project by code or label (case-insensitive); values are
    checked and converted per row later, by the provider's own validation."""
    # The one reader of uploaded files (encoding and delimiter detected, as the dialer's import).
    file = io.BytesIO(raw)
    try:
        fmt = uploads.detect(file, "contacts.csv")
        reader = uploads.read_csv(file, fmt)
        header = next(reader, (0, None))[1]
    except uploads.UploadError as exc:
        raise BulkSyncFileError(str(exc)) from exc
    if header is None:
        raise BulkSyncFileError("The file has no header row.")
    lookup: dict[str, ProjectField] = {}
    for d in definition:
        lookup[d.code.lower()] = d
        lookup[d.label.lower()] = d
    columns: list[ProjectField | None] = [lookup.get(h.strip().lower()) for h in header]
    key_field = next((d for d in definition if d.is_key), None)
    if key_field is None or key_field not in columns:
        label = key_field.label if key_field else nomenclature.PROJECT_KEY_CODE
        raise BulkSyncFileError(
            f"The header has no '{label}' column, which identifies each contact. "
            f"Columns found: {', '.join(h.strip() for h in header) or 'none'}."
        )
    unknown = [h for h, c in zip(header, columns, strict=False) if c is None and h.strip()]
    if unknown:
        raise BulkSyncFileError(
            f"These columns are not fields of the project: {', '.join(unknown)}. "
            "Rename or remove them (the project's fields are listed on this page)."
        )
    rows = []
    try:
        for line, values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise BulkSyncFileError(
                    f"Line {line} has {len(values)} columns, the header has {len(header)}."
                )
            data: dict[str, str] = {}
            key = ""
            for d, value in zip(columns, values, strict=True):
                value = value.strip()
                if d is None:
                    continue
                if d.is_key:
                    key = value
                elif d.kind == ProjectField.Kind.OPTIN:
                    if value:
                        data[nomenclature.optin_name(d.code)] = (
                            "1" if value.lower() in {"1", "yes", "true", "oui", "y"} else "0"
                        )
                elif d.data_type == nomenclature.DATE and value:
                    data[nomenclature.field_name(d.code)] = _crm_date(value)
                elif value:
                    data[nomenclature.field_name(d.code)] = value
            rows.append((line, key, data))
    except uploads.UploadError as exc:
        raise BulkSyncFileError(str(exc)) from exc
    if not rows:
        raise BulkSyncFileError("The file has a header but no contacts.")
    return rows


def _crm_date(value: str) -> str:
    """CRM exports write ISO dates; the provider wants YYYY.MM.DD. Anything else is passed
    through for the provider to reject on that row."""
    try:
        return nomenclature.to_provider_date(dt.date.fromisoformat(value))
    except ValueError:
        return value


def bulk_sync_create(*, user, filename: str, raw: bytes) -> BulkSync:
    rows = parse_contacts_csv(raw, project_definition())
    key_max = BulkSyncRow._meta.get_field("key").max_length
    # A key cut to fit the column would merge a different contact: such a row is rejected
    # here, kept in the report, and never sent.
    too_long = sum(len(key) > key_max for _, key, _ in rows)
    with transaction.atomic():
        job = BulkSync.objects.create(
            user=user,
            filename=filename[:200],
            total=len(rows),
            processed=too_long,
            rejected=too_long,
        )
        BulkSyncRow.objects.bulk_create(
            [
                BulkSyncRow(job=job, line=line, key=key[:key_max], data=data)
                if len(key) <= key_max
                else BulkSyncRow(
                    job=job,
                    line=line,
                    key=key[: key_max - 1] + "…",
                    data={},
                    outcome=BulkSyncRow.Outcome.REJECTED,
                    message=f"The email is longer than {key_max} characters; it was not sent.",
                )
                for line, key, data in rows
            ],
            batch_size=1000,
        )
    _audit(user, "bulk sync", "started", job.pk, filename, detail=f"{len(rows)} rows")
    from contacts.tasks import bulk_sync_run as task

    task.enqueue(job.pk)
    return job


def bulk_sync_run(*, job_id: int, batch_size: int = 100) -> BulkSync:
    """Merge a job's pending rows batch by batch, recording each row's outcome as it goes.

    A provider failure stops the job with its pending rows kept (nothing lost); resuming
    re-sends only those. Contacts.Merge upserts by key, so a batch whose answer was lost to a
    timeout is safely merged again on resume: it cannot duplicate a contact.
    """
    job = BulkSync.objects.get(pk=job_id)
    now = timezone.now()
    stalled = Q(status=BulkSync.Status.RUNNING) & (
        Q(progressed_at__lt=now - BulkSync.STALLED_AFTER)
        | Q(progressed_at__isnull=True, created_at__lt=now - BulkSync.STALLED_AFTER)
    )
    claimed = (
        BulkSync.objects.filter(pk=job_id)
        .filter(Q(status__in=[BulkSync.Status.QUEUED, BulkSync.Status.FAILED]) | stalled)
        .update(status=BulkSync.Status.RUNNING, error="", progressed_at=now)
    )
    if not claimed:
        return job  # another worker runs it
    client = DialogInsightClient()
    pending = BulkSyncRow.objects.filter(job_id=job_id, outcome=BulkSyncRow.Outcome.PENDING)
    while True:
        batch = list(pending.order_by("line")[:batch_size])
        if not batch:
            break
        invalid = [r for r in batch if not r.key]
        for row in invalid:
            row.outcome, row.message = BulkSyncRow.Outcome.REJECTED, "The email is empty."
        to_send = [r for r in batch if r.key]
        try:
            result = (
                client.contacts_merge([(r.key, r.data) for r in to_send], batch_size=batch_size)
                if to_send
                else None
            )
        except ProviderError as error:
            BulkSyncRow.objects.bulk_update(invalid, ["outcome", "message"])
            _bulk_progress(job_id, invalid)
            BulkSync.objects.filter(pk=job_id).update(
                status=BulkSync.Status.FAILED, error=str(error), finished_at=timezone.now()
            )
            _audit(job.user, "bulk sync", "stopped", job_id, job.filename, error=error)
            return BulkSync.objects.get(pk=job_id)
        for row, record in zip(to_send, result.records if result else [], strict=True):
            if record.ok:
                row.outcome = record.status.lower()
                row.message = ""
            else:
                row.outcome = BulkSyncRow.Outcome.REJECTED
                row.message = (record.message or record.validation)[:500]
            row.id_contact = record.id_record
        with transaction.atomic():
            BulkSyncRow.objects.bulk_update(batch, ["outcome", "message", "id_contact"])
            _bulk_progress(job_id, batch)
    BulkSync.objects.filter(pk=job_id).update(
        status=BulkSync.Status.DONE, finished_at=timezone.now()
    )
    job = BulkSync.objects.get(pk=job_id)
    _audit(
        job.user,
        "bulk sync",
        "finished",
        job_id,
        job.filename,
        detail=f"{job.created} created, {job.updated} updated, {job.rejected} rejected",
    )
    return job


def _bulk_progress(job_id: int, rows: list[BulkSyncRow]) -> None:
    from django.db.models import F

    count = {o: sum(r.outcome == o for r in rows) for o in BulkSyncRow.Outcome.values}
    BulkSync.objects.filter(pk=job_id).update(
        processed=F("processed") + len(rows) - count["pending"],
        created=F("created") + count["created"],
        updated=F("updated") + count["updated"],
        rejected=F("rejected") + count["rejected"],
        progressed_at=timezone.now(),
    )


def bulk_sync_resume(*, user, job_id: int) -> None:
    from contacts.tasks import bulk_sync_run as task

    _audit(user, "bulk sync", "resumed", job_id)
    task.enqueue(job_id)


def bulk_sync_report(*, job: BulkSync) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "email", "outcome", "message", "contact id"])
    for row in job.rows.order_by("line").iterator(chunk_size=2000):
        writer.writerow(
            [
                row.line,
                spreadsheet_safe(row.key),
                row.outcome,
                spreadsheet_safe(row.message),
                row.id_contact or "",
            ]
        )
    return out.getvalue()


# --- Mailings (issue 7) -------------------------------------------------------------------
def mailing_audience_size(*, id_filter: int | None) -> int:
    return DialogInsightClient().contacts_count(id_filter=id_filter)


def mailing_send(
    *,
    user,
    id_message: int,
    message_name: str,
    segment: Segment | None,
    launch_at: dt.datetime | None,
    token: str,
) -> Mailing:
    filter_ids = [segment.id_filter] if segment else None
    audience = segment.name if segment else "Everyone"
    action = "scheduled" if launch_at else "launched"
    label = f"{message_name} → {audience}"
    claim = submission_claim(token)
    client = DialogInsightClient()
    try:
        id_batch = client.send_batch(
            id_message=id_message, filter_ids=filter_ids, launch_at=launch_at
        )
    except ProviderError as error:
        _audit(user, "mailing", action, "", label, error=error)
        submission_failed(claim, error)
        raise
    submission_done(claim, id_batch)
    _audit(
        user,
        "mailing",
        action,
        id_batch,
        label,
        detail=f"at {launch_at:%Y-%m-%d %H:%M} UTC" if launch_at else "",
    )
    # The sending exists whatever happens now; the next periodic sync mirrors it otherwise.
    with contextlib.suppress(ProviderError):
        sync.sync_mailings(client)
    mailing, _ = Mailing.objects.get_or_create(
        id_batch=id_batch,
        defaults={
            "id_message": id_message,
            "message_name": message_name,
            "mode": "idFilters" if segment else "All",
            "audience": audience,
            "filter_ids": filter_ids or [],
            "launch_at": launch_at or timezone.now(),
            "status": "Scheduled" if launch_at else "Sending",
            "synced_at": timezone.now(),
        },
    )
    return mailing


def message_trigger(
    *,
    user,
    id_contact: int,
    contact_label: str,
    id_message: int,
    message_name: str,
    parameters: dict[str, str],
    token: str = "",
) -> int:
    # Recorded against the contact, so that its page lists it with the other changes.
    label = f"{message_name} → {contact_label}"
    claim = submission_claim(token)
    try:
        id_batch = DialogInsightClient().send_single(
            id_message=id_message, id_contact=id_contact, parameters=parameters
        )
    except ProviderError as error:
        _audit(user, "contact", "sent message", id_contact, label, error=error)
        submission_failed(claim, error)
        raise
    submission_done(claim, id_batch)
    _audit(user, "contact", "sent message", id_contact, label, detail=f"mailing #{id_batch}")
    return id_batch


def message_create(
    *, user, name: str, subject: str, sender: str, html: str, token: str = ""
) -> Message:
    claim = submission_claim(token)
    try:
        id_message = DialogInsightClient().message_create(
            name=name, subject=subject, sender=sender, html=html
        )
    except ProviderError as error:
        _audit(user, "message", "created", "", name, error=error)
        submission_failed(claim, error)
        raise
    submission_done(claim, id_message)
    _audit(user, "message", "created", id_message, name)
    with contextlib.suppress(ProviderError):
        sync.sync_messages()  # picks up the parameters the provider found in the body
    message, _ = Message.objects.get_or_create(
        id_message=id_message,
        defaults={"name": name, "subject": subject, "sender": sender, "synced_at": timezone.now()},
    )
    return message
