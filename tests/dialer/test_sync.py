"""The mirror: campaigns and contacts synced from the sandbox over HTTP, counts kept, the
sandbox's simulated calls moving a running campaign."""

from __future__ import annotations

import random

import pytest

from dialer.models import DialerCampaign, DialerContact, DialerStatusCount
from dialer.sandbox import simulation
from dialer.sandbox.models import SandboxContact
from dialer.sync import sync_campaigns, sync_contacts, sync_running
from tests.dialer.conftest import make_campaign, make_contact

pytestmark = pytest.mark.django_db(transaction=True)


def counts(campaign) -> dict[str, int]:
    return {
        c.status: c.count for c in DialerStatusCount.objects.filter(campaign=campaign, count__gt=0)
    }


def test_sync_mirrors_campaigns_contacts_and_counts(ccai):
    spring = make_campaign("Spring", "predictive", status="dialing")
    make_campaign("Winback", "preview")
    a = make_contact(spring, "+1 514 555 0101", status="Finished")
    make_contact(spring, "+1 514 555 0102", name="Bo Chen", status="Do Not Call")

    result = sync_campaigns()
    assert (result.created, result.removed) == (2, 0)
    mirror = DialerCampaign.objects.get(provider_id=spring.id)
    assert (mirror.mode, mirror.status, mirror.queue_name) == (
        "predictive",
        "dialing",
        "Outbound sales",
    )
    assert counts(mirror) == {"Finished": 1, "Do Not Call": 1}

    assert sync_contacts().created == 2
    row = DialerContact.objects.get(provider_id=a.id)
    assert (row.phone_e164, row.status, row.email) == (
        "+15145550101",
        "Finished",
        "ana@example.com",
    )

    # The provider changes: one contact gone, one moved on, one campaign removed.
    a.delete()
    SandboxContact.objects.filter(name="Bo Chen").update(status="Upcoming")
    make_contact(spring, "+1 514 555 0103", name="Cy Diaz", status="Dialing")
    again = sync_contacts()
    assert (again.created, again.updated, again.removed) == (1, 1, 1)
    assert counts(mirror) == {"Upcoming": 1, "Dialing": 1}
    assert sync_contacts().unchanged == 2


def test_a_pending_contact_learns_its_id_from_the_next_sync(ccai):
    spring = make_campaign()
    sync_campaigns()
    mirror = DialerCampaign.objects.get()
    DialerContact.objects.create(
        campaign=mirror, name="Ana", phone_number="+15145550101", phone_e164="+15145550101"
    )
    added = make_contact(spring, "+1 514-555-0101")
    result = sync_contacts()
    assert (result.created, result.updated) == (0, 1)
    assert DialerContact.objects.get().provider_id == added.id


def test_removed_campaign_leaves_the_mirror(ccai):
    gone = make_campaign("Old")
    sync_campaigns()
    gone.delete()
    assert sync_campaigns().removed == 1
    assert not DialerCampaign.objects.exists()


def test_running_campaign_moves_through_plausible_statuses(ccai):
    spring = make_campaign("Spring", "predictive", status="dialing")
    for i in range(30):
        make_contact(spring, f"+1 514 555 {i:04d}", name=f"P {i}")
    idle = make_campaign("Paused one", status="paused")
    make_contact(idle, "+1 514 555 9999")
    rng = random.Random(4)
    seen = set()
    for _ in range(40):
        simulation.tick(rng)
        seen |= set(SandboxContact.objects.filter(campaign=spring).values_list("status", flat=True))
    assert {"Dialing", "Connected", "Finished"} <= seen
    assert len(seen) >= 6
    assert SandboxContact.objects.get(campaign=idle).status == "Upcoming"

    sync_campaigns()
    assert sync_running() == (
        1 if DialerCampaign.objects.get(provider_id=spring.id).is_running else 0
    )
    mirror = DialerCampaign.objects.get(provider_id=spring.id)
    assert sum(counts(mirror).values()) == 30


def test_campaign_completes_when_nobody_is_left_to_call(ccai):
    spring = make_campaign("Spring", "progressive", status="dialing")
    make_contact(spring, "+1 514 555 0101")
    for _ in range(60):
        simulation.tick(random.Random(1))
    spring.refresh_from_db()
    assert spring.status == "completed"


def test_running_sync_updates_counts_often_and_rows_less_often(ccai):
    from dashboard.models import ProviderCall

    spring = make_campaign("Spring", "predictive", status="dialing")
    for i in range(10):
        make_contact(spring, f"+1 514 555 {i:04d}", name=f"P {i}")
    sync_campaigns()
    sync_contacts()  # rows just synced
    SandboxContact.objects.filter(campaign=spring).update(status="Finished")
    ProviderCall.objects.all().delete()
    assert sync_running() == 1
    mirror = DialerCampaign.objects.get(provider_id=spring.id)
    assert counts(mirror) == {"Finished": 10}  # from the campaign's contact_stats
    assert not ProviderCall.objects.filter(path__endswith="/contacts").exists()
    assert set(DialerContact.objects.values_list("status", flat=True)) == {"Upcoming"}
    DialerCampaign.objects.filter(pk=mirror.pk).update(contacts_synced_at=None)
    sync_running()
    assert set(DialerContact.objects.values_list("status", flat=True)) == {"Finished"}
