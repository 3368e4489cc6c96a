from __future__ import annotations

import pytest
import time_machine
from django.utils import timezone

from dialer.sandbox.models import SandboxCampaign, SandboxContact
from dialer.sandbox.rules import phone_key


@pytest.fixture
def ccai(sandbox, settings):
    """CCAI's sandbox over real HTTP. Its import jobs finish a second after they are accepted,
    by the clock: a test that follows one stops the clock (`clock`) and moves it on."""
    from dialer.sandbox import rules

    settings.DIALER_SANDBOX_IMPORT_SECONDS = 1
    rules._buckets.clear()  # each test starts within the provider's rate limit
    return sandbox


@pytest.fixture
def clock():
    """Switchboard's clock and its sandbox's (one process), stopped at the moment the test
    starts: `clock.shift(seconds)` moves both on. (Rate limits run on the monotonic clock,
    which keeps going.)"""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def make_campaign(name: str = "Spring renewals", mode: str = "progressive", **kw):
    return SandboxCampaign.objects.create(name=name, mode=mode, **kw)


def make_contact(campaign, phone: str, name: str = "Ana Lima", status: str = "Upcoming", **kw):
    return SandboxContact.objects.create(
        campaign=campaign,
        name=name,
        email=kw.pop("email", f"{name.split()[0].lower()}@example.com"),
        phone_number=phone,
        phone_key=phone_key(phone),
        status=status,
        **kw,
    )


@pytest.fixture
def synced(ccai):
    """A sandbox campaign with two contacts, mirrored into Switchboard."""
    from dialer.models import DialerCampaign
    from dialer.sync import sync_campaigns, sync_contacts

    campaign = make_campaign("Spring renewals", "progressive", status="paused")
    make_contact(campaign, "+1 514 555 0101", name="Ana Lima", external_unique_id="CRM-1")
    make_contact(campaign, "+1 514 555 0102", name="Bo Chen", status="Finished")
    sync_campaigns()
    sync_contacts()
    return DialerCampaign.objects.get(provider_id=campaign.id)


def follow_job(clock, step, *, steps: int = 5):
    """Run `step()` (the worker's poll, a page's poll…) until it returns something true, the
    clock moving on a second between tries; the last result."""
    for _ in range(steps):
        result = step()
        if result:
            return result
        clock.shift(1)
    return step()


def worker_poll() -> int:
    """What `manage.py worker` runs every few seconds for imports (the only thing that moves an
    import on once it is asked for; the page showing its progress only reads)."""
    from dialer import tasks

    return tasks.poll_imports.func()
