"""`make bench` for the dialer: the status board with 200,000 × scale contacts in one campaign,
beside Django's admin changelist of the same contacts (the anchor); the bulk import's
throughput on a 100,000-row file beside the floor (reading the same file and checking its
phones with `phonenumbers`, nothing else), and its peak memory in a process of its own."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import IO

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dashboard.bench import Goal, Page, Ratio, figure, record
from dialer import imports, selectors
from dialer import statuses as st
from dialer.client import Contact, _write_multipart
from dialer.mirror import counts_recount
from dialer.models import DialerCampaign, DialerContact, DialerImport
from dialer.sync import sync_campaign_contacts

BOARD_CONTACTS = 200_000
IMPORT_ROWS = 100_000
BIG = "Bench: national renewals"


def seed(scale: int) -> None:
    rng = random.Random(7)
    now = timezone.now()
    big = DialerCampaign.objects.create(
        provider_id=900_001, name=BIG, mode="predictive", status="dialing", queue_name="Bench"
    )
    for i in range(2, 12):
        small = DialerCampaign.objects.create(
            provider_id=900_000 + i, name=f"Bench campaign {i}", mode="preview", status="paused"
        )
        DialerContact.objects.bulk_create(
            DialerContact(
                campaign=small,
                provider_id=i * 1_000_000 + n,
                name=f"Small {n}",
                phone_number=f"+1438{i:03d}{n:04d}",
                phone_e164=f"+1438{i:03d}{n:04d}",
                status=rng.choice(st.STATUS_NAMES),
            )
            for n in range(500)
        )
        counts_recount(small.pk)
    names = [s.name for s in st.STATUSES]
    weights = [40 if n == st.UPCOMING else 15 if n == st.FINISHED else 2 for n in names]
    batch: list[DialerContact] = []
    for n in range(BOARD_CONTACTS * scale):
        phone = f"+1514{2_000_000 + n:07d}"
        batch.append(
            DialerContact(
                campaign=big,
                provider_id=n + 1,
                name=f"Contact {n} {rng.choice(['Lima', 'Chen', 'Roy', 'Diallo'])}",
                email=f"c{n}@example.com",
                phone_number=phone,
                phone_e164=phone,
                external_unique_id=f"CRM-{n:07d}",
                status=rng.choices(names, weights)[0],
                updated_at=now - timedelta(seconds=n),
            )
        )
        if len(batch) == 10_000:
            with transaction.atomic():
                DialerContact.objects.bulk_create(batch)
            batch = []
    DialerContact.objects.bulk_create(batch)
    counts_recount(big.pk)


def _csv_file(rows: int) -> IO[bytes]:
    """A realistic upload: 2% bad phones, 1% repeated phones, 1% already in the campaign."""
    rng = random.Random(11)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (the caller closes it)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    text.write("name,phone,email,external_id\n")
    for n in range(rows):
        roll = rng.random()
        if roll < 0.02:
            phone = "call me"
        elif roll < 0.03:
            phone = f"+1 438 {max(0, n - 5) // 10000 + 200:03d} {max(0, n - 5) % 10000:04d}"
        elif roll < 0.04:
            phone = f"+1 514 {rng.randint(200, 219):03d} {rng.randint(0, 9999):04d}"
        else:
            phone = f"+1 438 {n // 10000 + 200:03d} {n % 10000:04d}"
        text.write(f"Person {n},{phone},p{n}@example.com,EXT-{n}\n")
    text.flush()
    text.detach()
    out.seek(0)
    return out


def _run_import(campaign: DialerCampaign) -> tuple[DialerImport, dict[str, float]]:
    timings: dict[str, float] = {}
    with _csv_file(IMPORT_ROWS) as upload_file:
        started = time.perf_counter()
        upload = imports.import_create(
            user=None, campaign=campaign, file=upload_file, file_name="bench-100k.csv"
        )
        timings["upload"] = time.perf_counter() - started
    started = time.perf_counter()
    # The header (name, phone, email, external_id) maps itself; a file this large is checked
    # by a worker: here, in this process.
    upload = imports.import_map(upload=upload, mapping=upload.mapping)
    imports.import_check(upload=upload)
    upload.refresh_from_db()
    timings["check"] = time.perf_counter() - started
    started = time.perf_counter()
    with tempfile.TemporaryFile() as body:
        _write_multipart(body, "bench", imports._valid_inputs(upload))
        timings["send_file_mb"] = body.tell() / 1e6
    timings["send"] = time.perf_counter() - started
    return upload, timings


def _status_mb(field: str) -> float:
    """A memory figure of this process, in MB, from /proc/self/status."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_mb() -> float:
    """This process's resident memory now."""
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """The most resident memory this program has held since it started. Not `ru_maxrss`: a
    child started by `subprocess` (vfork, then exec) inherits its parent's peak there, and the
    bench's own process holds twice what the import does."""
    return _status_mb("VmHWM")


