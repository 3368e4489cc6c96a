"""`make bench` for Dialog Insight: mirror pages at scale (mailings, segments, an import's
report), and the pages that ask the provider (search, detail) against the sandbox holding
50,000 × scale contacts (seeded by contacts/sandbox/bench.py), served over real HTTP by a
server started here. Import throughput is measured once and printed."""

from __future__ import annotations

import random
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.http import urlencode

from contacts import nomenclature, services
from contacts.client import DialogInsightClient
from contacts.models import ContactImport, ContactImportRow, Mailing, RecentContact, Segment
from contacts.sync import sync_project

MAILINGS_PER_SCALE = 100_000
BULK_ROWS = 20_000
_server_url: str | None = None


def seed(scale: int) -> None:
    """Mirror rows (the contacts themselves are the provider's)."""
    rng = random.Random(7)
    now = timezone.now()
    cities = ["Montréal", "Québec", "Laval", "Gatineau", "Sherbrooke", "Toronto"]
    Segment.objects.bulk_create(
        [
            Segment(
                provider_id=10_000 + i,
                name=f"Segment {i}",
                synced_at=now,
                clause=nomenclature.field_clause("City", "Equal", cities[i % 6]),
            )
            for i in range(500)
        ]
    )
    rows = []
    for i in range(MAILINGS_PER_SCALE * scale):
        sent = rng.randint(100, 5000)
        rows.append(
            Mailing(
                provider_id=100_000 + i,
                message_id=i % 50,
                message_name=f"Message {i % 50}",
                mode="idFilters" if i % 4 else "Single",
                audience=f"Segment {i % 500}",
                launch_at=now - timedelta(minutes=i),
                status="Sent" if i > 20 else "Scheduled",
                sent=sent,
                delivered=sent - 3,
                unique_opens=sent // 3,
                unique_clicks=sent // 9,
                stats_at=now if i > 20 else None,  # read by the sync, as sent ones are
                synced_at=now,
            )
        )
        if len(rows) == 5000:
            Mailing.objects.bulk_create(rows)
            rows = []
    Mailing.objects.bulk_create(rows)
    RecentContact.objects.bulk_create(
        [
            RecentContact(
                provider_id=1_000_000 + i,
                key=f"recent{i}@bench.example",
                name=f"Recent {i}",
                change="updated",
                changed_at=now - timedelta(minutes=i),
                changed_by="bench",
            )
            for i in range(RecentContact.KEEP)
        ]
    )
    job = ContactImport.objects.create(
        filename="bench.csv", total=BULK_ROWS, processed=BULK_ROWS, status="done", created=BULK_ROWS
    )
    ContactImportRow.objects.bulk_create(
        [
            ContactImportRow(
                job=job,
                line=i + 2,
                key=f"row{i}@bench.example",
                data={},
                outcome="created",
                contact_id=i + 1,
            )
            for i in range(BULK_ROWS)
        ],
        batch_size=5000,
    )


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


def _measure_import() -> None:
    """Merge rows through the sandbox as an import does, and print rows per second."""
    lines = ["EMail,FirstName,LastName,City"]
    lines += [f"bulk{i}@bench.example,Bulk,Row{i},Laval" for i in range(2000)]
    rows = services.parse_contacts_csv("\n".join(lines).encode(), services.project_definition())
    job = ContactImport.objects.create(filename="throughput.csv", total=len(rows))
    ContactImportRow.objects.bulk_create(
        [ContactImportRow(job=job, line=line, key=key, data=data) for line, key, data in rows]
    )
    started = time.monotonic()
    services.import_run(import_id=job.pk)
    elapsed = time.monotonic() - started
    job.refresh_from_db()
    print(  # noqa: T201 - shown beside the bench table
        f"contacts import: {job.processed} rows in {elapsed:.1f} s "
        f"= {job.processed / elapsed:.0f} rows/s (batches of 100, sandbox over HTTP)"
    )


def pages() -> list[tuple[str, str]]:
    _serve()
    sync_project()
    if not ContactImport.objects.filter(filename="throughput.csv").exists():
        _measure_import()
    # The provider's first contact: the one with a long mailing history.
    contact = next(iter(DialogInsightClient().contact_search(max_rows=1)), None)
    report = ContactImport.objects.filter(filename="bench.csv").first()
    count = urlencode(
        {
            "combine": "AND",
            "cond-TOTAL_FORMS": 2,
            "cond-INITIAL_FORMS": 0,
            "cond-0-field": "City",
            "cond-0-operator": "Equal",
            "cond-0-value": "Laval",
            "cond-1-field": "LoyaltyPoints",
            "cond-1-operator": "GreaterThan",
            "cond-1-value": "2500",
        }
    )
    return [
        ("Contacts, recently changed through Switchboard (mirror)", "/contacts/"),
        ("Contacts search by name (provider)", "/contacts/?q=person4242"),
        ("Contacts search with its count, about 5,000 match (provider)", "/contacts/?q=claire"),
        (
            "Contacts search, City = Laval (provider)",
            "/contacts/?field=City&operator=Equal&value=Laval",
        ),
        ("Contacts search, page 10 (provider)", "/contacts/?q=claire&page=10"),
        ("Contact detail, 60 mailings (provider)", f"/contacts/{contact.id if contact else 1}/"),
        ("Segments (mirror)", "/contacts/segments/"),
        (
            "Segment builder's count, Laval and points > 2500 (provider)",
            f"/contacts/segments/count/?{count}",
        ),
        ("Mailings (mirror)", "/contacts/mailings/"),
        ("Mailings, scheduled only", "/contacts/mailings/?status=Scheduled"),
        ("Mailings, search", "/contacts/mailings/?q=Message+42"),
        ("Mailings, page 100", "/contacts/mailings/?page=100"),
        ("Mailing detail with chart", "/contacts/mailings/100050/"),
        (
            "Import report, page 100",
            f"/contacts/imports/{report.pk if report else 1}/?page=100",
        ),
        ("Contact form (generated)", "/contacts/new/"),
    ]
