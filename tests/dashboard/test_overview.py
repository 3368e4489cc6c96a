"""The overview's latest sendings of both email providers, from the local mirrors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignStats
from contacts.models import Mailing


@pytest.fixture(autouse=True)
def _frozen(frozen_clock):
    """No test here depends on the hour it runs."""


@pytest.fixture
def sendings(db):
    now = timezone.now()
    Campaign.objects.create(
        provider_id=41,
        campaign_type=2,
        name="Winter sale",
        status=2,
        run_time=now - timedelta(hours=2),
        synced_at=now,
    )
    # gmail.com 300 delivered, 90 opened, 12 clicked; yahoo.com 100, 10 and 3.
    CampaignStats.objects.create(
        campaign_id=41, sent=400, delivered=400, unique_opens=100, unique_clicks=15
    )
    Mailing.objects.create(
        provider_id=7,
        message_id=3,
        message_name="Monthly newsletter",
        mode="All",
        status="Sent",
        launch_at=now - timedelta(hours=1),
        sent=200,
        delivered=200,
        unique_opens=50,
        unique_clicks=10,
        stats_at=now,
        synced_at=now,
    )


def test_managers_see_both_providers_latest_sendings_with_rates(client, manager, sendings):
    client.force_login(manager)
    body = client.get("/").content.decode()
    section = body[body.index('id="latest-sendings"') :]
    assert 'data-plotly="fig-sendings"' in section
    table = section[section.index("<table") :]
    # newest first: the Dialog Insight mailing (1 h ago), then the EngageLab campaign (2 h ago)
    assert table.index("Monthly newsletter") < table.index("Winter sale")
    newsletter, sale = table.split("Winter sale")
    assert "25.0%" in newsletter and "5.0%" in newsletter  # 50 and 10 of 200 delivered
    assert "25.0%" in sale and "3.8%" in sale  # 100 and 15 of 400 delivered


def test_the_section_refreshes_as_a_fragment(client, manager, sendings):
    client.force_login(manager)
    response = client.get("/overview/sendings/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<article id="latest-sendings"')
    assert "Winter sale" in body and "<html" not in body


def test_dialer_staff_do_not_see_email_sendings(client, dialer_staff, sendings):
    client.force_login(dialer_staff)
    body = client.get("/").content.decode()
    assert "latest-sendings" not in body and "Winter sale" not in body
    assert "Winter sale" not in client.get("/overview/sendings/").content.decode()


def test_everyone_reads_the_sendings_counted_once_and_a_change_shows_within_15_seconds(
    client, manager, marketer, sendings
):
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def newsletter_rates(user) -> str:
        client.force_login(user)
        body = client.get("/overview/sendings/", HTTP_HX_REQUEST="true").content.decode()
        table = body[body.index("<table") :]
        return table[table.index("Monthly newsletter") :].split("Winter sale")[0]

    with time_machine.travel("2026-12-01T15:45:00+00:00", tick=False) as clock:
        assert "25.0%" in newsletter_rates(manager)  # 50 of 200 delivered
        Mailing.objects.filter(provider_id=7).update(unique_opens=100)
        with CaptureQueriesContext(connection) as ctx:
            assert "25.0%" in newsletter_rates(marketer)  # what the manager read a moment ago
        assert not [q for q in ctx.captured_queries if "contacts_mailing" in q["sql"]]
        assert not [q for q in ctx.captured_queries if "campaigns_campaignstats" in q["sql"]]
        clock.shift(16)
        assert "50.0%" in newsletter_rates(marketer)  # 100 of 200
