"""`make bench` for Dialog Insight: mirror pages at scale (mailings, segments, a bulk-sync
report), and the pages that ask the provider (search, detail) against the sandbox holding
50,000 × scale contacts (seeded by contacts/sandbox/bench.py), served over real HTTP by a
server started here. Bulk-sync throughput is measured once and printed."""

from __future__ import annotations

import random
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from contacts import fields as nomenclature

MAILINGS_PER_SCALE = 100_000
BULK_ROWS = 20_000
_server_url: str | None = None


def seed(scale: int) -> None:
    """Mirror rows (the contacts themselves are the provider's)."""
    from contacts.models import BulkSync, BulkSyncRow, Mailing, Segment

    rng = random.Random(7)
    now = timezone.now()
    cities = ["Montréal", "Québec", "Laval", "Gatineau", "Sherbrooke", "Toronto"]
    Segment.objects.bulk_create(
        [Segment(id_filter=10_000 + i, name=f"Segment {i}", synced_at=now,
                 clause=nomenclature.field_clause("City", "Equal", cities[i % 6]))
         for i in range(500)]
    )  # fmt: skip
    rows = []
    for i in range(MAILINGS_PER_SCALE * scale):
        sent = rng.randint(100, 5000)
        rows.append(
            Mailing(id_batch=100_000 + i, id_message=i % 50, message_name=f"Message {i % 50}",
                    mode="idFilters" if i % 4 else "Single", audience=f"Segment {i % 500}",
                    launch_at=now - timedelta(minutes=i), status="Sent" if i > 20 else "Scheduled",
                    sent=sent, delivered=sent - 3, unique_opens=sent // 3,
                    unique_clicks=sent // 9, synced_at=now)
        )  # fmt: skip
        if len(rows) == 5000:
            Mailing.objects.bulk_create(rows)
            rows = []
    Mailing.objects.bulk_create(rows)
    job = BulkSync.objects.create(filename="bench.csv", total=BULK_ROWS, processed=BULK_ROWS,
                                  status="done", created=BULK_ROWS)  # fmt: skip
    BulkSyncRow.objects.bulk_create(
        [BulkSyncRow(job=job, line=i + 2, key=f"row{i}@bench.example", data={},
                     outcome="created", id_contact=i + 1) for i in range(BULK_ROWS)],
        batch_size=5000,
    )  # fmt: skip


def _serve() -> str:
    """Serve Switchboard (and so the sandbox) on a free local port for the provider calls."""
    global _server_url
    if _server_url:
        return _server_url
    from django.core.servers.basehttp import (
        ThreadedWSGIServer,
        WSGIRequestHandler,
        get_internal_wsgi_application,
    )

    class Quiet(WSGIRequestHandler):
        def setup(self) -> None:
            super().setup()
            # wsgiref writes headers and body separately; without this, Nagle's algorithm and
            # delayed ACKs add ~40 ms to every provider call, which a real provider would not.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args) -> None:  # the bench prints its own table
            pass

    app = get_internal_wsgi_application()

    def loopback(environ, start_response):
        # Plain HTTP on loopback, measured as if behind the TLS proxy (no HTTPS redirect).
        environ["HTTP_X_FORWARDED_PROTO"] = "https"
        return app(environ, start_response)

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
    server.set_app(loopback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _server_url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.SWITCHBOARD_URL = _server_url
    return _server_url


def _measure_bulk_sync() -> None:
    """Merge BULK rows through the sandbox as a bulk sync does, and print rows per second."""
    from contacts import services
    from contacts.models import BulkSync

    lines = ["EMail,FirstName,LastName,City"]
    lines += [f"bulk{i}@bench.example,Bulk,Row{i},Laval" for i in range(2000)]
    rows = services.parse_contacts_csv("\n".join(lines).encode(), services.project_definition())
    job = BulkSync.objects.create(filename="throughput.csv", total=len(rows))
    from contacts.models import BulkSyncRow

    BulkSyncRow.objects.bulk_create(
        [BulkSyncRow(job=job, line=line, key=key, data=data) for line, key, data in rows]
    )
    started = time.monotonic()
    services.bulk_sync_run(job_id=job.pk)
    elapsed = time.monotonic() - started
    job.refresh_from_db()
    print(  # noqa: T201 - shown beside the bench table
        f"contacts bulk sync: {job.processed} rows in {elapsed:.1f} s "
        f"= {job.processed / elapsed:.0f} rows/s (batches of 100, sandbox over HTTP)"
    )


def pages() -> list[tuple[str, str]]:
    from contacts.client import DialogInsightClient
    from contacts.models import BulkSync

    _serve()
    from contacts.sync import sync_project

    sync_project()
    if not BulkSync.objects.filter(filename="throughput.csv").exists():
        _measure_bulk_sync()
    # The provider's first contact: the one with a long mailing history.
    contact = next(iter(DialogInsightClient().contacts_get(max_rows=1)), None)
    report = BulkSync.objects.filter(filename="bench.csv").first()
    return [
        ("Contacts search by name (provider)", "/contacts/?q=person4242"),
        (
            "Contacts search, City = Laval (provider)",
            "/contacts/?field=City&operator=Equal&value=Laval",
        ),
        ("Contacts search, page 10 (provider)", "/contacts/?q=claire&page=10"),
        ("Contact detail, 60 mailings (provider)", f"/contacts/{contact.id if contact else 1}/"),
        ("Segments (mirror)", "/contacts/segments/"),
        ("Mailings (mirror)", "/contacts/mailings/"),
        ("Mailings, scheduled only", "/contacts/mailings/?status=Scheduled"),
        ("Mailings, search", "/contacts/mailings/?q=Message+42"),
        ("Mailings, page 100", "/contacts/mailings/?page=100"),
        ("Mailing detail with chart", "/contacts/mailings/100050/"),
        (
            "Bulk sync report, page 100",
            f"/contacts/bulk-sync/{report.pk if report else 1}/?page=100",
        ),
        ("Contact form (generated)", "/contacts/new/"),
    ]
