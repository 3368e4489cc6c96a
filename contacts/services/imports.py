"""Contact imports: a CRM file read into rows, then merged into the project in batches by the
worker (contacts/tasks.py), with each row's outcome kept for the report."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from contacts import mirror, nomenclature
from contacts.client import DialogInsightClient
from contacts.models import ContactImport, ContactImportRow, ProjectField
from contacts.services import audit
from contacts.services.contacts import project_definition
from dashboard import uploads
from dashboard.csvsafe import spreadsheet_safe
from dashboard.providers import ProviderError


class ImportFileError(ValueError):
    """The uploaded file cannot be read as contacts; the message says why, for the form."""


def parse_contacts_csv(raw: bytes, definition: list[ProjectField]) -> list[tuple[int, str, dict]]:
    """[(line, key, {provider name: value})] from a CRM CSV, or `ImportFileError`.
    Columns are matched to the project by code or label (case-insensitive); values are
    checked and converted per row later, by the provider's own validation."""
    # The one reader of uploaded files (encoding and delimiter detected, as the dialer's import).
    file = io.BytesIO(raw)
    try:
        fmt = uploads.detect(file, "contacts.csv")
        reader = uploads.read_csv(file, fmt)
        header = next(reader, (0, None))[1]
    except uploads.UploadError as exc:
        raise ImportFileError(str(exc)) from exc
    if header is None:
        raise ImportFileError(gettext("The file has no header row."))
    lookup: dict[str, ProjectField] = {}
    for d in definition:
        lookup[d.code.lower()] = d
        lookup[d.label.lower()] = d
    columns: list[ProjectField | None] = [lookup.get(h.strip().lower()) for h in header]
    key_field = next((d for d in definition if d.is_key), None)
    if key_field is None or key_field not in columns:
        label = key_field.label if key_field else nomenclature.PROJECT_KEY_CODE
        found = ", ".join(h.strip() for h in header) or gettext("none")
        raise ImportFileError(
            gettext(
                "The header has no '%(label)s' column, which identifies each contact. "
                "Columns found: %(columns)s."
            )
            % {"label": label, "columns": found}
        )
    unknown = [h for h, c in zip(header, columns, strict=False) if c is None and h.strip()]
    if unknown:
        raise ImportFileError(
            gettext(
                "These columns are not fields of the project: %(columns)s. "
                "Rename or remove them (the project's fields are listed on this page)."
            )
            % {"columns": ", ".join(unknown)}
        )
    rows = []
    try:
        for line, values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise ImportFileError(
                    gettext("Line %(line)s has %(count)s columns, the header has %(header)s.")
                    % {"line": line, "count": len(values), "header": len(header)}
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
        raise ImportFileError(str(exc)) from exc
    if not rows:
        raise ImportFileError(gettext("The file has a header but no contacts."))
    return rows


def _crm_date(value: str) -> str:
    """CRM exports write ISO dates; the provider wants YYYY.MM.DD. Anything else is passed
    through for the provider to reject on that row."""
    try:
        return nomenclature.to_provider_date(dt.date.fromisoformat(value))
    except ValueError:
        return value


def import_create(*, user, filename: str, raw: bytes) -> ContactImport:
    """The file's rows, stored as a queued import (the caller queues its run: import_run)."""
    rows = parse_contacts_csv(raw, project_definition())
    key_max = ContactImportRow._meta.get_field("key").max_length
    # A key cut to fit the column would merge a different contact: such a row is rejected
    # here, kept in the report, and never sent.
    too_long = sum(len(key) > key_max for _, key, _ in rows)
    with transaction.atomic():
        job = ContactImport.objects.create(
            user=user,
            filename=filename[:200],
            total=len(rows),
            processed=too_long,
            rejected=too_long,
        )
        ContactImportRow.objects.bulk_create(
            [
                ContactImportRow(job=job, line=line, key=key[:key_max], data=data)
                if len(key) <= key_max
                else ContactImportRow(
                    job=job,
                    line=line,
                    key=key[: key_max - 1] + "…",
                    data={},
                    outcome=ContactImportRow.Outcome.REJECTED,
                    message=ContactImportRow.KEY_TOO_LONG % {"max": key_max},
                )
                for line, key, data in rows
            ],
            batch_size=1000,
        )
    audit.event(user, "contact import", "started", job.pk, filename, f"{len(rows)} rows").record()
    return job


def import_run(*, import_id: int, batch_size: int = 100) -> ContactImport:
    """Merge a job's pending rows batch by batch, recording each row's outcome as it goes.

    A provider failure stops the job with its pending rows kept (nothing lost); resuming
    re-sends only those. Contacts.Merge upserts by key, so a batch whose answer was lost to a
    timeout is safely merged again on resume: it cannot duplicate a contact.
    """
    job = ContactImport.objects.get(pk=import_id)
    now = timezone.now()
    stalled = Q(status=ContactImport.Status.RUNNING) & (
        Q(progressed_at__lt=now - ContactImport.STALLED_AFTER)
        | Q(progressed_at__isnull=True, created_at__lt=now - ContactImport.STALLED_AFTER)
    )
    claimed = (
        ContactImport.objects.filter(pk=import_id)
        .filter(Q(status__in=[ContactImport.Status.QUEUED, ContactImport.Status.FAILED]) | stalled)
        .update(status=ContactImport.Status.RUNNING, error="", progressed_at=now)
    )
    if not claimed:
        return job  # another worker runs it
    client = DialogInsightClient()
    pending = ContactImportRow.objects.filter(
        job_id=import_id, outcome=ContactImportRow.Outcome.PENDING
    )
    while True:
        batch = list(pending.order_by("line")[:batch_size])
        if not batch:
            break
        invalid = [r for r in batch if not r.key]
        for row in invalid:
            row.outcome = ContactImportRow.Outcome.REJECTED
            row.message = ContactImportRow.EMPTY_KEY
        to_send = [r for r in batch if r.key]
        try:
            result = (
                client.contact_merge([(r.key, r.data) for r in to_send], batch_size=batch_size)
                if to_send
                else None
            )
        except ProviderError as error:
            ContactImportRow.objects.bulk_update(invalid, ["outcome", "message"])
            _import_progress(import_id, invalid)
            ContactImport.objects.filter(pk=import_id).update(
                status=ContactImport.Status.FAILED, error=str(error), finished_at=timezone.now()
            )
            event = audit.event(job.user, "contact import", "stopped", import_id, job.filename)
            event.failed(error)
            event.record()
            return ContactImport.objects.get(pk=import_id)
        for row, record in zip(to_send, result.records if result else [], strict=True):
            if record.ok:
                row.outcome = record.status.lower()
                row.message = ""
            else:
                row.outcome = ContactImportRow.Outcome.REJECTED
                row.message = (record.message or record.validation)[:500]
            row.contact_id = record.contact_id
        with transaction.atomic():
            ContactImportRow.objects.bulk_update(batch, ["outcome", "message", "contact_id"])
            _import_progress(import_id, batch)
            mirror.contacts_changed(
                [
                    (row.contact_id, row.key, _name(row.data), f"imported from {job.filename}")
                    for row in to_send
                    if row.outcome != ContactImportRow.Outcome.REJECTED
                ],
                by=job.user,
            )
    ContactImport.objects.filter(pk=import_id).update(
        status=ContactImport.Status.DONE, finished_at=timezone.now()
    )
    job = ContactImport.objects.get(pk=import_id)
    audit.event(
        job.user,
        "contact import",
        "finished",
        import_id,
        job.filename,
        f"{job.created} created, {job.updated} updated, {job.rejected} rejected",
    ).record()
    return job


def _name(data: dict[str, str]) -> str:
    return nomenclature.display_name(nomenclature.field_values(data))


def _import_progress(import_id: int, rows: list[ContactImportRow]) -> None:
    count = {o: sum(r.outcome == o for r in rows) for o in ContactImportRow.Outcome.values}
    ContactImport.objects.filter(pk=import_id).update(
        processed=F("processed") + len(rows) - count["pending"],
        created=F("created") + count["created"],
        updated=F("updated") + count["updated"],
        rejected=F("rejected") + count["rejected"],
        progressed_at=timezone.now(),
    )


def import_resume(*, user, import_id: int) -> None:
    """Say who resumed a stopped import (the caller queues its run again: import_run)."""
    audit.event(user, "contact import", "resumed", import_id).record()


def import_report(*, job: ContactImport) -> str:
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
                row.contact_id or "",
            ]
        )
    return out.getvalue()