IMPORT_CHILD = (
    "import django; django.setup(); from dialer.bench import import_child; import_child()"
)


def import_child() -> None:
    """Run in a fresh interpreter by `import_benchmark()`: one timed import, then this
    process's peak resident memory and what it held before the import began."""
    campaign = DialerCampaign.objects.get(name=BIG)
    DialerImport.objects.filter(campaign=campaign, file_name="bench-100k.csv").delete()
    before = rss_mb()
    upload, timings = _run_import(campaign)
    peak = peak_rss_mb()
    print(
        json.dumps(
            {
                "upload_id": upload.pk,
                "timings": timings,
                "before_mb": before,
                "peak_mb": peak,
                "valid": upload.valid_rows,
                "invalid": upload.invalid_rows,
                "repeated": upload.duplicate_in_file,
                "already_in": upload.duplicate_in_campaign,
            }
        )
    )


def import_floor() -> float:
    """Rows per second for the least any import must do with the same file: read the CSV,
    parse each phone, check it is valid, format it as E.164."""
    e164 = phonenumbers.PhoneNumberFormat.E164
    with _csv_file(IMPORT_ROWS) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        started = time.perf_counter()
        reader = csv.reader(text)
        next(reader)
        for row in reader:
            try:
                number = phonenumbers.parse(row[1], None)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                phonenumbers.format_number(number, e164)
        elapsed = time.perf_counter() - started
        text.detach()
    return IMPORT_ROWS / elapsed


def import_benchmark() -> DialerImport:
    """The import in a process of its own (so that its peak memory is its own), the floor
    here; both recorded."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
    child = subprocess.run(
        [sys.executable, "-c", IMPORT_CHILD],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    t = result["timings"]
    rate = IMPORT_ROWS / (t["upload"] + t["check"] + t["send"])
    floor = import_floor()
    print(
        f"\ndialer import of a {IMPORT_ROWS:,}-row CSV: read+stage {t['upload']:.1f} s, "
        f"check {t['check']:.1f} s, write the {t['send_file_mb']:.1f} MB JSON file to send "
        f"{t['send']:.1f} s → {rate:,.0f} rows/s; floor (csv + phonenumbers only) "
        f"{floor:,.0f} rows/s; peak RSS {result['peak_mb']:.0f} MB "
        f"({result['before_mb']:.0f} MB before the import) "
        f"({result['valid']:,} valid, {result['invalid']:,} invalid, "
        f"{result['repeated']:,} repeated, {result['already_in']:,} already in)",
        flush=True,
    )
    rows = f"{IMPORT_ROWS // 1000}k rows"
    record(
        [
            figure("dialer.import.rows_per_s", f"Dialer import, {rows}", "rows_per_s", rate),
            figure(
                "dialer.import.floor_rows_per_s",
                f"Import floor: csv + phonenumbers, {rows}",
                "rows_per_s",
                floor,
            ),
            figure(
                "dialer.import.peak_rss_mb",
                "Dialer import, peak RSS of its process",
                "mb",
                result["peak_mb"],
                before_import_mb=round(result["before_mb"], 1),
            ),
        ]
    )
    return DialerImport.objects.get(pk=result["upload_id"])


class _ListingReplay:
    """Stands in for CCAI's contact listing of the big campaign (1% of statuses changed), so
    that the sync's own work is measured without an HTTP server in the way."""

    def __init__(self, campaign: DialerCampaign) -> None:
        self.rows = DialerContact.objects.filter(campaign=campaign).values_list(
            "provider_id", "name", "email", "phone_number", "external_unique_id", "status"
        )

    def contact_iter(self, campaign_id: int) -> Iterator[Contact]:
        for n, (pid, name, email, phone, ext, status) in enumerate(self.rows.iterator(5000)):
            yield Contact(
                id=pid,
                campaign_id=campaign_id,
                name=name,
                email=email,
                phone_number=phone,
                external_unique_id=ext,
                status=st.FINISHED if n % 100 == 0 else status,
            )


