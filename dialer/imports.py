"""Bulk import of contacts into a dialer campaign, in the steps a user sees: upload (the file is
streamed into a staging table in chunks), map the columns, check (every row validated, duplicates
found on the normalised phone, in the file and against the campaign), send the clean rows as the
provider's JSON-file import, then follow the provider's job until it completes or fails."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from dashboard.audit import audit_record
from dashboard.csvsafe import spreadsheet_safe
from dashboard.models import AuditEvent
from dashboard.providers import ProviderError
from dialer.bulk import insert_many
from dialer.client import CCAIClient, ContactInput
from dialer.jsonstream import JSONStreamError, json_array_items
from dialer.mirror import contacts_add_pending
from dialer.models import (
    DialerCampaign,
    DialerContact,
    DialerImport,
    DialerImportRow,
    DialerUploadRow,
)
from dialer.phones import PhoneError, normalise_phone

CHUNK = 2000
MAX_ROWS = 250_000
FIELDS = ["name", "phone_number", "email", "external_unique_id", "outbound_number"]
FIELD_LABELS = {
    "name": "Name",
    "phone_number": "Phone",
    "email": "Email",
    "external_unique_id": "External id",
    "outbound_number": "Outbound number",
}
REQUIRED = ("name", "phone_number", "email")
# Header spellings recognised when proposing the mapping (lower-case, spaces/underscores/dashes
# removed).
GUESSES = {
    "name": ["name", "fullname", "contactname", "nom", "customer", "customername"],
    "phone_number": ["phone", "phonenumber", "telephone", "tel", "mobile", "cell", "number"],
    "email": ["email", "emailaddress", "mail", "courriel"],
    "external_unique_id": ["externaluniqueid", "externalid", "uid", "customerid", "reference"],
    "outbound_number": ["outboundnumber", "callerid", "outbound", "fromnumber"],
}


class ImportFileError(Exception):
    """The file cannot be read: the message tells the user what to fix."""


class ImportOutcomeUnknown(ProviderError):
    """The send got no readable answer (a timeout, a dropped connection, a 200 Switchboard
    cannot read): CCAI Platform may have started the job, so "nothing was imported" would be
    a lie that invites sending the same contacts again."""


# --- Reading files ------------------------------------------------------------------------


def _text(binary: IO[bytes]) -> io.TextIOWrapper:
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


def _csv_rows(binary: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    text = _text(binary)
    sample = text.read(8192)
    if not sample.strip():
        raise ImportFileError("The file is empty.")
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    text.seek(0)
    reader = csv.reader(text, dialect)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as error:
        raise ImportFileError(f"Line {reader.line_num} is not valid CSV ({error}).") from None


def _unique_headers(raw: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    headers = []
    for i, name in enumerate(raw, 1):
        name = (name or "").strip() or f"Column {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        headers.append(name)
    return headers


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def guess_mapping(columns: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    keys = {c: c.lower().replace(" ", "").replace("_", "").replace("-", "") for c in columns}
    for field, spellings in GUESSES.items():
        for spelling in spellings:
            match = next((c for c, k in keys.items() if k == spelling), None)
            if match and match not in mapping.values():
                mapping[field] = match
                break
    return mapping


def file_format(name: str, head: bytes) -> str:
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    return "json" if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"[" else "csv"


def import_create(
    *, user: Any, campaign: DialerCampaign, file: IO[bytes], file_name: str
) -> DialerImport:
    """Stream `file` into staging rows (CHUNK at a time, in one transaction: a file that turns
    out malformed halfway leaves nothing behind). Raises ImportFileError."""
    head = file.read(64)
    file.seek(0)
    kind = file_format(file_name, head)
    upload = DialerImport(
        campaign=campaign, created_by=user, file_name=file_name[:255], file_format=kind
    )
    try:
        with transaction.atomic():
            upload.save()
            total = _stage_csv(upload, file) if kind == "csv" else _stage_json(upload, file)
            if total == 0:
                raise ImportFileError("The file has no contacts (only a header, or nothing).")
            upload.total_rows = total
            upload.mapping = guess_mapping(upload.columns)
            upload.save(update_fields=["total_rows", "columns", "mapping"])
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” (or JSON in UTF-8) and upload it "
            "again."
        ) from None
    return upload


def _flush(batch: list[tuple]) -> None:
    insert_many(DialerUploadRow, ["upload", "line", "values"], batch)
    batch.clear()


def _check_size(count: int) -> None:
    if count > MAX_ROWS:
        raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows; split it.")


def _stage_csv(upload: DialerImport, file: IO[bytes]) -> int:
    rows = _csv_rows(file)
    header = next(rows, None)
    if header is None:
        raise ImportFileError("The file is empty.")
    upload.columns = _unique_headers(header[1])
    width = len(upload.columns)
    batch: list[tuple] = []
    count = 0
    for line, values in rows:
        if not any(v.strip() for v in values):
            continue
        count += 1
        _check_size(count)
        values = [v.strip() for v in values[:width]]
        batch.append((upload.pk, line, values))
        if len(batch) >= CHUNK:
            _flush(batch)
    _flush(batch)
    return count


def _stage_json(upload: DialerImport, file: IO[bytes]) -> int:
    columns: list[str] = []
    index_of: dict[str, int] = {}
    batch: list[tuple] = []
    count = 0
    try:
        for number, item in json_array_items(file):
            if not isinstance(item, dict):
                raise ImportFileError(f"Item {number} of the JSON array is not an object.")
            values: list[str] = [""] * len(columns)
            for key, value in item.items():
                if key not in index_of:
                    index_of[key] = len(columns)
                    columns.append(key)
                    values.append("")
                values[index_of[key]] = _cell(value)
            count += 1
            _check_size(count)
            batch.append((upload.pk, number, values))
            if len(batch) >= CHUNK:
                _flush(batch)
    except JSONStreamError as error:
        raise ImportFileError(str(error)) from None
    _flush(batch)
    upload.columns = columns
    return count


# --- Checking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedRow:
    values: dict[str, str]
    phone_e164: str
    problems: list[str]


def check_row(values: dict[str, str]) -> CheckedRow:
    """Validate one mapped row as the provider would (and stricter on phones)."""
    problems: list[str] = []
    phone = ""
    if not values.get("name"):
        problems.append("Name is missing.")
    try:
        phone = normalise_phone(values.get("phone_number", ""))
    except PhoneError as error:
        problems.append(str(error))
    email = values.get("email", "")
    if not email:
        problems.append("Email is missing.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"{email} is not an email address.")
    outbound = values.get("outbound_number", "")
    if outbound:
        try:
            values = {**values, "outbound_number": normalise_phone(outbound)}
        except PhoneError as error:
            problems.append(f"Outbound number: {error}")
    return CheckedRow(values=values, phone_e164=phone, problems=problems)


ROW_FIELDS = [
    "upload",
    "line",
    "kind",
    "problem",
    "name",
    "email",
    "phone_raw",
    "phone_e164",
    "outbound_number",
    "external_unique_id",
]


def check_mapping(mapping: dict[str, str]) -> None:
    missing = [FIELD_LABELS[f] for f in ("name", "phone_number") if not mapping.get(f)]
    if missing:
        raise ImportFileError(f"Choose the column holding: {', '.join(missing)}.")


def import_check(
    *,
    upload: DialerImport,
    mapping: dict[str, str],
    progress: Callable[[int], None] | None = None,
) -> DialerImport:
    """Apply the column mapping to every staged row and build the preview report. Rows are
    checked CHUNK at a time, each chunk committed, so that `progress(rows_done)` can be shown
    while a large file is checked; running it again starts over."""
    check_mapping(mapping)
    positions = {
        f: upload.columns.index(c) for f, c in mapping.items() if c and c in upload.columns
    }
    kind = DialerImportRow.Kind
    upload.rows.all().delete()
    done, last_line = 0, -1
    while True:
        chunk = list(
            upload.raw_rows.filter(line__gt=last_line)
            .order_by("line")
            .values_list("line", "values")[:CHUNK]
        )
        if not chunk:
            break
        batch: list[tuple] = []
        for line, cells in chunk:
            values = {f: (cells[i] if i < len(cells) else "")[:255] for f, i in positions.items()}
            checked = check_row(values)
            batch.append(
                (
                    upload.pk,
                    line,
                    kind.INVALID if checked.problems else kind.VALID,
                    " ".join(checked.problems)[:300],
                    checked.values.get("name", ""),
                    checked.values.get("email", "")[:254],
                    values.get("phone_number", "")[:100],
                    checked.phone_e164,
                    checked.values.get("outbound_number", "")[:40],
                    checked.values.get("external_unique_id", ""),
                )
            )
        insert_many(DialerImportRow, ROW_FIELDS, batch)
        done += len(chunk)
        last_line = chunk[-1][0]
        if progress:
            progress(done)
    with transaction.atomic():
        rows = DialerImportRow.objects.filter(upload=upload)
        # Already in the campaign (per the mirror): the provider would fail the whole job.
        rows.filter(kind=kind.VALID).filter(
            Exists(
                DialerContact.objects.filter(
                    campaign_id=upload.campaign_id, phone_e164=OuterRef("phone_e164")
                )
            )
        ).update(kind=kind.DUPLICATE_CAMPAIGN, problem="This phone is already in the campaign.")
        # Repeated in the file: the first valid row is kept, the later ones are rejected. The
        # repeated phones are found with one GROUP BY, then each group is marked through the
        # (upload, phone, line) index: a correlated UPDATE would be quadratic on SQLite.
        repeated = (
            rows.filter(kind=kind.VALID)
            .values("phone_e164")
            .annotate(first=Min("line"), n=Count("id"))
            .filter(n__gt=1)
            .values_list("phone_e164", "first")
        )
        table = connection.ops.quote_name(DialerImportRow._meta.db_table)
        mark = (
            f"UPDATE {table} SET kind = %s, problem = %s "
            "WHERE upload_id = %s AND phone_e164 = %s AND line > %s AND kind = %s"
        )
        batch = []
        for phone, first in repeated.iterator(CHUNK):
            batch.append(
                (
                    kind.DUPLICATE_FILE,
                    f"Same phone as line {first}.",
                    upload.pk,
                    phone,
                    first,
                    kind.VALID,
                )
            )
            if len(batch) >= CHUNK:
                with connection.cursor() as cursor:
                    cursor.executemany(mark, batch)
                batch.clear()
        if batch:
            with connection.cursor() as cursor:
                cursor.executemany(mark, batch)
        counts = dict(rows.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
        upload.mapping = mapping
        upload.valid_rows = counts.get(kind.VALID, 0)
        upload.invalid_rows = counts.get(kind.INVALID, 0)
        upload.duplicate_in_file = counts.get(kind.DUPLICATE_FILE, 0)
        upload.duplicate_in_campaign = counts.get(kind.DUPLICATE_CAMPAIGN, 0)
        upload.checked_rows = done
        upload.state = DialerImport.State.PREVIEWED
        upload.error_message = ""
        upload.save()
    return upload


# Files up to this many rows are checked within the request (a few seconds at most); larger
# ones by a worker task, the page showing the progress.
INLINE_CHECK_ROWS = 20_000
# A check whose task was never taken this long after the request (it could not be queued) is
# run by the worker's periodic import poll.
UNCLAIMED_CHECK = timedelta(seconds=5)
STALE_CHECK = timedelta(minutes=10)


def import_map(*, upload: DialerImport, mapping: dict[str, str]) -> DialerImport:
    """Record the column mapping and check the rows now (small files); a larger file is left
    checking for a worker: the caller enqueues `tasks.check_import`, and the worker's import
    poll runs a check that no task took."""
    check_mapping(mapping)
    DialerImport.objects.filter(pk=upload.pk).update(
        mapping=mapping,
        state=DialerImport.State.CHECKING,
        checked_rows=0,
        check_requested_at=timezone.now(),
        check_started_at=None,
        error_message="",
    )
    upload.refresh_from_db()
    if upload.total_rows <= INLINE_CHECK_ROWS:
        run_check(upload)
        upload.refresh_from_db()
    return upload


def run_check(upload: DialerImport) -> bool:
    """Check a requested import unless someone else already is (or was, and died long ago)."""
    now = timezone.now()
    claimed = (
        DialerImport.objects.filter(pk=upload.pk, state=DialerImport.State.CHECKING)
        .filter(Q(check_started_at__isnull=True) | Q(check_started_at__lt=now - STALE_CHECK))
        .update(check_started_at=now)
    )
    if not claimed:
        return False
    upload.refresh_from_db()

    def progress(rows: int) -> None:
        DialerImport.objects.filter(pk=upload.pk).update(checked_rows=rows)

    import_check(upload=upload, mapping=upload.mapping, progress=progress)
    return True


def check_if_unclaimed(upload: DialerImport) -> None:
    """The worker's fallback for a check whose task was never taken."""
    requested = upload.check_requested_at
    if (
        upload.state == DialerImport.State.CHECKING
        and upload.check_started_at is None
        and requested is not None
        and requested < timezone.now() - UNCLAIMED_CHECK
    ):
        run_check(upload)


