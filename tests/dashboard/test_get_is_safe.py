"""A GET never changes anything: every page and fragment, opened the way a browser (and htmx)
opens it, with every provider's objects in place, leaves every table as it was and sends
nothing to a provider. Refreshing a mirror or following a job is a POST or the worker's job.

Dialog Insight's contacts are the exception, by design: Switchboard keeps no copy of them, so
their search, their page and the confirmation pages read them live (reads only, listed below)."""

from __future__ import annotations

import io
import itertools
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from campaigns.sync import sync_campaigns, sync_references
from contacts import services as contact_services
from contacts.client import DialogInsightClient
from contacts.sync import sync_mailings
from dashboard.models import ProviderCall
from dialer import imports
from dialer.models import DialerContact, DialerImport
from tests.campaigns.conftest import engagelab, regular_payload  # noqa: F401 (fixture)
from tests.contacts.conftest import audience, claire, project  # noqa: F401 (fixtures)
from tests.dashboard.test_access import app_routes
from tests.dialer.conftest import ccai, synced  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

# Skipped: the provider emulators, Django's admin, and the webhook receiver (a POST).
NOT_PAGES = ("sandbox/", "admin/", "campaigns/webhooks/")
# Pages that read Dialog Insight's contacts live (no mirror of them), and the only service they
# may call. (That a call was a read shows in the sandbox's tables, which must not change.)
LIVE_CONTACT_READS = {
    route: {"webservices/ofc4/contacts.ashx"}
    for route in (
        "contacts/",
        "contacts/<int:contact_id>/",
        "contacts/<int:contact_id>/edit/",
        "contacts/<int:contact_id>/delete/",
        "contacts/segments/<int:segment_id>/",
    )
}
QUERIES = {"contacts/": {"q": "claire"}}


# The provider rate limit's buckets move with every provider call; the calls themselves are
# checked (ProviderCall), so their bookkeeping is not.
BOOKKEEPING = {"dashboard.RateBucket"}


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table Switchboard (and its sandboxes, and its task queue) keeps."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "contenttypes") or not model._meta.managed:
            continue
        if model._meta.label in BOOKKEEPING:
            continue
        rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def changed(before: dict, after: dict) -> dict[str, tuple[int, int]]:
    return {label: (len(before[label]), len(after[label])) for label in before
            if before[label] != after[label]}  # fmt: skip


@pytest.fixture
def everything(engagelab, audience, claire, synced, superuser):  # noqa: F811
    """Objects of every kind each page shows, in states a page could be tempted to move on."""
    created = engagelab.campaign_create(regular_payload())
    sync_references()
    sync_campaigns()
    di = DialogInsightClient()
    mailing_id = di.mailing_send(
        message_id=audience["message_id"], segment_ids=None, launch_at=None
    )
    sync_mailings()
    job = contact_services.import_create(
        user=superuser, filename="crm.csv", raw=b"EMail,LastName\nzed@example.com,Zed\n"
    )
    contact_services.import_run(import_id=job.pk)
    uploads = []
    for n in range(4):
        upload = imports.import_create(
            user=superuser,
            campaign=synced,
            file=io.BytesIO(f"name,phone,email\nP{n},+1 438 555 020{n},p{n}@ex.com\n".encode()),
            file_name=f"list{n}.csv",
        )
        imports.import_map(upload=upload, mapping=imports.guess_mapping(upload.columns))
        uploads.append(upload)
    # Sent, and finished at CCAI since: only the worker's poll may record it.
    imports.import_send(user=superuser, upload=uploads[0])
    long_ago = timezone.now() - timedelta(hours=1)
    DialerImport.objects.filter(pk=uploads[1].pk).update(  # a check nobody took
        state="checking", check_requested_at=long_ago, lease_until=None
    )
    DialerImport.objects.filter(pk=uploads[2].pk).update(  # a send that died
        state="submitting", submitted_at=long_ago, lease_until=long_ago
    )
    return {
        "campaign_id": [created.campaign_id],
        "contact_id": [claire],
        "code": ["Newsletter"],
        "segment_id": [audience["segment_id"]],
        "import_id": [job.pk],
        "mailing_id": [mailing_id],
        "dialer/campaign_id": [synced.provider_id],
        "dialer/contact_id": [DialerContact.objects.filter(campaign=synced).first().pk],
        "dialer/import_id": [u.pk for u in uploads],
        "row_id": [uploads[3].rows.get().pk],
        "name": ["ccai"],
        "capability": ["Filters.List"],
    }


def get_urls(samples: dict[str, list]):
    for route, _pattern in app_routes():
        if route.startswith(NOT_PAGES):
            continue
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        # A name two apps use for different ids ("campaign_id") may have a sample per app.
        app = route.split("/", 1)[0]
        for values in itertools.product(*(samples.get(f"{app}/{n}", samples[n]) for n in names)):
            path = route
            for value in values:
                path = re.sub(r"<[^>]+>", str(value), path, count=1)
            yield route, "/" + path


def open_every_page(client, samples: dict[str, list], ok=(200, 302)) -> int:
    """GET every page and fragment; assert each changed nothing. Returns how many answered."""
    opened = 0
    for route, url in get_urls(samples):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            calls = set(ProviderCall.objects.values_list("pk", flat=True))
            before = snapshot()
            response = client.get(url, QUERIES.get(route, {}), **headers)
            if response.status_code == 405:
                break  # a POST-only action
            # (/healthz/workers answers 503 here: no worker runs beside the tests.)
            assert response.status_code in ok or route == "healthz/workers", (url, response)
            made = ProviderCall.objects.exclude(pk__in=calls)
            paths = set(made.values_list("path", flat=True))
            assert paths <= LIVE_CONTACT_READS.get(route, set()), (url, headers, paths)
            made.delete()  # the log lines of the allowed reads
            after = snapshot()
            if route in LIVE_CONTACT_READS:
                # What those reads learnt of the account (which unpublished methods answer) is
                # Switchboard's memory of the provider, not a change anybody made.
                (
                    before.pop("dashboard.ProviderCapability"),
                    after.pop("dashboard.ProviderCapability"),
                )
            assert changed(before, after) == {}, (url, headers)
            opened += 1
    return opened


def test_no_get_changes_a_row_or_calls_a_provider(client, superuser, everything):
    client.force_login(superuser)
    assert open_every_page(client, everything) >= 60


def test_no_get_fills_a_mirror_never_synced(client, superuser, engagelab, project):  # noqa: F811
    """A fresh installation, before the worker's first sync: pages say what is missing and
    fetch nothing (the contacts project is known at the sandbox, not yet in Switchboard)."""
    from contacts.models import ProjectField

    ProjectField.objects.all().delete()
    client.force_login(superuser)
    ids = ("campaign_id", "contact_id", "segment_id", "import_id", "mailing_id", "row_id")
    nothing = {name: [1] for name in ids} | {"code": ["x"], "name": ["ccai"], "capability": ["x"]}
    assert open_every_page(client, nothing, ok=(200, 302, 404)) >= 40
    body = client.get("/campaigns/new/").content.decode()
    assert "Senders, templates and tags have not been loaded from EngageLab yet" in body
    body = client.get("/contacts/").content.decode()
    assert "The project&#x27;s fields have not been loaded from Dialog Insight yet" in body
