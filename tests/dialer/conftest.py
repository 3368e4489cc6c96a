from __future__ import annotations

import pytest

from dialer.sandbox.models import SandboxCampaign, SandboxContact
from dialer.sandbox.rules import phone_key


@pytest.fixture
def ccai(sandbox, settings):
    """CCAI's sandbox over real HTTP, with import jobs that finish quickly."""
    from dialer.sandbox import rules

    settings.DIALER_SANDBOX_IMPORT_SECONDS = 0.2
    rules._buckets.clear()  # each test starts within the provider's rate limit
    return sandbox


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


def worker_poll() -> int:
    """What `manage.py worker` runs every few seconds for imports (the only thing that moves an
    import on once it is asked for; the page showing its progress only reads)."""
    from dialer import tasks

    return tasks.poll_imports.func()