def sync_benchmark() -> None:
    campaign = DialerCampaign.objects.get(name=BIG)
    started = time.perf_counter()
    result = sync_campaign_contacts(campaign, _ListingReplay(campaign))
    elapsed = time.perf_counter() - started
    contacts = selectors.campaign_counts(campaign).total
    print(
        f"dialer contacts sync of the {contacts:,}-contact campaign (listing replayed "
        f"in-process): {elapsed:.1f} s ({result})",
        flush=True,
    )
    record(
        [
            figure(
                "dialer.sync.s",
                f"Dialer contacts sync, {contacts // 1000:,}k contacts",
                "s",
                elapsed,
            )
        ]
    )


# The board against Django's admin changelist of the same contacts (dialer/admin.py).
RATIOS = [
    Ratio("dialer.board", "admin.dialer_contacts.changelist", goal=("<=", 0.5)),
    # What the first reader after a change pays (the board is rendered once per version).
    Ratio("dialer.board.uncached", "admin.dialer_contacts.changelist"),
    Ratio("dialer.board.status", "admin.dialer_contacts.status", goal=("<=", 0.5)),
    Ratio("dialer.board.search_name", "admin.dialer_contacts.search", goal=("<=", 0.5)),
    Ratio(
        "dialer.import.rows_per_s",
        "dialer.import.floor_rows_per_s",
        on="rows_per_s",
        goal=(">=", 0.8),
    ),
    Goal("dialer.board.search_name", "p95_ms", "<=", 15),
]


def board_url(campaign: DialerCampaign) -> str:
    return reverse("dialer:campaign_detail", args=[campaign.provider_id])


def pages() -> list[Page]:
    big = DialerCampaign.objects.filter(name=BIG).first()
    if big is None:
        return []
    upload = import_benchmark()
    sync_benchmark()
    board = board_url(big)
    admin = f"/admin/dialer/dialercontact/?campaign__id__exact={big.pk}"
    n = f"{selectors.campaign_counts(big).total // 1000:,}k contacts"
    return [
        Page("dialer.campaigns", "Dialer campaigns", "/dialer/"),
        Page("dialer.board", f"Dialer board, {n}", board),
        Page(
            "dialer.board.uncached",
            "Dialer board, first reader after a change",
            board,
            uncached=True,
        ),
        Page("dialer.board.status", "Dialer board, one status", f"{board}?status=finished"),
        # A page far down and a search are one person's: timed as rendered afresh.
        Page(
            "dialer.board.page_2000",
            "Dialer board, page 2,000",
            f"{board}?page=2000",
            uncached=True,
        ),
        Page(
            "dialer.board.search_phone",
            "Dialer board, search phone",
            f"{board}?q=%2B15142123456",
            uncached=True,
        ),
        Page(
            "dialer.board.search_ext_id",
            "Dialer board, search ext id",
            f"{board}?q=CRM-0123456",
            uncached=True,
        ),
        Page(
            "dialer.board.search_name",
            "Dialer board, search name",
            f"{board}?q=Contact+199999",
            uncached=True,
        ),
        Page(
            "dialer.board.refresh",
            "Dialer board, live refresh (htmx)",
            f"{board}?status=upcoming&page=3",
            headers={"HX-Request": "true"},
        ),
        Page(
            "dialer.import.report",
            f"Dialer import report, {IMPORT_ROWS // 1000}k rows",
            f"/dialer/imports/{upload.pk}/",
        ),
        Page("admin.dialer_contacts.changelist", f"Admin changelist, {n}", admin),
        Page(
            "admin.dialer_contacts.status",
            "Admin changelist, one status",
            f"{admin}&status__exact={st.FINISHED}",
        ),
        Page(
            "admin.dialer_contacts.search",
            "Admin changelist, search name",
            f"{admin}&q=Contact+199999",
        ),
    ]
