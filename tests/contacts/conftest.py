from __future__ import annotations

from collections.abc import Callable

import pytest

from contacts import nomenclature
from contacts.client import DialogInsightClient


@pytest.fixture
def di(sandbox):
    """A Dialog Insight client pointed at the sandbox over real HTTP (closed after the test,
    as `engagelab` is)."""
    client = DialogInsightClient()
    yield client
    client.session.close()


def merge_one(client: DialogInsightClient, email: str, **data: str):
    result = client.contact_merge([(email, data)])
    assert result.records[0].ok, result.records[0].message
    return result.records[0].contact_id


@pytest.fixture
def project(sandbox):
    """The sandbox project, mirrored (as `manage.py sync` would)."""
    from contacts.sync import sync_project

    sync_project()


@pytest.fixture
def claire(project):
    return merge_one(
        DialogInsightClient(),
        "claire@example.com",
        f_FirstName="Claire",
        f_LastName="Brown",
        f_City="Montréal",
        f_BirthDate="1988.03.14",
        f_LoyaltyPoints="120",
    )


@pytest.fixture
def audience(project):
    di = DialogInsightClient()
    for i in range(3):
        merge_one(di, f"laval{i}@example.com", f_LastName="L", f_City="Laval")
    merge_one(di, "toronto@example.com", f_LastName="T", f_City="Toronto")
    segment_id = di.segment_merge(
        name="Laval", clause=nomenclature.field_clause("City", "Equal", "Laval"), segment_id=None
    )
    message_id = di.message_create(
        name="Spring news", subject="Spring", sender="news@example.com", html="<p>Hi</p>"
    )
    cart_id = di.message_create(
        name="Cart reminder",
        subject="Cart",
        sender="shop@example.com",
        html="<a href='[[CartUrl]]'>Your cart</a>, [[Coupon]] off",
    )
    from contacts import sync

    sync.sync_segments()
    sync.sync_messages()
    return {"segment_id": segment_id, "message_id": message_id, "cart_id": cart_id}


def sent_and_opened(message_name: str) -> int:
    """The mirrored message `message_name` sent to everyone, then opened by every contact it
    reached: a mailing whose page has rates over time to draw. Returns its id."""
    from django.utils import timezone

    from contacts import sync
    from contacts.models import Message
    from contacts.sandbox.models import SandboxDelivery

    message = Message.objects.get(name=message_name)
    mailing_id = DialogInsightClient().mailing_send(
        message_id=message.provider_id, segment_ids=None, launch_at=None
    )
    # Reached by all: the sandbox leaves 4% of deliveries undelivered, drawn from the batch's
    # and the contacts' ids, which differ from run to run on PostgreSQL. With one contact, one
    # run in 25 had nothing delivered, so no rate to draw and no chart.
    deliveries = SandboxDelivery.objects.filter(batch_id=mailing_id)
    deliveries.update(delivered=True)
    sync.sync_mailings()
    deliveries.update(opened_at=timezone.now())
    sync.sync_mailings()
    return mailing_id


def text(response) -> str:
    """What a user reads on the page: tags dropped, entities decoded, spaces collapsed."""
    import re
    from html import unescape

    body = response.content.decode() if hasattr(response, "content") else response
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", body)))


def counting(method: str, kind: str = "latency", **fault) -> Callable[[], int]:
    """From now on, count the calls the sandbox gets to `method` (e.g. "Count"), with a fault
    that adds nothing unless `kind` says otherwise; returns how many so far."""
    from dashboard.models import SandboxFault
    from dashboard.sandbox import set_fault

    many = 1000
    set_fault("dialoginsight", kind, path_contains=f"method={method}", remaining=many, **fault)

    def calls() -> int:
        left = SandboxFault.objects.filter(provider="dialoginsight").first()
        return many - (left.remaining if left else 0)

    return calls