# --- Sending and following ----------------------------------------------------------------


def _valid_inputs(upload: DialerImport) -> Iterator[ContactInput]:
    rows = upload.rows.filter(kind=DialerImportRow.Kind.VALID).order_by("line")
    for row in rows.iterator(chunk_size=CHUNK):
        yield ContactInput(
            name=row.name,
            phone_number=row.phone_e164,
            email=row.email,
            outbound_number=row.outbound_number,
            external_unique_id=row.external_unique_id,
        )


def _audit(user: Any, upload: DialerImport, action: str, outcome: str, detail: str) -> None:
    audit_record(
        user=user,
        provider="ccai",
        object_type="contact import",
        action=action,
        object_id=upload.provider_job_id or upload.pk,
        object_label=f"{upload.file_name} → {upload.campaign.name}",
        outcome=outcome,
        detail=detail,
    )


def import_send(*, user: Any, upload: DialerImport) -> DialerImport:
    """Send the valid rows as one provider import job. Only one request can send a given
    import (the state is claimed first), so a double click never imports twice."""
    if upload.valid_rows == 0:
        raise ImportFileError("No valid rows to send.")
    claimed = DialerImport.objects.filter(pk=upload.pk, state=DialerImport.State.PREVIEWED).update(
        state=DialerImport.State.SUBMITTING, submitted_at=timezone.now()
    )
    if not claimed:
        upload.refresh_from_db()
        return upload
    try:
        job_id = CCAIClient().import_job_create(upload.campaign.provider_id, _valid_inputs(upload))
    except ProviderError as error:
        if error.outcome_unknown:
            error = ImportOutcomeUnknown(
                f"{error} CCAI Platform may have started the import: refresh the board and "
                "look for these contacts before sending again.",
                provider=error.provider,
                status=error.status,
            )
        DialerImport.objects.filter(pk=upload.pk).update(
            state=DialerImport.State.PREVIEWED, error_message=str(error)
        )
        _audit(user, upload, "send", AuditEvent.Outcome.ERROR, str(error))
        raise error from None
    now = timezone.now()
    DialerImport.objects.filter(pk=upload.pk).update(
        state=DialerImport.State.IN_PROGRESS,
        provider_job_id=job_id,
        provider_status="in_progress",
        submitted_at=now,
        error_message="",
    )
    upload.refresh_from_db()
    # The raw file is no longer needed once its rows are checked and sent.
    upload.raw_rows.all().delete()
    _audit(
        user,
        upload,
        "send",
        AuditEvent.Outcome.OK,
        f"Sent {upload.valid_rows} contacts; CCAI job {job_id}.",
    )
    return upload


