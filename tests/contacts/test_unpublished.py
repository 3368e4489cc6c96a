"""What Dialog Insight does not publish is optional.

Each call Switchboard makes that no public Dialog Insight page documents is refused in turn,
the way a real account may refuse it (404, 400, 500, or `Success: false` naming an unknown
method): the page says plainly that the feature is not available on this account (or uses
the documented alternative), Switchboard remembers the refusal instead of asking on every
page, and every other page keeps working.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from contacts import sync
from contacts.client import DialogInsightClient
from contacts.models import Mailing, Segment
from contacts.sandbox.models import SandboxBatch
from contacts.services import mailing_send
from dashboard.models import ProviderCapability, SandboxFault
from dashboard.sandbox import clear_faults, set_fault
from tests.contacts.conftest import text

pytestmark = pytest.mark.django_db(transaction=True)

GET = "contacts.ashx?method=Get"
# How the account refuses each: the sandbox's fault, matched on the call's path and body.
REFUSALS = {
    "contact_by_id": {"kind": "unknown_method", "path_contains": GET,
                      "body_contains": '"Name": "idContact"'},
    "contact_history_get": {"kind": "error", "status": 404, "path_contains": "method=GetHistory"},
    "contact_count": {"kind": "unknown_method", "path_contains": "method=Count"},
    "segment_list": {"kind": "error", "status": 400, "path_contains": "filters.ashx?method=List"},
    "segment_save": {"kind": "error", "status": 500, "path_contains": "filters.ashx?method=Merge"},
    "segment_contact_list": {"kind": "unknown_method", "path_contains": GET,
                         "body_contains": '"idFilter"'},
    "message_list": {"kind": "error", "status": 404, "path_contains": "messages.ashx?method=List"},
    "mailing_statistics_get": {"kind": "unknown_method", "path_contains": "GetStatistics"},
}  # fmt: skip
MANY = 1000  # a fault's countdown, which also counts the calls it matched


@pytest.fixture
def account(client, superuser, audience, claire):
    """A project with contacts, the "Laval" segment, two messages and one sent mailing."""
    mailing_send(user=superuser, message_id=audience["message_id"], message_name="Spring news",
                 segment=Segment.objects.get(), launch_at=None, token="")  # fmt: skip
    client.force_login(superuser)
    # Set up through the sandbox; Switchboard has tried none of the calls on this account yet.
    ProviderCapability.objects.all().delete()
    return {**audience, "claire": claire, "mailing_id": Mailing.objects.get().provider_id,
            "user": superuser}  # fmt: skip


def _refuse(name: str) -> None:
    set_fault("dialoginsight", **REFUSALS[name], remaining=MANY)


def _calls() -> int:
    """How many calls the sandbox's fault matched so far."""
    fault = SandboxFault.objects.filter(provider="dialoginsight").first()
    return MANY - (fault.remaining if fault else 0)


