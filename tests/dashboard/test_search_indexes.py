"""Searches by part of a text over the local mirror: the campaign list, the mailings page and
the audit log find what the words typed name, in any case (of ASCII letters on SQLite, which
folds no other), `%` and `_` included; on PostgreSQL every term of each search is answered
from an index (dashboard/search_indexes.py), so that a search does not read every campaign,
mailing or event."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from campaigns import selectors as campaign_selectors
from campaigns.models import Campaign
from contacts import selectors as contact_selectors
from contacts.models import Mailing
from dashboard import selectors
from dashboard.audit import audit_record
from tests.plans import plan_without_table_scans

LAUNCHED = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
MAILINGS = {
    # message name: audience
    "Été promotion": "Segment VIP Laval",
    "Monthly newsletter": "All contacts",
    "100% off day": "Segment Montréal",
    "Spring_sale": "Segment Québec",
}


@pytest.fixture
def mailings(db):
    for n, (name, audience) in enumerate(MAILINGS.items(), start=1):
        Mailing.objects.create(
            provider_id=n,
            message_id=n,
            message_name=name,
            mode="idFilters",
            audience=audience,
            status="Sent",
            launch_at=LAUNCHED + timedelta(days=n),
            synced_at=LAUNCHED,
        )


def _mailings_shown(client, q: str) -> set[str]:
    page = client.get("/contacts/mailings/", {"q": q}).content.decode()
    return {name for name in MAILINGS if f">{name}<" in page}


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("PROMO", {"Été promotion"}),  # part of a name, another case
        ("Été pro", {"Été promotion"}),  # an accented letter
        ("vip lav", {"Été promotion"}),  # part of the audience, across a space
        ("segment", {"Été promotion", "100% off day", "Spring_sale"}),
        ("100%", {"100% off day"}),  # a literal percent sign, not "anything"
        ("g_s", {"Spring_sale"}),  # a literal underscore, not "any letter"
        ("nothing like it", set()),
    ],
)
def test_the_mailings_search_finds_what_the_words_name(client, marketer, mailings, q, found):
    client.force_login(marketer)
    assert _mailings_shown(client, q) == found


CAMPAIGNS = {4242: "Black Friday 100% off", 7: "Été VIP launch", 8: "Spring_sale", 9: "Newsletter"}


@pytest.fixture
def campaigns(db):
    for provider_id, name in CAMPAIGNS.items():
        Campaign.objects.create(
            provider_id=provider_id,
            name=name,
            status=2,
            campaign_type=2,
            create_time=LAUNCHED,
            synced_at=LAUNCHED,
        )


def _campaigns_shown(client, q: str) -> set[str]:
    page = client.get("/campaigns/", {"q": q}).content.decode()
    return {name for name in CAMPAIGNS.values() if name in page}


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("FRIDAY", {"Black Friday 100% off"}),  # part of a name, another case
        ("Été vip", {"Été VIP launch"}),  # an accented letter, across a space
        ("100%", {"Black Friday 100% off"}),  # a literal percent sign, not "anything"
        ("g_s", {"Spring_sale"}),  # a literal underscore, not "any letter"
        ("4242", {"Black Friday 100% off"}),  # the campaign's id
        ("424", set()),  # only the whole id, not a part of it
        ("nothing like it", set()),
    ],
)
def test_the_campaign_search_finds_what_the_words_name(client, marketer, campaigns, q, found):
    client.force_login(marketer)
    assert _campaigns_shown(client, q) == found


@pytest.fixture
def events(marketer, dialer_staff):
    audit_record(
        user=marketer,
        provider="engagelab",
        object_type="campaign",
        action="created",
        object_id=4242,
        object_label="Black Friday newsletter",
    )
    audit_record(
        user=dialer_staff,
        provider="ccai",
        object_type="dialer contact",
        action="deleted",
        object_id=3,
        object_label="Ana Lima +15145550101",
    )


def _events_shown(client, q: str) -> set[str]:
    page = client.get("/audit/", {"q": q}).content.decode()
    return set(re.findall(r"Black Friday newsletter|Ana Lima", page))


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("FRIDAY", {"Black Friday newsletter"}),  # part of the object's label
        ("dana", {"Ana Lima"}),  # part of who did it
        ("delet", {"Ana Lima"}),  # part of the action
        ("dialer cont", {"Ana Lima"}),  # part of the object's type
        ("4242", {"Black Friday newsletter"}),  # the object's id
        ("42", set()),  # only the whole id, not a part of it
    ],
)
def test_the_audit_search_finds_what_the_words_name(client, superuser, events, q, found):
    client.force_login(superuser)
    assert _events_shown(client, q) == found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
def test_on_postgresql_every_term_of_the_mailings_search_is_answered_from_an_index(mailings):
    plan = plan_without_table_scans(contact_selectors.mailings(q="vip").order_by())
    assert "Seq Scan" not in plan
    assert "contacts_mailing_message_name_trgm" in plan
    assert "contacts_mailing_audience_trgm" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
def test_on_postgresql_every_term_of_the_campaign_search_is_answered_from_an_index(campaigns):
    by_name = plan_without_table_scans(campaign_selectors.campaign_list({"q": "friday"}).order_by())
    assert "Seq Scan" not in by_name
    assert "campaigns_campaign_name_trgm" in by_name
    # Digits are also the whole id: the name's index and the id's unique one.
    by_id = plan_without_table_scans(campaign_selectors.campaign_list({"q": "4242"}).order_by())
    assert "Seq Scan" not in by_id
    assert "campaigns_campaign_name_trgm" in by_id
    assert "campaigns_campaign_campaign_id_key" in by_id


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
def test_on_postgresql_every_term_of_the_audit_search_is_answered_from_an_index(superuser, events):
    plan = plan_without_table_scans(selectors.audit_events(superuser, {"q": "friday"}).order_by())
    assert "Seq Scan" not in plan
    for column in ("username", "object_label", "action", "object_type"):
        assert f"dashboard_auditevent_{column}_trgm" in plan
    assert "dashboard_auditevent_object_id_eq" in plan