def import_refresh(*, upload: DialerImport, min_interval: float = 1.0) -> DialerImport:
    """Ask the provider how the job is doing (at most once per `min_interval` however many
    workers poll) and record the outcome once. A provider error leaves the import as it was.
    Only the worker calls this: the page showing the progress reads what it recorded."""
    now = timezone.now()
    if upload.state == DialerImport.State.SUBMITTING:
        _recover_interrupted_send(upload, now)
        upload.refresh_from_db()
    if upload.state != DialerImport.State.IN_PROGRESS:
        return upload
    recent = now - timedelta(seconds=min_interval)
    claimed = (
        DialerImport.objects.filter(pk=upload.pk, state=DialerImport.State.IN_PROGRESS)
        .exclude(checked_at__gt=recent)
        .update(checked_at=now)
    )
    if not claimed:
        upload.refresh_from_db()
        return upload
    try:
        job = CCAIClient().import_job_get(upload.campaign.provider_id, upload.provider_job_id)
    except ProviderError as error:
        changes: dict[str, Any] = {"error_message": str(error)}
        if error.retry_after:
            # A 429's Retry-After holds every poller (pages, worker) back, not just this one.
            changes["checked_at"] = now + timedelta(seconds=error.retry_after - min_interval)
        DialerImport.objects.filter(pk=upload.pk).update(**changes)
        upload.refresh_from_db()
        return upload
    if job.status == "completed":
        _complete(upload)
    elif job.status == "failed":
        _fail(upload, job.error_message, job.error_details)
    else:
        DialerImport.objects.filter(pk=upload.pk).update(
            provider_status=job.status, error_message=""
        )
    upload.refresh_from_db()
    return upload


