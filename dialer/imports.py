"""Bulk import of contacts into a dialer campaign, in the steps a user sees: upload (the file is
kept as it came, in pieces, and read with dashboard/uploads.py), map the columns (and correct the
encoding or delimiter), check (every row validated, duplicates found on the normalised phone, in
the file and against the campaign; rejected rows can be corrected one by one), send the clean
rows as the provider's JSON-file import, then follow the provider's job until it completes or
fails.

A check and a send are held by whoever runs them under a lease they renew as they go: a process
that dies lets its lease expire, and the worker's import poll resumes the check (or offers the
send again) within a minute."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from dashboard import uploads
from dashboard.audit import Audited
from dashboard.csvsafe import spreadsheet_safe
from dashboard.models import Preferences
from dashboard.numbers import number
from dashboard.providers import ProviderError
from dialer.bulk import insert_many
from dialer.client import CCAIClient, ContactInput
from dialer.mirror import contacts_add_pending
from dialer.models import (
    DialerCampaign,
    DialerContact,
    DialerImport,
    DialerImportRow,
    DialerUploadChunk,
)
from dialer.phones import PhoneError, normalise_phone

CHUNK = 2000  # rows checked, written and reported at a time
FILE_CHUNK = 1 << 20  # bytes of the uploaded file per stored piece
MAX_ROWS = 250_000
FIELDS = ["name", "phone_number", "email", "external_unique_id", "outbound_number"]
FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "phone_number": gettext_lazy("Phone"),
    "email": gettext_lazy("Email"),
    "external_unique_id": gettext_lazy("External id"),
    "outbound_number": gettext_lazy("Outbound number"),
}
REQUIRED = ("name", "phone_number", "email")
# Headers recognised when proposing the mapping, in English and French, compared without
# accents, case, spaces or punctuation ("Téléphone", "E-mail", "No_de_tél" …); the first
# spelling a file has wins.
GUESSES = {
    "name": [
        "fullname",
        "name",
        "nomcomplet",
        "contactname",
        "customername",
        "nomclient",
        "nom",
        "lastname",
        "surname",
        "nomdefamille",
        "client",
        "customer",
        "contact",
    ],
    "phone_number": [
        "phone",
        "phonenumber",
        "telephone",
        "telephonenumber",
        "numerodetelephone",
        "nodetelephone",
        "notelephone",
        "notel",
        "tel",
        "mobile",
        "mobilephone",
        "cell",
        "cellphone",
        "cellulaire",
        "portable",
        "number",
        "numero",
    ],
    "email": [
        "email",
        "emailaddress",
        "courriel",
        "adressecourriel",
        "adresseemail",
        "adresseelectronique",
        "mail",
    ],
    "external_unique_id": [
        "externaluniqueid",
        "externalid",
        "identifiant",
        "identifiantexterne",
        "customerid",
        "clientid",
        "idclient",
        "noclient",
        "numeroclient",
        "crmid",
        "uid",
        "id",
        "reference",
        "ref",
    ],
    "outbound_number": [
        "outboundnumber",
        "callerid",
        "outbound",
        "fromnumber",
        "numerosortant",
        "numeroappelant",
        "afficheur",
    ],
}


class ImportFileError(Exception):
    """The file cannot be read, or the step cannot be taken: the message tells the user what to
    fix."""


class ImportOutcomeUnknown(ProviderError):
    """The send got no readable answer (a timeout, a dropped connection, a 200 Switchboard
    cannot read): CCAI Platform may have started the job, so "nothing was imported" would be
    a lie that invites sending the same contacts again."""


class _LeaseLost(Exception):
    """Someone else took over this check (a user's restart, a worker after an expired lease)."""


def in_uploader_language(upload: DialerImport) -> AbstractContextManager:
    """What the worker writes for people about an import (its rows' problems, why it stopped)
    is in the language of whoever uploaded the file, when they chose one; a request writes in
    its user's language."""
    language = (
        Preferences.objects.filter(user_id=upload.created_by_id)
        .values_list("language", flat=True)
        .first()
    )
    return translation.override(language or translation.get_language())


# --- The stored file ------------------------------------------------------------------------


class _StoredFile(io.RawIOBase):
    """An upload's stored pieces read back in order, one at a time."""

    def __init__(self, upload: DialerImport) -> None:
        self._pieces = upload.chunks.order_by("index").values_list("data", flat=True)
        self._index = 0
        self._piece = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._piece:
            data = self._pieces.filter(index=self._index).first()
            if data is None:
                return 0
            self._piece = memoryview(bytes(data))
            self._index += 1
        size = min(len(buffer), len(self._piece))
        buffer[:size] = self._piece[:size]
        self._piece = self._piece[size:]
        return size


def _stored(upload: DialerImport) -> IO[bytes]:
    return io.BufferedReader(_StoredFile(upload), buffer_size=FILE_CHUNK)


def _store(upload: DialerImport, file: IO[bytes]) -> None:
    file.seek(0)
    index = 0
    while data := file.read(FILE_CHUNK):
        DialerUploadChunk.objects.create(upload=upload, index=index, data=data)
        index += 1


def _format(upload: DialerImport) -> uploads.FileFormat:
    return uploads.FileFormat(upload.file_format, upload.encoding, upload.delimiter)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _unique_headers(raw: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    headers = []
    for i, name in enumerate(raw, 1):
        name = (name or "").strip().lstrip("\ufeff") or gettext("Column %(number)s") % {"number": i}
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        headers.append(name)
    return headers


def _not_an_object(item: Any) -> str:
    shown = json.dumps(item, ensure_ascii=False)
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    if isinstance(item, list):
        sentence = gettext("This item is an array (%(item)s), not a contact object.")
    elif item is None:
        sentence = gettext("This item is empty (%(item)s), not a contact object.")
    else:
        sentence = gettext("This item is a value (%(item)s), not a contact object.")
    return sentence % {"item": shown}


class Record(NamedTuple):
    """One row of the file as the check reads it: its line (CSV) or item number (JSON), its
    cells in the order of the import's columns, or why it cannot be a contact. (A named tuple:
    a large check makes 100,000 of them.)"""

    line: int
    cells: list[str]
    problem: str = ""


def _has_text(cells: list[str]) -> bool:
    """Whether a CSV row is more than blanks (joined and stripped at once: a generator over
    the cells cost more than reading them)."""
    return bool("".join(cells).strip())


def import_records(upload: DialerImport) -> Iterator[Record]:
    """The file's contact rows (blank rows skipped), read from the stored pieces."""
    columns = upload.columns
    fmt = _format(upload)
    file = _stored(upload)
    if fmt.kind == "json":
        for number, item in uploads.read_json(file, fmt):
            if isinstance(item, dict):
                yield Record(number, [_cell(item.get(c)) for c in columns])
            else:
                yield Record(number, [], _not_an_object(item))
        return
    rows = uploads.read_csv(file, fmt)
    next(rows, None)  # the header
    for line, cells in rows:
        if _has_text(cells):
            yield Record(line, cells)


def _survey(upload: DialerImport) -> None:
    """Read the whole stored file once with the import's encoding and delimiter: its columns
    and number of contact rows, and the proposed mapping. Raises ImportFileError."""
    fmt = _format(upload)
    try:
        if fmt.kind == "json":
            columns: dict[str, None] = {}
            total = objects = 0
            for _, item in uploads.read_json(_stored(upload), fmt):
                total += 1
                if isinstance(item, dict):
                    objects += 1
                    columns.update(dict.fromkeys(item))
                _check_size(total)
            if total and not objects:
                raise ImportFileError(
                    gettext(
                        "The JSON array holds no contact objects: each contact is "
                        '{"name": …, "phone": …, "email": …}.'
                    )
                )
            upload.columns = [str(c) for c in columns]
        else:
            rows = uploads.read_csv(_stored(upload), fmt)
            header = next(rows, None)
            if header is None:
                raise ImportFileError(gettext("The file is empty."))
            upload.columns = _unique_headers(header[1])
            total = 0
            for _, cells in rows:
                if _has_text(cells):
                    total += 1
                    _check_size(total)
    except uploads.UploadError as error:
        raise ImportFileError(str(error)) from None
    if total == 0:
        raise ImportFileError(gettext("The file has no contacts (only a header, or nothing)."))
    upload.total_rows = total
    upload.mapping = guess_mapping(upload.columns)


def _check_size(count: int) -> None:
    if count > MAX_ROWS:
        raise ImportFileError(
            gettext("The file has more than %(count)s rows; split it.")
            % {"count": number(MAX_ROWS)}
        )


def _header_key(header: str) -> str:
    plain = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def guess_mapping(columns: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    keys = {c: _header_key(c) for c in columns}
    for field, spellings in GUESSES.items():
        for spelling in spellings:
            match = next((c for c, k in keys.items() if k == spelling), None)
            if match and match not in mapping.values():
                mapping[field] = match
                break
    return mapping


def import_create(
    *, user: Any, campaign: DialerCampaign, file: IO[bytes], file_name: str
) -> DialerImport:
    """Keep an uploaded file (step 1) and read its columns. Raises ImportFileError, leaving
    nothing behind."""
    try:
        fmt = uploads.detect(file, file_name)
    except uploads.UploadError as error:
        raise ImportFileError(str(error)) from None
    with transaction.atomic():
        upload = DialerImport.objects.create(
            campaign=campaign,
            created_by=user,
            file_name=file_name[:255],
            file_format=fmt.kind,
            encoding=fmt.encoding,
            delimiter=fmt.delimiter,
        )
        _store(upload, file)
        _survey(upload)
        upload.save(update_fields=["total_rows", "columns", "mapping"])
    return upload


def import_reformat(*, upload: DialerImport, encoding: str, delimiter: str) -> DialerImport:
    """Read the file again with another encoding or delimiter (the columns page's "Read the
    file as"). Nothing changes if it cannot be read so: raises ImportFileError."""
    if upload.state not in (DialerImport.State.UPLOADED, DialerImport.State.PREVIEWED):
        raise ImportFileError(gettext("This import is past its columns step."))
    trial = DialerImport.objects.get(pk=upload.pk)
    trial.encoding, trial.delimiter = encoding, delimiter
    _survey(trial)
    with transaction.atomic():
        trial.rows.all().delete()
        trial.state = DialerImport.State.UPLOADED
        trial.save(
            update_fields=["encoding", "delimiter", "columns", "total_rows", "mapping", "state"]
        )
    return trial


def import_sample(upload: DialerImport, count: int = 5) -> list[Record]:
    """The first rows of the file, for the columns page (never fails: a file that became
    unreadable shows none)."""
    sample: list[Record] = []
    try:
        for record in import_records(upload):
            sample.append(record)
            if len(sample) >= count:
                break
    except uploads.UploadError:
        pass
    return sample


# --- Checking -----------------------------------------------------------------------------

# Django's own email check, run only when this stricter pattern (a subset of what it accepts:
# a dot-atom user, ASCII labels and a letters-only top-level domain) does not already say yes.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def is_email(value: str) -> bool:
    if len(value) <= 320 and _PLAIN_EMAIL.fullmatch(value):
        return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


class CheckedRow(NamedTuple):
    values: dict[str, str]
    phone_e164: str
    problems: list[str]


def check_row(
    values: dict[str, str], normalise: Callable[[str], str] = normalise_phone
) -> CheckedRow:
    """Validate one mapped row as the provider would (and stricter on phones)."""
    problems: list[str] = []
    phone = ""
    if not values.get("name"):
        problems.append(gettext("Name is missing."))
    try:
        phone = normalise(values.get("phone_number", ""))
    except PhoneError as error:
        problems.append(str(error))
    email = values.get("email", "")
    if not email:
        problems.append(gettext("Email is missing."))
    elif not is_email(email):
        problems.append(gettext("%(email)s is not an email address.") % {"email": email})
    outbound = values.get("outbound_number", "")
    if outbound:
        try:
            values = {**values, "outbound_number": normalise(outbound)}
        except PhoneError as error:
            problems.append(gettext("Outbound number: %(problem)s") % {"problem": error})
    return CheckedRow(values=values, phone_e164=phone, problems=problems)


# How many distinct numbers one check remembers the answer for (under a megabyte: a file's
# outbound numbers are few, and a large file of distinct phones would gain nothing from more).
PHONE_MEMO = 5_000


def _once_per_number() -> Callable[[str], str]:
    """`normalise_phone` asked once per distinct number during one check: a file repeats its
    outbound number on every row, a duplicate its phone. The answers (or the problem, in the
    check's language) for the first PHONE_MEMO numbers are kept."""
    answers: dict[str, tuple[str, str]] = {}

    def normalise(raw: str) -> str:
        answer = answers.get(raw)
        if answer is None:
            try:
                answer = (normalise_phone(raw), "")
            except PhoneError as error:
                answer = ("", str(error))
            if len(answers) < PHONE_MEMO:
                answers[raw] = answer
        if answer[1]:
            raise PhoneError(answer[1])
        return answer[0]

    return normalise


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
KIND_COUNTS = {
    DialerImportRow.Kind.VALID: "valid_rows",
    DialerImportRow.Kind.INVALID: "invalid_rows",
    DialerImportRow.Kind.DUPLICATE_FILE: "duplicate_in_file",
    DialerImportRow.Kind.DUPLICATE_CAMPAIGN: "duplicate_in_campaign",
}
_NO_VALUES = ("",) * (len(ROW_FIELDS) - 4)


def _in_campaign_problem() -> str:
    return gettext("This phone is already in the campaign.")


def _same_phone(line: int) -> str:
    return gettext("Same phone as line %(line)s.") % {"line": line}


def check_mapping(mapping: dict[str, str]) -> None:
    missing = [FIELD_LABELS[f] for f in ("name", "phone_number") if not mapping.get(f)]
    if missing:
        raise ImportFileError(
            gettext("Choose the column holding: %(fields)s.")
            % {"fields": ", ".join(map(str, missing))}
        )


# Files up to this many rows are checked within the request (a few seconds at most); larger
# ones by a worker task, the page showing the progress.
INLINE_CHECK_ROWS = 20_000
# A check whose task was never taken this long after it was asked for (it could not be
# queued) is run by the worker's periodic import poll.
UNCLAIMED_CHECK = timedelta(seconds=5)
# A running check renews its lease after every CHUNK rows (well under a second each): one that
# has not for this long was run by a process that died, and the worker's poll resumes it.
CHECK_LEASE = timedelta(seconds=30)


def _send_lease() -> timedelta:
    """How long a send may go without news before it is taken for dead: its body is streamed
    with a heartbeat, then CCAI has the client's timeout to answer."""
    return timedelta(seconds=max(30.0, 2 * settings.PROVIDER_TIMEOUT + 10))


def _request_check(upload: DialerImport, **changes: Any) -> DialerImport:
    """Ask for the rows to be checked (again): any run in progress loses its lease. Small
    files are checked now; a larger one waits for a worker (see import_map)."""
    DialerImport.objects.filter(pk=upload.pk).update(
        state=DialerImport.State.CHECKING,
        check_requested_at=timezone.now(),
        lease_until=None,
        lease_attempt=F("lease_attempt") + 1,
        error_message="",
        **changes,
    )
    upload.refresh_from_db()
    if upload.total_rows <= INLINE_CHECK_ROWS:
        import_check(upload=upload)
        upload.refresh_from_db()
    return upload


def import_map(*, upload: DialerImport, mapping: dict[str, str]) -> DialerImport:
    """Record the column mapping and check the rows (step 2 → 3): now for a small file; a
    larger one is left checking for a worker (the caller enqueues `tasks.check_import`; the
    worker's import poll runs a check that no task took)."""
    check_mapping(mapping)
    if upload.state not in (DialerImport.State.UPLOADED, DialerImport.State.PREVIEWED):
        raise ImportFileError(gettext("This import is past its columns step."))
    upload.rows.all().delete()
    return _request_check(upload, mapping=mapping, checked_rows=0)


def import_check_restart(*, upload: DialerImport) -> DialerImport:
    """The user's "Restart the check": whoever holds the check lets go (a stuck worker, or one
    that died); it goes on from the last rows recorded."""
    if upload.state != DialerImport.State.CHECKING:
        return upload
    return _request_check(upload)


def check_stalled(upload: DialerImport, now: datetime | None = None) -> bool:
    """A check nobody runs: never taken, or held by a lease that expired."""
    now = now or timezone.now()
    if upload.state != DialerImport.State.CHECKING:
        return False
    if upload.lease_until is None:
        requested = upload.check_requested_at
        return requested is None or requested < now - UNCLAIMED_CHECK
    return upload.lease_until < now


def _claim(upload: DialerImport) -> int | None:
    """Take the check's lease unless someone holds it; the attempt number it was taken as."""
    now = timezone.now()
    claimed = (
        DialerImport.objects.filter(pk=upload.pk, state=DialerImport.State.CHECKING)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + CHECK_LEASE, lease_attempt=F("lease_attempt") + 1)
    )
    if not claimed:
        return None
    upload.refresh_from_db()
    return upload.lease_attempt


def import_check(*, upload: DialerImport) -> bool:
    """Check a requested import's rows (step 3) and build the preview report, unless someone
    else is; False then. A check that was interrupted goes on after its last recorded rows."""
    attempt = _claim(upload)
    if attempt is None:
        return False
    try:
        _check_rows(upload, attempt)
    except _LeaseLost:
        return False
    except ImportFileError as error:
        # The file became unreadable with this mapping: back to the columns step, saying why.
        DialerImport.objects.filter(pk=upload.pk, lease_attempt=attempt).update(
            state=DialerImport.State.UPLOADED, lease_until=None, error_message=str(error)
        )
        return True
    return True


def _renew(upload: DialerImport, attempt: int, **changes: Any) -> None:
    alive = DialerImport.objects.filter(
        pk=upload.pk, lease_attempt=attempt, state=DialerImport.State.CHECKING
    ).update(**changes)
    if not alive:
        raise _LeaseLost


def _check_rows(upload: DialerImport, attempt: int) -> None:
    kind = DialerImportRow.Kind
    positions = {
        f: upload.columns.index(c) for f, c in upload.mapping.items() if c in upload.columns
    }
    done_rows = upload.rows.all()
    resume_after = done_rows.aggregate(last=Max("line"))["last"] or 0
    done = done_rows.count()
    # The first valid row of each phone so far: later rows with its phone are repeats.
    first_line: dict[str, int] = dict(
        done_rows.filter(kind=kind.VALID).values_list("phone_e164", "line").iterator(CHUNK)
    )
    pending: list[tuple[Record, CheckedRow | None]] = []
    normalise = _once_per_number()

    def flush() -> None:
        nonlocal done
        batch = _classify(upload, pending, first_line)
        done += len(batch)
        with transaction.atomic():
            _renew(
                upload,
                attempt,
                checked_rows=done,
                lease_until=timezone.now() + CHECK_LEASE,
            )
            insert_many(DialerImportRow, ROW_FIELDS, batch)
        pending.clear()

    try:
        for record in import_records(upload):
            if record.line <= resume_after:
                continue
            if record.problem:
                pending.append((record, None))
            else:
                cells = record.cells
                values = {
                    f: (cells[i].strip() if i < len(cells) else "")[:255]
                    for f, i in positions.items()
                }
                pending.append((record, check_row(values, normalise)))
            if len(pending) >= CHUNK:
                flush()
        flush()
    except uploads.UploadError as error:
        raise ImportFileError(str(error)) from None
    with transaction.atomic():
        _mark_in_campaign(upload)
        counts = dict(done_rows.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
        _renew(
            upload,
            attempt,
            state=DialerImport.State.PREVIEWED,
            checked_rows=done,
            lease_until=None,
            error_message="",
            **{field: counts.get(k, 0) for k, field in KIND_COUNTS.items()},
        )


def _mark_in_campaign(upload: DialerImport) -> None:
    """The rows whose phone the campaign already has (per the mirror: the provider would fail
    the whole job), found once every row is written, in one statement through the campaign's
    phone index. The check took the first of them as valid and the others as its repeats;
    "already in the campaign" comes before both, as it does for a corrected row."""
    kind = DialerImportRow.Kind
    in_campaign = DialerContact.objects.filter(
        campaign_id=upload.campaign_id, phone_e164=OuterRef("phone_e164")
    )
    upload.rows.filter(kind__in=[kind.VALID, kind.DUPLICATE_FILE]).filter(
        Exists(in_campaign)
    ).update(kind=kind.DUPLICATE_CAMPAIGN, problem=_in_campaign_problem())


def _classify(
    upload: DialerImport,
    pending: list[tuple[Record, CheckedRow | None]],
    first_line: dict[str, int],
) -> list[tuple]:
    """The rows to write for a batch: invalid, repeated in the file (the first valid row is
    kept), or valid (those already in the campaign are marked once all are written)."""
    kind = DialerImportRow.Kind
    batch = []
    for record, checked in pending:
        if checked is None:
            batch.append((upload.pk, record.line, kind.INVALID, record.problem[:300], *_NO_VALUES))
            continue
        phone = checked.phone_e164
        if checked.problems:
            row_kind, problem = kind.INVALID, " ".join(checked.problems)[:300]
        elif phone in first_line:
            row_kind, problem = kind.DUPLICATE_FILE, _same_phone(first_line[phone])
        else:
            row_kind, problem = kind.VALID, ""
            first_line[phone] = record.line
        values = checked.values
        batch.append(
            (
                upload.pk,
                record.line,
                row_kind,
                problem,
                values.get("name", ""),
                values.get("email", "")[:254],
                values.get("phone_number", "")[:100],
                phone,
                values.get("outbound_number", "")[:40],
                values.get("external_unique_id", ""),
            )
        )
    return batch


# --- Correcting a rejected row --------------------------------------------------------------


def import_row_fix(
    *, upload: DialerImport, row: DialerImportRow, values: dict[str, str]
) -> DialerImportRow:
    """Check one rejected row again as the user corrected it on the report; the report's
    counts follow. Only before the import is sent."""
    if upload.state != DialerImport.State.PREVIEWED:
        raise ImportFileError(gettext("This import has been sent: its rows can no longer change."))
    kind = DialerImportRow.Kind
    values = {f: (values.get(f) or "").strip()[:255] for f in FIELDS}
    checked = check_row(values)
    phone = checked.phone_e164
    first = (
        upload.rows.filter(kind=kind.VALID, phone_e164=phone).exclude(pk=row.pk).order_by("line")
    )
    if checked.problems:
        new_kind, problem = kind.INVALID, " ".join(checked.problems)[:300]
    elif DialerContact.objects.filter(campaign_id=upload.campaign_id, phone_e164=phone).exists():
        new_kind, problem = kind.DUPLICATE_CAMPAIGN, _in_campaign_problem()
    elif (repeat := first.first()) is not None:
        new_kind, problem = kind.DUPLICATE_FILE, _same_phone(repeat.line)
    else:
        new_kind, problem = kind.VALID, ""
    old_kind = row.kind
    fixed = checked.values
    row.kind, row.problem, row.phone_e164 = new_kind, problem, phone
    row.phone_raw = values["phone_number"][:100]
    row.name, row.email = fixed["name"], fixed["email"][:254]
    row.outbound_number = fixed["outbound_number"][:40]
    row.external_unique_id = fixed["external_unique_id"]
    with transaction.atomic():
        row.save()
        if new_kind != old_kind:
            DialerImport.objects.filter(pk=upload.pk).update(
                **{
                    KIND_COUNTS[old_kind]: F(KIND_COUNTS[old_kind]) - 1,
                    KIND_COUNTS[new_kind]: F(KIND_COUNTS[new_kind]) + 1,
                }
            )
    upload.refresh_from_db()
    return row


# --- Sending and following ----------------------------------------------------------------


def _valid_inputs(upload: DialerImport) -> Iterator[ContactInput]:
    # Plain values, not model rows: building 100,000 model instances cost most of the send.
    rows = (
        upload.rows.filter(kind=DialerImportRow.Kind.VALID)
        .order_by("line")
        .values_list("name", "phone_e164", "email", "outbound_number", "external_unique_id")
    )
    for name, phone, email, outbound, external_id in rows.iterator(chunk_size=CHUNK):
        yield ContactInput(
            name=name,
            phone_number=phone,
            email=email,
            outbound_number=outbound,
            external_unique_id=external_id,
        )


def _audited(user: Any, upload: DialerImport, action: str, detail: str = "") -> Audited:
    """The audit line of an import (see `dashboard.audit.Audited`)."""
    job = upload.provider_job_id or upload.pk
    label = f"{upload.file_name} → {upload.campaign.name}"
    return Audited(user, "ccai", "contact import", action, job, label, detail=detail)


def import_send(*, user: Any, upload: DialerImport) -> DialerImport:
    """Send the valid rows as one provider import job. Only one request can send a given
    import (the state is claimed first), so a double click never imports twice."""
    if upload.valid_rows == 0:
        raise ImportFileError(gettext("No valid rows to send."))
    now = timezone.now()
    claimed = DialerImport.objects.filter(pk=upload.pk, state=DialerImport.State.PREVIEWED).update(
        state=DialerImport.State.SUBMITTING,
        submitted_at=now,
        lease_until=now + _send_lease(),
        lease_attempt=F("lease_attempt") + 1,
    )
    if not claimed:
        upload.refresh_from_db()
        return upload

    def heartbeat() -> None:
        DialerImport.objects.filter(pk=upload.pk, state=DialerImport.State.SUBMITTING).update(
            lease_until=timezone.now() + _send_lease()
        )

    with _audited(user, upload, "send") as audit:
        try:
            job_id = CCAIClient().import_job_create(
                upload.campaign.provider_id, _valid_inputs(upload), on_progress=heartbeat
            )
        except ProviderError as error:
            if error.outcome_unknown:
                error = ImportOutcomeUnknown(
                    gettext(
                        "%(error)s CCAI Platform may have started the import: refresh the board "
                        "and look for these contacts before sending again."
                    )
                    % {"error": error},
                    provider=error.provider,
                    status=error.status,
                )
            DialerImport.objects.filter(pk=upload.pk).update(
                state=DialerImport.State.PREVIEWED, error_message=str(error), lease_until=None
            )
            raise error from None
        DialerImport.objects.filter(pk=upload.pk).update(
            state=DialerImport.State.IN_PROGRESS,
            provider_job_id=job_id,
            provider_status="in_progress",
            submitted_at=timezone.now(),
            lease_until=None,
            error_message="",
        )
        upload.refresh_from_db()
        # The file itself is no longer needed once its rows are checked and sent.
        upload.chunks.all().delete()
        audit.object_id = job_id
        audit.detail = f"Sent {upload.valid_rows} contacts; CCAI job {job_id}."
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
    """A send whose request died before CCAI's answer was recorded (a restart, a crash): once
    its lease expires the import is offered again, with a warning, rather than spinning
    forever. (Sending again by itself could import twice.)"""
    if upload.lease_until is None or upload.lease_until < now:
        DialerImport.objects.filter(pk=upload.pk, state=DialerImport.State.SUBMITTING).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now)
        ).update(
            state=DialerImport.State.PREVIEWED,
            lease_until=None,
            error_message=gettext(
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
    detail = f"{added} contact{'' if added == 1 else 's'} imported."
    _audited(upload.created_by, upload, "completed", detail).record()


def _fail(upload: DialerImport, message: str, details: str) -> None:
    won = DialerImport.objects.filter(pk=upload.pk, state=DialerImport.State.IN_PROGRESS).update(
        state=DialerImport.State.FAILED,
        provider_status="failed",
        finished_at=timezone.now(),
        error_message=message or gettext("The import failed."),
        error_details=details,
    )
    if won:
        audit = _audited(upload.created_by, upload, "failed")
        audit.failed(f"{message} {details}".strip())
        audit.record()


def explain_failure(upload: DialerImport) -> str:
    if "DuplicateContactPhoneOnCampaign" in upload.error_details:
        return gettext(
            "CCAI Platform refused the whole file: at least one phone number is already in the "
            "campaign (added since the check, or not yet in Switchboard's copy). No contact was "
            "imported. Refresh the campaign, check the file again and resend."
        )
    if upload.error_details:
        return gettext("CCAI Platform could not import the file: %(message)s (%(details)s).") % {
            "message": upload.error_message,
            "details": upload.error_details,
        }
    return gettext("CCAI Platform could not import the file: %(message)s.") % {
        "message": upload.error_message
    }


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
        removed += upload.chunks.all().delete()[0]
    return removed


def poll_pending_imports() -> list[DialerImport]:
    """The worker's periodic poll, the only thing that moves an import on once it is asked
    for: it runs (or resumes) a check nobody runs, follows the jobs at CCAI, and puts an
    interrupted send back to ready. Returns the imports it looked at, as they now stand."""
    polled = []
    for upload in DialerImport.objects.filter(
        state__in=[
            DialerImport.State.CHECKING,
            DialerImport.State.IN_PROGRESS,
            DialerImport.State.SUBMITTING,
        ]
    ):
        with in_uploader_language(upload):
            if upload.state == DialerImport.State.CHECKING:
                if check_stalled(upload):
                    import_check(upload=upload)
                    upload.refresh_from_db()
            else:
                upload = import_refresh(upload=upload)
        polled.append(upload)
    return polled


def rejected_rows(upload: DialerImport) -> Iterator[list[str]]:
    # Column headers stay English in every language: spreadsheets and scripts key on them.
    with translation.override(None):
        header = ["line", "reason", *[str(FIELD_LABELS[f]) for f in FIELDS]]
    yield header
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
