"""`make bench` for the dialer: the status board with 200,000 contacts in one campaign, and the
bulk import's own throughput and peak memory on a 100,000-row file (printed each run)."""

from __future__ import annotations

import io
import random
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import timedelta
from typing import IO

from django.db import transaction
from django.utils import timezone

from dialer import imports
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


def import_benchmark() -> DialerImport:
    campaign = DialerCampaign.objects.get(name=BIG)
    DialerImport.objects.filter(campaign=campaign, file_name="bench-100k.csv").delete()
    upload, t = _run_import(campaign)
    total = t["upload"] + t["check"] + t["send"]
    # Peak memory in a second run under tracemalloc (it slows Python down, so it is not timed).
    upload.delete()
    tracemalloc.start()
    upload, _ = _run_import(campaign)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"\ndialer import of a {IMPORT_ROWS:,}-row CSV into a campaign of "
        f"{BOARD_CONTACTS:,}: read+stage {t['upload']:.1f} s, check {t['check']:.1f} s, "
        f"write the {t['send_file_mb']:.1f} MB JSON file to send {t['send']:.1f} s → "
        f"{IMPORT_ROWS / total:,.0f} rows/s; peak Python memory {peak / 1e6:.1f} MB "
        f"({upload.valid_rows:,} valid, {upload.invalid_rows:,} invalid, "
        f"{upload.duplicate_in_file:,} repeated, {upload.duplicate_in_campaign:,} already in)",
        flush=True,
    )
    return upload


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
    print(
        f"dialer contacts sync of the {BOARD_CONTACTS:,}-contact campaign (listing replayed "
        f"in-process): {time.perf_counter() - started:.1f} s ({result})",
        flush=True,
    )


def pages() -> list[tuple[str, str]]:
    big = DialerCampaign.objects.filter(name=BIG).first()
    if big is None:
        return []
    upload = import_benchmark()
    sync_benchmark()
    board = f"/dialer/{big.pk}/"
    return [
        ("Dialer campaigns", "/dialer/"),
        ("Dialer board, 200k contacts", board),
        ("Dialer board, one status", f"{board}?status=finished"),
        ("Dialer board, page 2,000", f"{board}?page=2000"),
        ("Dialer board, search phone", f"{board}?q=%2B15142123456"),
        ("Dialer board, search ext id", f"{board}?q=CRM-0123456"),
        ("Dialer board, search name", f"{board}?q=Contact+199999"),
        ("Dialer board, live refresh", f"{board}?status=upcoming&page=3"),
        ("Dialer import report, 100k rows", f"/dialer/imports/{upload.pk}/"),
    ]