def _recover_interrupted_send(upload: DialerImport, now: datetime) -> None:
    """A send whose request died before CCAI's answer was recorded (a restart, a crash): after
    ten minutes the import is offered again, with a warning, rather than spinning forever."""
    if upload.submitted_at and upload.submitted_at < now - timedelta(minutes=10):
        DialerImport.objects.filter(pk=upload.pk, state=DialerImport.State.SUBMITTING).update(
            state=DialerImport.State.PREVIEWED,
            error_message=(
                "Sending was interrupted before CCAI Platform answered. Check the campaign's "
                "contacts (Refresh on the board) before sending again."
            ),
        )


def _complete(upload: DialerImport) -> None:
    with transaction.atomic():
        won = DialerImport.objects.filter(
            pk=upload.pk, state=DialerImport.State.IN_PROGRESS
        ).update(
            state=DialerImport.State.COMPLETED,
            provider_status="completed",
            finished_at=timezone.now(),
            error_message="",
        )
        if not won:
            return
        # The job's answer carries no contact ids: show the rows now, the sync links them.
        valid = upload.rows.filter(kind=DialerImportRow.Kind.VALID).values_list(
            "name", "email", "phone_e164", "outbound_number", "external_unique_id"
        )
        added = contacts_add_pending(upload.campaign_id, valid.iterator(CHUNK))
    # Recorded in the name of whoever sent the file, whichever request or task saw it finish.
    _audit(
        upload.created_by,
        upload,
        "completed",
        AuditEvent.Outcome.OK,
        f"{added} contact{'' if added == 1 else 's'} imported.",
    )