def _ok(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200, url
    return text(response)


def _sending(account, **extra) -> dict:
    return {"message": account["message_id"], "segment": account["segment_id"], "when": "now",
            "time_zone": "UTC", **extra}  # fmt: skip


def _use(client, name, account) -> str:
    """Use the feature `name` stands for; what the user reads there."""
    detail = reverse("contacts:contact_detail", args=[account["claire"]])
    if name == "contact_by_id":
        return _ok(client, detail)
    if name == "contact_history_get":
        return _ok(client, detail, {"key": "claire@example.com"})
    if name == "contact_count":
        return text(client.post(reverse("contacts:mailing_send"), _sending(account)))
    if name == "segment_list":
        return text(client.post(reverse("contacts:segment_list_refresh"), follow=True))
    if name == "segment_save":
        from tests.contacts.test_segments_imports import _segment_post

        post = _segment_post("Toronto", "AND", [("City", "Equal", "Toronto")])
        return text(client.post(reverse("contacts:segment_create"), post))
    if name == "segment_contact_list":
        return _ok(client, reverse("contacts:segment_detail", args=[account["segment_id"]]))
    return text(client.post(reverse("contacts:mailing_list_refresh"), follow=True))


SAYS = {
    "contact_by_id": "Opening a contact by its id is not available on this Dialog Insight account.",
    "contact_history_get": "Reading a contact's mailing history is not available on this "
    "Dialog Insight account.",
    "contact_count": "How many contacts that is cannot be said: Counting contacts is not "
    "available on this Dialog Insight account.",
    "segment_list": "Segments refreshed, in part. Listing segments is not available on this "
    "Dialog Insight account.",
    "segment_save": "The segment was not saved. Saving segments is not available on this Dialog "
    "Insight account.",
    # A dynamic segment's members are found with its own clause instead (documented).
    "segment_contact_list": "3 contacts.",
    "message_list": "Mailings refreshed, in part. Listing messages is not available on this "
    "Dialog Insight account.",
    "mailing_statistics_get": "Mailings refreshed, in part. Reading a mailing's statistics is "
    "not available on this Dialog Insight account.",
}


def _every_page_works(client, account) -> None:
    """The pages a marketer uses, each working with what the account does offer."""
    found = _ok(client, reverse("contacts:contact_search"), {"q": "claire"})
    assert "claire@example.com" in found
    link = re.search(r'href="(/contacts/\d+/\?key=[^"]+)"', client.get(
        reverse("contacts:contact_search"), {"q": "claire"}).content.decode())[1]  # fmt: skip
    page = _ok(client, link.replace("&amp;", "&"))
    assert "Claire" in page and "Montréal" in page and "Subscriptions" in page
    assert "Laval" in _ok(client, reverse("contacts:segment_list"))
    members = _ok(client, reverse("contacts:segment_detail", args=[account["segment_id"]]))
    assert "laval0@example.com" in members
    assert "Spring news" in _ok(client, reverse("contacts:mailing_list"))
    assert "Cart reminder" in _ok(client, reverse("contacts:message_list"))
    _ok(client, reverse("contacts:mailing_detail", args=[account["mailing_id"]]))
    for url in ("contacts:mailing_send", "contacts:message_create", "contacts:segment_create",
                "contacts:contact_create", "contacts:import_list"):  # fmt: skip
        _ok(client, reverse(url))
    # A sending (documented) goes out whatever the account lacks.
    confirm = client.post(reverse("contacts:mailing_send"), _sending(account))
    token = re.search(r'name="token" value="(\w+)"', confirm.content.decode())[1]
    sent = client.post(reverse("contacts:mailing_send"), _sending(account, confirmed="on",
                                                                 token=token))  # fmt: skip
    assert sent.status_code == 302 and SandboxBatch.objects.count() == 2


@pytest.mark.parametrize("name", REFUSALS)
def test_each_unpublished_call_refused_leaves_the_rest_working(client, account, name):
    _refuse(name)
    assert SAYS[name] in _use(client, name, account)
    assert _calls() == 1
    _every_page_works(client, account)
    _use(client, name, account)
    assert _calls() == 1  # remembered: not asked again on every page
    row = ProviderCapability.objects.get(name=name)
    assert not row.available
    feature = str(DialogInsightClient.UNPUBLISHED[name].feature)  # translatable (lazy)
    assert re.search(rf"{re.escape(feature)} .{{0,60}} not available", _ok(client, "/providers/"))


def test_a_count_is_given_again_once_the_account_answers(client, account):
    _refuse("contact_count")
    assert "cannot be said" in _use(client, "contact_count", account)
    # The account is given the method; a fault that adds nothing counts the calls.
    set_fault("dialoginsight", "latency", latency_ms=0, path_contains="method=Count",
              remaining=MANY)  # fmt: skip
    with time_machine.travel(dt.timedelta(hours=5, minutes=59), tick=True):
        assert "cannot be said" in _use(client, "contact_count", account)
        assert _calls() == 0  # still believed: not asked
    with time_machine.travel(dt.timedelta(hours=6, minutes=1), tick=True):
        page = _use(client, "contact_count", account)
        assert "will be sent to 3 contacts (segment “Laval”)" in page
        assert "cannot be said" not in page and _calls() == 1
        assert ProviderCapability.objects.get(name="contact_count").available


def test_the_providers_page_says_what_each_unpublished_call_did(client, account, manager, marketer):
    _refuse("contact_history_get")
    _use(client, "contact_history_get", account)
    sync.sync_segments()
    client.force_login(manager)
    page = _ok(client, reverse("providers"))
    assert re.search(r"Listing segments Filters.List available last tried \d+.minutes? ago", page)
    assert "Reading a contact's mailing history Contacts.GetHistory not available" in page
    assert "Listing senders GET /v1/marketing/senders not tried yet" in page
    assert (
        "Opening a contact by its id Contacts.Get with a clause on idContact available"
    ) in page and "Contacts.Get with a clause on the project key (documented)" in page
    # Try again at the next use, rather than in six hours (who may see the page may ask).
    clear_faults()
    forget = reverse("capability_forget", args=["dialoginsight", "contact_history_get"])
    client.force_login(marketer)
    assert client.post(forget).status_code == 403
    assert ProviderCapability.objects.filter(name="contact_history_get").exists()
    client.force_login(manager)
    assert client.post(forget).status_code == 302
    assert not ProviderCapability.objects.filter(name="contact_history_get").exists()
    client.force_login(account["user"])
    assert "Spring news" in _use(client, "contact_history_get", account)


def test_a_method_that_answered_before_is_not_given_up_on_one_server_error(client, account):
    assert "Claire" in _use(client, "contact_history_get", account)  # answered: available
    set_fault("dialoginsight", "error", status=500, path_contains="GetHistory", remaining=1)
    page = _use(client, "contact_history_get", account)
    assert "The mailing history could not be loaded. Dialog Insight is having trouble" in page
    assert ProviderCapability.objects.get(name="contact_history_get").available
    assert "Spring news" in _use(client, "contact_history_get", account)  # asked again, and shown
