"""The mirror: a sync upserts by EngageLab id, removes only what a complete listing lacks,
and every successful write updates it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign, ReferenceItem, SyncStamp
from campaigns.sandbox.models import SandboxCampaign
from campaigns.sync import sync_campaigns, sync_references
from dashboard.models import AuditEvent
from dashboard.providers import ProviderError
from dashboard.sandbox import set_fault
from tests.campaigns.conftest import ab_payload, regular_payload

pytestmark = pytest.mark.django_db(transaction=True)


def test_sync_creates_updates_and_removes(engagelab):
    a = engagelab.campaign_create(regular_payload(name="First"))
    engagelab.campaign_create(ab_payload(name="Second"))
    Campaign.objects.create(
        provider_id=999_999, campaign_type=2, name="Gone", status=0, synced_at=timezone.now()
    )
    result = sync_campaigns()
    assert (result.created, result.removed) == (2, 1)
    first = Campaign.objects.get(provider_id=a.campaign_id)
    assert first.name == "First" and first.audience_values == ["newsletter"]
    assert first.warm_up[0]["domain"] == "gmail.com" and first.time_zone == "-5"
    assert SyncStamp.objects.filter(name="campaigns").exists()
    SandboxCampaign.objects.filter(pk=a.campaign_id).update(name="First, renamed")
    SandboxCampaign.objects.filter(pk=a.campaign_id).update(
        data={**SandboxCampaign.objects.get(pk=a.campaign_id).data, "name": "First, renamed"}
    )
    result = sync_campaigns()
    assert (result.updated, result.unchanged, result.removed) == (1, 1, 0)
    assert Campaign.objects.get(provider_id=a.campaign_id).name == "First, renamed"


def test_a_failed_listing_removes_nothing(engagelab):
    engagelab.campaign_create(regular_payload())
    sync_campaigns()
    set_fault("engagelab", "error", status=503)
    with pytest.raises(ProviderError):
        sync_campaigns()
    assert Campaign.objects.count() == 1


def test_a_listing_removes_only_campaigns_stored_before_it_was_asked_for(engagelab):
    """A campaign Switchboard stored after the listing was asked for (a create, meanwhile)
    may not be in it yet: it stays; one last seen before then is gone from EngageLab."""
    now = timezone.now()
    for provider_id, synced_at in ((1, now - timedelta(hours=1)), (2, now + timedelta(minutes=1))):
        Campaign.objects.create(
            provider_id=provider_id, campaign_type=2, name="x", status=0, synced_at=synced_at
        )
    assert sync_campaigns().removed == 1
    assert list(Campaign.objects.values_list("provider_id", flat=True)) == [2]


def test_reference_sync_fills_the_builder_choices(engagelab):
    sync_references()
    kinds = set(ReferenceItem.objects.values_list("kind", flat=True))
    assert kinds == {"sender", "template", "tag", "segment"}
    assert ReferenceItem.objects.get(kind="sender", key="21").label.startswith("Switchboard News")
    again = sync_references()  # nothing changed at EngageLab
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == ReferenceItem.objects.count()


def test_each_reference_list_is_stored_on_its_own(engagelab):
    sync_references()
    segments = set(ReferenceItem.objects.filter(kind="segment").values_list("key", flat=True))
    ReferenceItem.objects.exclude(kind="segment").delete()
    set_fault("engagelab", "error", status=404, path_contains="/lists/segments")
    result = sync_references()
    assert result.errors == ["segments (EngageLab answered HTTP 404.)"]
    assert str(result).endswith("; not loaded: segments (EngageLab answered HTTP 404.)")
    kinds = set(ReferenceItem.objects.values_list("kind", flat=True))
    assert kinds == {"sender", "template", "tag", "segment"}
    # The list that failed keeps what was last seen of it.
    assert (
        set(ReferenceItem.objects.filter(kind="segment").values_list("key", flat=True)) == segments
    )


def test_services_write_mirror_and_audit(engagelab, marketer):
    row = services.campaign_create(
        user=marketer, payload=regular_payload(), attachments=[{"filename": "a.pdf", "size": 3}]
    )
    assert row.subject == "Autumn is here" and row.attachments[0]["filename"] == "a.pdf"
    row = services.campaign_update(
        user=marketer, campaign=row, payload=regular_payload(name="Autumn, v2")
    )
    assert row.name == "Autumn, v2"
    services.campaign_delete(user=marketer, campaign=row)
    assert not Campaign.objects.exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "outcome"))
    assert actions == [("created", "ok"), ("updated", "ok"), ("deleted", "ok")]


def test_a_failed_create_is_audited_as_failed(engagelab, marketer):
    with pytest.raises(ProviderError):
        services.campaign_create(user=marketer, payload=regular_payload(name=""))
    event = AuditEvent.objects.get()
    assert event.outcome == "error" and "name cannot be empty" in event.detail


def test_a_refused_update_is_audited_with_the_campaign_it_was_about(engagelab, marketer):
    row = services.campaign_create(user=marketer, payload=regular_payload())
    with pytest.raises(ProviderError):
        services.campaign_update(user=marketer, campaign=row, payload={"name": ""})
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.outcome, event.object_id, event.object_label) == (
        "updated",
        "error",
        str(row.provider_id),
        "Autumn newsletter",
    )
    assert "name cannot be empty" in event.detail


def test_deleting_a_campaign_engagelab_no_longer_has_is_done(engagelab, marketer):
    row = services.campaign_create(user=marketer, payload=regular_payload())
    SandboxCampaign.objects.all().delete()  # deleted on EngageLab meanwhile: it answers 404
    services.campaign_delete(user=marketer, campaign=row)
    assert not Campaign.objects.exists()
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.outcome, event.object_id) == ("deleted", "ok", str(row.provider_id))


def test_editing_a_started_campaign_is_refused_before_any_call(engagelab, marketer):
    row = services.campaign_create(
        user=marketer, payload=regular_payload(send_time="2020-01-01 00:00:00")
    )
    assert row.status == 1
    with pytest.raises(services.CampaignLocked):
        services.campaign_update(user=marketer, campaign=row, payload={"name": "x"})


def test_overview_card_counts_the_mirror(engagelab):
    from campaigns.selectors import overview_card

    assert overview_card()["stats"] == []
    engagelab.campaign_create(regular_payload())
    engagelab.campaign_create(regular_payload(send_time="2020-01-01 00:00:00"))
    sync_campaigns()
    assert overview_card()["stats"] == [("Running", 1), ("Scheduled", 1), ("Finished", 0)]


def test_the_periodic_tasks_run_the_sandbox_and_process_what_it_sent(engagelab):
    from campaigns.models import StatBucket
    from campaigns.sandbox.tasks import sandbox_tick
    from campaigns.tasks import process_webhooks_task, sync_campaigns_task

    created = engagelab.campaign_create(regular_payload(send_time="2020-01-01 00:00:00"))
    assert sandbox_tick.func() == 40  # one tick sends to the next 40 recipients
    assert process_webhooks_task.func() > 40  # sent, delivered, opens, clicks…
    assert StatBucket.objects.filter(campaign_id=created.campaign_id).exists()
    assert "1 created" in sync_campaigns_task.func()


# Around midnight UTC, around midnight UTC+8 (16:00 UTC, EngageLab's day change) and the night
# America/Toronto leaves daylight saving time.
FROZEN_INSTANTS = [
    "2026-12-01T23:59:50+00:00",
    "2026-12-02T00:00:10+00:00",
    "2026-12-01T15:59:50+00:00",
    "2026-12-01T16:00:10+00:00",
    "2026-11-01T05:59:50+00:00",
    "2026-11-01T06:00:10+00:00",
]


@pytest.mark.parametrize("instant", FROZEN_INSTANTS)
def test_daily_statistics_are_polled_and_shown_beside_the_live_numbers(
    instant, engagelab, client, manager
):
    from campaigns.models import DailyDomainStat
    from campaigns.sandbox.simulation import simulate
    from campaigns.sync import sync_daily_stats

    engagelab.campaign_create(regular_payload(send_time="2020-01-01 00:00:00"))
    with time_machine.travel(instant, tick=True):
        simulate(batch=100)
        result = sync_daily_stats()
        assert result.created >= 3
        assert sum(DailyDomainStat.objects.values_list("sent", flat=True)) == 100
        assert sync_daily_stats().unchanged == result.created  # polling again changes nothing
    client.force_login(manager)
    body = client.get("/campaigns/overview/chart/").content.decode()
    assert "EngageLab's own daily report, whole account" in body
    assert "<td>100</td>" in body


def test_a_day_whose_statistics_leave_a_count_out_keeps_the_numbers_last_read(settings, db):
    """EngageLab's daily report is the cross-check of the live numbers: a row without one of
    its counts is refused with a sentence (the poll fails), never stored as 0 clicks, and
    the other rows of that answer are not written either."""
    import responses

    from campaigns.client import STAT_COUNTS
    from campaigns.models import DailyDomainStat
    from campaigns.sync import sync_daily_stats

    settings.SANDBOX = False
    settings.ENGAGELAB_BASE_URL = "https://el.example"
    settings.ENGAGELAB_API_USER, settings.ENGAGELAB_API_KEY = "u", "k"
    with time_machine.travel("2026-12-01T10:00:00+00:00"):
        read_at = timezone.now() - timedelta(hours=1)
        DailyDomainStat.objects.create(
            day=date(2026, 12, 1), domain="gmail.com", sent=90, clicks=7, synced_at=read_at
        )
        complete = dict.fromkeys(STAT_COUNTS, 100)
        rows = [
            {"send_date": "2026-11-30", "domain": "gmail.com", **complete},
            {"send_date": "2026-12-01", "domain": "gmail.com",
             **{k: v for k, v in complete.items() if k != "clicks"}},
        ]  # fmt: skip
        with responses.RequestsMock() as mock:
            mock.get("https://el.example/v1/stats_day", json={"result": rows})
            with pytest.raises(ProviderError) as caught:
                sync_daily_stats()
    assert str(caught.value) == (
        "EngageLab sent a statistics row without its clicks; nothing was changed."
    )
    assert list(DailyDomainStat.objects.values_list("day", "sent", "clicks")) == [
        (date(2026, 12, 1), 90, 7)
    ]


def test_a_listing_without_its_total_removes_no_campaign(settings, db):
    """Whether the walk has every page is read from `total`: a listing without it is refused,
    not taken for whole, which would remove every campaign of the pages never asked for."""
    import responses

    settings.SANDBOX = False
    settings.ENGAGELAB_BASE_URL = "https://el.example"
    settings.ENGAGELAB_API_USER, settings.ENGAGELAB_API_KEY = "u", "k"
    for provider_id, name in ((5, "Listed"), (6, "On the next page")):
        Campaign.objects.create(provider_id=provider_id, name=name, campaign_type=2, status=0,
                                synced_at=timezone.now())  # fmt: skip
    listed = {"campaign_id": 5, "name": "Listed, renamed", "campaign_type": 2, "status": 0}
    with responses.RequestsMock() as mock:
        mock.get("https://el.example/v1/marketing/campaigns", json={"result": [listed]})
        with pytest.raises(ProviderError) as caught:
            sync_campaigns()
    assert str(caught.value) == (
        "EngageLab sent a campaign list without its total; nothing was changed."
    )
    assert list(Campaign.objects.order_by("provider_id").values_list("name", flat=True)) == [
        "Listed",
        "On the next page",
    ]