def _fail(upload: DialerImport, message: str, details: str) -> None:
    won = DialerImport.objects.filter(pk=upload.pk, state=DialerImport.State.IN_PROGRESS).update(
        state=DialerImport.State.FAILED,
        provider_status="failed",
        finished_at=timezone.now(),
        error_message=message or "The import failed.",
        error_details=details,
    )
    if won:
        _audit(
            upload.created_by,
            upload,
            "failed",
            AuditEvent.Outcome.ERROR,
            f"{message} {details}".strip(),
        )


def explain_failure(upload: DialerImport) -> str:
    if "DuplicateContactPhoneOnCampaign" in upload.error_details:
        return (
            "CCAI Platform refused the whole file: at least one phone number is already in the "
            "campaign (added since the check, or not yet in Switchboard's copy). No contact was "
            "imported. Refresh the campaign, check the file again and resend."
        )
    detail = f" ({upload.error_details})" if upload.error_details else ""
    return f"CCAI Platform could not import the file: {upload.error_message}{detail}."


def clean_old_imports(*, now: datetime | None = None) -> int:
    """Files uploaded but never sent are dropped after a day; the rows of finished imports
    (kept for the rejected-rows download) after 30 days."""
    now = now or timezone.now()
    abandoned = DialerImport.objects.filter(
        state__in=[DialerImport.State.UPLOADED, DialerImport.State.PREVIEWED],
        created_at__lt=now - timedelta(days=1),
    )
    removed, _ = abandoned.delete()
    old = DialerImport.objects.filter(
        state__in=[DialerImport.State.COMPLETED, DialerImport.State.FAILED],
        finished_at__lt=now - timedelta(days=30),
    )
    for upload in old:
        removed += upload.rows.all().delete()[0]
    return removed


def poll_pending_imports() -> list[DialerImport]:
    """The worker's periodic poll, the only thing that moves an import on once it is asked
    for: it runs a check whose task was never taken, follows the jobs at CCAI, and puts an
    interrupted send back to ready. Returns the imports it looked at, as they now stand."""
    polled = []
    for upload in DialerImport.objects.filter(
        state__in=[
            DialerImport.State.CHECKING,
            DialerImport.State.IN_PROGRESS,
            DialerImport.State.SUBMITTING,
        ]
    ):
        if upload.state == DialerImport.State.CHECKING:
            check_if_unclaimed(upload)
        else:
            upload = import_refresh(upload=upload)
        polled.append(upload)
    return polled


def rejected_rows(upload: DialerImport) -> Iterator[list[str]]:
    yield ["line", "reason", *[FIELD_LABELS[f] for f in FIELDS]]
    rows = upload.rows.exclude(kind=DialerImportRow.Kind.VALID).order_by("line")
    for row in rows.iterator(chunk_size=CHUNK):
        # Values come from the uploaded file: never a live formula in the user's spreadsheet.
        yield [
            str(row.line),
            *map(
                spreadsheet_safe,
                (
                    row.problem,
                    row.name,
                    row.phone_raw,
                    row.email,
                    row.external_unique_id,
                    row.outbound_number,
                ),
            ),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def rejected_csv(upload: DialerImport) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield codecs.BOM_UTF8.decode()
    for row in rejected_rows(upload):
        yield writer.writerow(row)
