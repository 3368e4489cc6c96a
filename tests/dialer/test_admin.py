"""The dialer's contact mirror in Django's admin: read-only, searchable, filterable, and its
queries do not grow with the rows shown."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dialer.models import DialerCampaign, DialerContact

URL = "/admin/dialer/dialercontact/"


@pytest.fixture
def contacts(db):
    renewals = DialerCampaign.objects.create(provider_id=1, name="Renewals")
    survey = DialerCampaign.objects.create(provider_id=2, name="Survey")
    DialerContact.objects.create(
        campaign=renewals, provider_id=10, name="Ana Lima", phone_number="+15142110000",
        email="ana@example.com", external_unique_id="CRM-1", status="Finished",
    )  # fmt: skip
    DialerContact.objects.create(
        campaign=survey, provider_id=11, name="Bo Chen", phone_number="+15142110001",
        email="bo@example.com", external_unique_id="CRM-2", status="Upcoming",
    )  # fmt: skip
    return renewals, survey


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _names(response) -> set[str]:
    return {c.name for c in response.context["cl"].result_list}


@pytest.mark.parametrize(
    "q", ["Ana", "+15142110000", "CRM-1", "ana@example.com"], ids=["name", "phone", "ext", "mail"]
)
def test_search_by_name_phone_external_id_or_email(admin_client, contacts, q):
    response = admin_client.get(URL, {"q": q})
    assert response.status_code == 200
    assert _names(response) == {"Ana Lima"}


def test_filter_by_status_and_campaign(admin_client, contacts):
    renewals, survey = contacts
    assert _names(admin_client.get(URL, {"status__exact": "Upcoming"})) == {"Bo Chen"}
    assert _names(admin_client.get(URL, {"campaign__id__exact": survey.pk})) == {"Bo Chen"}
    page = admin_client.get(URL).content.decode()
    assert "Ana Lima" in page and "Renewals" in page and "Survey" in page


def test_read_only(admin_client, contacts):
    contact = DialerContact.objects.get(name="Ana Lima")
    assert admin_client.get(f"{URL}add/").status_code == 403
    change = f"{URL}{contact.pk}/change/"
    assert admin_client.get(change).status_code == 200  # viewable
    posted = admin_client.post(change, {"name": "Changed"})
    assert posted.status_code == 403
    assert admin_client.post(f"{URL}{contact.pk}/delete/", {"post": "yes"}).status_code == 403
    contact.refresh_from_db()
    assert contact.name == "Ana Lima"


def test_queries_do_not_grow_with_the_rows(admin_client, contacts):
    renewals, _ = contacts

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    DialerContact.objects.bulk_create(
        DialerContact(campaign=renewals, provider_id=100 + n, name=f"Row {n}") for n in range(40)
    )
    assert queries() == few
