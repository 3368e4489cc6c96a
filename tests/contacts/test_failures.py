"""The team guide's "bad input and failures" promise, page by page, for Dialog Insight contacts.

Each case goes through Django's test client with the sandbox behind it over HTTP and one fault
injected (429, an unreadable body, a 5xx, an envelope `Success: false`, a per-record
rejection): never a 500, a sentence naming Dialog Insight, the form as typed, no "ok" audit
event or mirror row for a failed write, and a write sent once. The cases already covered in
test_pages.py, test_segments_imports.py and test_mailings.py (search 503, detail malformed,
create timeout, segment 500, SendBatch 502, import 503) are not repeated here.
"""

from __future__ import annotations

import json
import re

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.client import DialogInsightClient
from contacts.models import ContactImport, Mailing, Message, ProjectField, Segment
from contacts.sandbox.models import SandboxBatch
from contacts.sandbox.models import SandboxMessage as SandboxMessageRow
from dashboard.models import AuditEvent, ProviderCall
from dashboard.sandbox import set_fault
from tests.concurrency import eventually
from tests.contacts.conftest import text
from tests.contacts.test_segments_imports import _segment_post
from tests.html_forms import form_data, outcome_choices

pytestmark = pytest.mark.django_db(transaction=True)

FAULTS = {
    "429": ("rate_limit", {"retry_after": 60}, "Dialog Insight is rate limiting Switchboard's"),
    "malformed": ("malformed", {}, "Dialog Insight answered with something that is not JSON"),
    "503": ("error", {"status": 503}, "Dialog Insight is having trouble (HTTP 503)."),
}
EDIT = {"f_FirstName": "Clarissa", "f_LastName": "Brown"}


def fault(name: str, **extra) -> str:
    kind, options, message = FAULTS[name]
    set_fault("dialoginsight", kind, **options, **extra)
    return message


def writes(method: str) -> int:
    return (
        ProviderCall.objects.filter(path__contains="ofc4", path__endswith=".ashx")
        .filter(path__contains=method)
        .count()
    )


def said(client, response) -> str:
    """Everything the user is told: the page, its toasts after an htmx request (HX-Trigger),
    or the messages queued for the next page after a redirect."""
    told = [text(response)]
    if "HX-Trigger" in response:
        told += [t["message"] for t in json.loads(response["HX-Trigger"]).get("toasts", [])]
    else:
        told.append(text(client.get(reverse("contacts:segment_list"))))
    return " ".join(told)


@pytest.fixture
def mia(client, marketer):
    client.force_login(marketer)
    return client


# --- contact form -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["429", "malformed", "503"])
def test_edit_failure_keeps_what_was_typed(mia, claire, name):
    message = fault(name, path_contains="Merge")
    response = mia.post(reverse("contacts:contact_edit", args=[claire]), EDIT)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in text(response)
    assert 'value="Clarissa"' in html and 'value="claire@example.com"' in html
    assert DialogInsightClient().contact_get(claire).values["FirstName"] == "Claire"
    assert list(AuditEvent.objects.values_list("action", "outcome")) == [("updated", "error")]


def test_edit_with_a_bad_value_shows_it_on_the_field(mia, claire):
    response = mia.post(
        reverse("contacts:contact_edit", args=[claire]), {**EDIT, "f_BirthDate": "31/02/1988"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid date." in html and 'value="31/02/1988"' in html
    assert "Edit claire@example.com" in text(response)
    assert not AuditEvent.objects.exists()


def test_edit_of_a_contact_deleted_meanwhile_says_so_and_sends_nothing(mia, claire):
    DialogInsightClient().contact_delete({"$type": "FieldClause", "Field": {"Name": "f_EMail"},
                                           "TypeOperator": "Equal",
                                           "ComparisonValue": "claire@example.com"})  # fmt: skip
    response = mia.post(reverse("contacts:contact_edit", args=[claire]), EDIT)
    assert response.status_code == 200
    assert "Dialog Insight no longer has this contact: nothing was saved." in text(response)
    assert 'value="Clarissa"' in response.content.decode()
    assert not AuditEvent.objects.exists()  # every Contacts.Merge sent is audited


def test_edit_whose_contact_cannot_be_read_keeps_what_was_typed(mia, claire):
    from contacts.sandbox.models import SandboxContact

    message = fault("503", path_contains="contacts.ashx?method=Get")
    response = mia.post(reverse("contacts:contact_edit", args=[claire]), EDIT)
    assert response.status_code == 200
    assert "Nothing was saved: the contact could not be read." in text(response)
    assert message in text(response) and 'value="Clarissa"' in response.content.decode()
    assert not AuditEvent.objects.exists()  # every Contacts.Merge sent is audited
    assert SandboxContact.objects.get(key="claire@example.com").data["FirstName"] == "Claire"


@pytest.mark.parametrize("name", ["429", "malformed"])
def test_create_failure_is_sent_once_and_keeps_the_form(mia, project, name):
    message = fault(name, path_contains="Merge")
    response = mia.post(
        reverse("contacts:contact_create"),
        {"f_EMail": "nina@example.com", "f_FirstName": "Nina", "f_LastName": "New"},
    )
    assert response.status_code == 200 and message in text(response)
    assert 'value="nina@example.com"' in response.content.decode()
    assert writes("contacts.ashx") == 1
    assert list(AuditEvent.objects.values_list("action", "outcome")) == [("created", "error")]


# --- one-click changes on the contact page --------------------------------------------------
@pytest.mark.parametrize(("name", "htmx"), [("429", True), ("malformed", False), ("503", False)])
def test_optin_failure_is_a_message_and_changes_nothing(mia, claire, name, htmx):
    message = fault(name)
    headers = {"HX-Request": "true"} if htmx else {}
    url = reverse("contacts:contact_optin_set", args=[claire, "Newsletter"])
    response = mia.post(url, {"subscribed": "1"}, headers=headers)
    assert response.status_code == (204 if htmx else 302)
    assert message in said(mia, response)
    assert not AuditEvent.objects.filter(outcome="ok").exists()


def test_optin_the_project_does_not_have_is_refused_with_the_reason(mia, claire):
    response = mia.post(
        reverse("contacts:contact_optin_set", args=[claire, "NoSuchList"]),
        {"subscribed": "1"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Dialog Insight: " in text(response)
    assert AuditEvent.objects.get().outcome == "error"


@pytest.mark.parametrize("view", ["contacts:contact_optin_set", "contacts:contact_unsubscribe"])
def test_a_change_that_worked_is_reported_as_done_when_the_reread_fails(
    mia, claire, monkeypatch, view
):
    # The merge succeeds; Dialog Insight then fails the read that refreshes the page. The user
    # must hear that the change was made, not that it failed.
    merge = DialogInsightClient.contact_merge

    def merge_then_break(self, *args, **kwargs):
        result = merge(self, *args, **kwargs)
        set_fault("dialoginsight", "rate_limit", retry_after=60)  # 429: not retried, no wait
        return result

    monkeypatch.setattr(DialogInsightClient, "contact_merge", merge_then_break)
    args = [claire, "Newsletter"] if view == "contacts:contact_optin_set" else [claire]
    response = mia.post(
        reverse(view, args=args), {"subscribed": "0"}, headers={"HX-Request": "true"}
    )
    assert response.status_code in (200, 302)
    page = said(mia, response)
    assert "unsubscribed from" in page and "rate limiting" not in page
    assert list(AuditEvent.objects.values_list("outcome", flat=True)) == ["ok"]


def test_unsubscribe_failure_is_a_message(mia, claire):
    message = fault("503", path_contains="Merge")
    response = mia.post(reverse("contacts:contact_unsubscribe", args=[claire]), follow=True)
    assert response.status_code == 200 and message in text(response)
    assert AuditEvent.objects.get().outcome == "error"


@pytest.mark.parametrize(
    ("name", "sentence"),
    [("429", "The contact was not deleted."), ("malformed", "may have deleted the contact")],
)
def test_delete_failure_says_what_is_known(mia, claire, name, sentence):
    message = fault(name, path_contains="Delete")
    response = mia.post(
        reverse("contacts:contact_delete", args=[claire]),
        {"label": "claire@example.com"},
        follow=True,
    )
    assert response.status_code == 200
    assert sentence in text(response) and message in text(response)
    assert list(AuditEvent.objects.values_list("action", "outcome")) == [("deleted", "error")]


# --- segments ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "sentence"),
    [("429", "The segment was not saved."), ("malformed", "may have created it anyway")],
)
def test_segment_failure_keeps_the_builder(mia, project, name, sentence):
    message = fault(name, path_contains="filters")
    response = mia.post(
        reverse("contacts:segment_create"),
        _segment_post("Montréal fans", "OR", [("City", "Equal", "Montréal")]),
    )
    assert response.status_code == 200
    assert sentence in text(response) and message in text(response)
    assert 'value="Montréal fans"' in response.content.decode()
    assert not Segment.objects.exists() and writes("filters.ashx") == 1


def _token(client, url) -> str:
    return re.search(r'name="token" value="(\w+)"', client.get(url).content.decode())[1]


@pytest.mark.parametrize("kind", ["segment", "message"])
def test_one_create_form_creates_one_thing_however_often_it_is_submitted(mia, project, kind):
    if kind == "segment":
        url = reverse("contacts:segment_create")
        post = _segment_post("Laval", "AND", [("City", "Equal", "Laval")])
    else:
        url = reverse("contacts:message_create")
        post = {"name": "Welcome", "subject": "Hi", "sender": "hi@example.com", "html": "<p>Hi</p>"}
    post["token"] = _token(mia, url)
    first = mia.post(url, post)
    again = mia.post(url, post)  # double click, or the browser resends it
    assert first.status_code == again.status_code == 302
    assert "already submitted; it was not created a second time" in said(mia, again)
    if kind == "segment":
        assert Segment.objects.count() == 1 and len(DialogInsightClient().segment_list()) == 1
    else:
        assert Message.objects.count() == 1 and SandboxMessageRow.objects.count() == 1


def test_segment_edit_failure_keeps_the_new_name(mia, audience):
    page = mia.get(reverse("contacts:segment_edit", args=[audience["segment_id"]]))
    assert 'name="cond-INITIAL_FORMS" value="1"' in page.content.decode()
    message = fault("503", path_contains="filters")
    data = _segment_post("Laval, renamed", "AND", [("City", "Equal", "Laval")])
    data["cond-INITIAL_FORMS"] = "1"
    response = mia.post(reverse("contacts:segment_edit", args=[audience["segment_id"]]), data)
    assert response.status_code == 200 and message in text(response)
    assert 'value="Laval, renamed"' in response.content.decode()
    assert Segment.objects.get().name == "Laval"


@pytest.mark.parametrize("total", ["abc", "", "-3", "99999"])
def test_adding_a_condition_with_a_junk_row_count_is_not_an_error_page(mia, project, total):
    data = {"name": "Kept", "combine": "AND", "cond-TOTAL_FORMS": total,
            "cond-INITIAL_FORMS": "0", "_action": "add"}  # fmt: skip
    response = mia.post(reverse("contacts:segment_create"), data)
    assert response.status_code == 200
    assert 'value="Kept"' in response.content.decode()


def test_segment_members_failure_is_shown_on_the_segment(mia, audience):
    message = fault("malformed")
    response = mia.get(reverse("contacts:segment_detail", args=[audience["segment_id"]]))
    assert response.status_code == 200 and message in text(response)


@pytest.mark.parametrize(
    ("url", "name"),
    [("contacts:segment_list_refresh", "429"), ("contacts:mailing_list_refresh", "malformed")],
)
def test_refresh_failure_keeps_the_mirror(mia, audience, url, name):
    message = fault(name)
    response = mia.post(reverse(url), follow=True)
    assert response.status_code == 200 and message in text(response)
    assert Segment.objects.count() == 1 and Message.objects.count() == 2


# --- mailings, messages, one-to-one sends -------------------------------------------------
def _sending(audience, **extra):
    return {"message": audience["message_id"], "segment": audience["segment_id"], "when": "now",
            "time_zone": "UTC", "confirmed": "on", "token": "sending-1", **extra}  # fmt: skip


def test_audience_count_failure_keeps_the_choices(mia, audience):
    message = fault("429")
    response = mia.post(reverse("contacts:mailing_send"), _sending(audience, confirmed=""))
    assert response.status_code == 200
    assert "The audience could not be counted." in text(response) and message in text(response)
    assert f'value="{audience["message_id"]}" selected' in response.content.decode()


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("429", "Nothing was sent."),
        ("malformed", "Dialog Insight may have sent it anyway."),
    ],
)
def test_send_failure_says_what_is_known_and_sends_once(mia, audience, name, sentence):
    message = fault(name, path_contains="SendBatch")
    response = mia.post(
        reverse("contacts:mailing_send"),
        _sending(audience, when="later", launch_at="2099-05-01T09:00", time_zone="Europe/Paris"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert sentence in text(response) and message in text(response)
    if name == "malformed":
        assert "Nothing was sent" not in text(response)
    assert 'value="2099-05-01T09:00"' in html and 'value="Europe/Paris" selected' in html
    assert not Mailing.objects.exists() and writes("sendings.ashx") == 1
    assert list(AuditEvent.objects.values_list("action", "outcome")) == [("scheduled", "error")]


def test_a_confirmed_sending_is_sent_once_however_often_it_is_submitted(mia, audience):
    first = mia.post(reverse("contacts:mailing_send"), _sending(audience))
    again = mia.post(reverse("contacts:mailing_send"), _sending(audience))  # double click
    assert first.status_code == again.status_code == 302
    assert SandboxBatch.objects.count() == 1 and Mailing.objects.count() == 1
    assert "already submitted; it was not sent a second time" in said(mia, again)


def test_a_refused_sending_may_be_confirmed_again(mia, audience):
    fault("429", path_contains="SendBatch", remaining=1)
    assert "Nothing was sent." in text(
        mia.post(reverse("contacts:mailing_send"), _sending(audience))
    )
    assert mia.post(reverse("contacts:mailing_send"), _sending(audience)).status_code == 302
    assert SandboxBatch.objects.count() == 1


def test_a_sending_without_an_answer_offers_to_check_or_send_it_anyway(mia, audience):
    set_fault("dialoginsight", "timeout", remaining=1, path_contains="SendBatch")
    response = mia.post(reverse("contacts:mailing_send"), _sending(audience))
    page = text(response)
    assert response.status_code == 200
    assert "Dialog Insight did not answer within 2 s." in page
    assert "Dialog Insight may have sent it anyway." in page and "Nothing was sent" not in page
    assert "Check Dialog Insight" in page and "Send it anyway…" in page
    assert f'value="{audience["message_id"]}" selected' in response.content.decode()
    assert writes("sendings.ashx") == 1
    # The same confirmation again: not sent a second time, and the choices stay.
    again = mia.post(reverse("contacts:mailing_send"), _sending(audience))
    assert "Switchboard does not know whether it was sent" in text(again)
    assert "already submitted; it was not sent a second time" not in said(mia, again)
    # "Check Dialog Insight": it refreshes the mailings and says what it sees.
    checked = mia.post(
        reverse("contacts:mailing_send"), {**outcome_choices(again), "_outcome": "check"}
    )
    assert (
        "Dialog Insight, asked just now, has no sending of “Spring news” to segment “Laval” "
        "since then." in text(checked)
    )
    # "Send it anyway…" goes through the confirmation, then sends once.
    anyway = mia.post(
        reverse("contacts:mailing_send"), {**outcome_choices(checked), "_outcome": "retry"}
    )
    assert "“Spring news” will be sent to 3 contacts (segment “Laval”), right now." in text(anyway)
    confirm = {**form_data(anyway.content.decode(), "confirmed"), "_action": "save"}
    assert mia.post(reverse("contacts:mailing_send"), confirm).status_code == 302
    assert mia.post(reverse("contacts:mailing_send"), confirm).status_code == 302  # double click
    assert SandboxBatch.objects.count() == 1  # the first never reached it (timeout fault)


def test_check_links_the_sending_dialog_insight_made_without_answering(mia, audience):
    # Dialog Insight is slow: Switchboard gives up after 2 s, the sending is made at 2.5 s.
    set_fault("dialoginsight", "latency", latency_ms=2500, remaining=1, path_contains="SendBatch")
    response = mia.post(reverse("contacts:mailing_send"), _sending(audience))
    assert "Dialog Insight may have sent it anyway." in text(response)
    eventually(SandboxBatch.objects.exists)  # the sandbox answers nobody now
    batch = SandboxBatch.objects.get()
    checked = mia.post(
        reverse("contacts:mailing_send"), {**outcome_choices(response), "_outcome": "check"}
    )
    assert "Dialog Insight has a sending of “Spring news” to segment “Laval”:" in text(checked)
    assert f'<a href="/contacts/mailings/{batch.pk}/">mailing #{batch.pk}</a>' in (
        checked.content.decode()
    )


@pytest.mark.parametrize("kind", ["segment", "message"])
def test_an_unknown_create_keeps_the_form_and_offers_two_honest_choices(mia, project, kind):
    if kind == "segment":
        url, method = reverse("contacts:segment_create"), "filters"
        post = _segment_post("Laval", "AND", [("City", "Equal", "Laval")])
    else:
        url, method = reverse("contacts:message_create"), "messages"
        post = {"name": "Laval", "subject": "Hi", "sender": "hi@example.com", "html": "<p>Hi</p>"}
    post["token"] = _token(mia, url)
    set_fault("dialoginsight", "timeout", remaining=1, path_contains=f"{method}.ashx")
    response = mia.post(url, post)
    assert "Dialog Insight may have created it anyway." in text(response)
    assert 'value="Laval"' in response.content.decode()
    again = mia.post(url, post)  # saved again with the same form: neither created nor lost
    assert again.status_code == 200 and 'value="Laval"' in again.content.decode()
    assert "Switchboard does not know whether it was created" in text(again)
    checked = mia.post(url, {**outcome_choices(again), "_outcome": "check"})
    assert f"Dialog Insight, asked just now, has no {kind} named “Laval”." in text(checked)
    anyway = {**outcome_choices(checked), "_outcome": "retry"}
    assert mia.post(url, anyway).status_code == mia.post(url, anyway).status_code == 302
    if kind == "segment":
        assert len(DialogInsightClient().segment_list()) == 1
    else:
        assert SandboxMessageRow.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "htmx", "sentence"),
    [
        ("503", True, "The message was not sent."),
        ("malformed", False, "Dialog Insight may have sent it anyway."),
    ],
)
def test_trigger_failure_says_what_is_known(mia, audience, claire, name, htmx, sentence):
    message = fault(name, path_contains="SendSingle")
    response = mia.post(
        reverse("contacts:message_send_one", args=[claire]),
        {"message": audience["cart_id"], "parameter-CartUrl": "https://shop.example/c/9",
         "parameter-Coupon": "SPRING", "label": "claire"},
        headers={"HX-Request": "true"} if htmx else {},
    )  # fmt: skip
    # The form comes back as typed: in place with htmx, on the contact's page without it.
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="SPRING"' in html and 'value="https://shop.example/c/9"' in html
    shown = said(mia, response)
    assert sentence in shown and message in shown
    assert writes("sendings.ashx") == 1
    assert not SandboxBatch.objects.exists()


def test_one_send_form_sends_one_message_however_often_it_is_submitted(mia, audience, claire):
    page = mia.get(reverse("contacts:contact_detail", args=[claire])).content.decode()
    token = re.search(r'name="token" value="(\w+)"', page)[1]
    post = {"message": audience["message_id"], "label": "claire@example.com", "token": token}
    url = reverse("contacts:message_send_one", args=[claire])
    first = mia.post(url, post, headers={"HX-Request": "true"})
    again = mia.post(url, post, headers={"HX-Request": "true"})  # double click
    assert SandboxBatch.objects.count() == 1
    assert "“Spring news” sent to claire@example.com." in said(mia, first)
    assert "already submitted; it was not sent a second time" in said(mia, again)
    # Either way the page stays, its history read again: the message is in it once.
    for response in (first, again):
        history = re.search(r'<article id="history" hx-swap-oob="true">.*?</article>',
                            response.content.decode(), re.S)[0]  # fmt: skip
        assert text(history).count("Spring news") == 1


def test_a_trigger_without_an_answer_offers_to_check_or_send_it_anyway(mia, audience, claire):
    page = mia.get(reverse("contacts:contact_detail", args=[claire])).content.decode()
    post = {
        **form_data(page, "label"),
        "message": str(audience["cart_id"]),
        "parameter-CartUrl": "https://shop.example/c/9",
        "parameter-Coupon": "SPRING",
    }
    url = reverse("contacts:message_send_one", args=[claire])
    htmx = {"HX-Request": "true"}
    set_fault("dialoginsight", "timeout", remaining=1, path_contains="SendSingle")
    response = mia.post(url, post, headers=htmx)
    assert "Dialog Insight may have sent it anyway." in text(response)
    assert 'value="SPRING"' in response.content.decode()
    fragment = f"<form>{response.content.decode()}</form>"  # the swapped-in form's fields
    checked = mia.post(url, {**outcome_choices(fragment), "_outcome": "check"}, headers=htmx)
    assert "shows no “Cart reminder” since then." in text(checked)
    anyway = {**outcome_choices(f"<form>{checked.content.decode()}</form>"), "_outcome": "retry"}
    assert anyway["parameter-Coupon"] == ["SPRING"]  # still as typed
    sent = mia.post(url, anyway, headers=htmx)
    assert "“Cart reminder” sent to claire@example.com." in said(mia, sent)
    again = mia.post(url, anyway, headers=htmx)
    assert "already submitted; it was not sent a second time" in said(mia, again)
    assert SandboxBatch.objects.count() == 1  # the first never reached it (timeout fault)
    assert SandboxBatch.objects.get().parameters == {
        "CartUrl": "https://shop.example/c/9",
        "Coupon": "SPRING",
    }
    checked = mia.post(url, {**anyway, "_outcome": "check"}, headers=htmx)
    assert f"Dialog Insight's history of {post['label'][0]} shows “Cart reminder” sent on" in text(
        checked
    )


def test_trigger_without_javascript_keeps_the_parameters_and_shows_the_error(mia, audience, claire):
    response = mia.post(
        reverse("contacts:message_send_one", args=[claire]),
        {"message": audience["cart_id"], "parameter-CartUrl": "", "parameter-Coupon": "SPRING",
         "label": "claire"},
    )  # fmt: skip
    assert response.status_code == 422
    html = response.content.decode()
    error = re.search(r'<ul class="errorlist" id="id_parameter-CartUrl_error"><li>(.*?)</li>', html)
    assert error[1] == "Enter the value that replaces [[CartUrl]]."
    assert 'name="parameter-Coupon" value="SPRING"' in html
    assert "claire@example.com" in text(response)  # the contact's page, not a bare fragment
    assert not SandboxBatch.objects.exists()


def test_trigger_to_a_contact_dialog_insight_no_longer_has(mia, audience):
    response = mia.post(
        reverse("contacts:message_send_one", args=[987654]),
        {"message": audience["message_id"], "label": "gone@example.com"},
    )
    assert response.status_code == 302  # to the contact's page, which then says it is gone
    assert "The message was not sent. Dialog Insight: " in said(mia, response)
    assert AuditEvent.objects.get(action="sent message").outcome == "error"


@pytest.mark.parametrize(
    ("name", "sentence"),
    [("429", "The message was not created."), ("malformed", "may have created it anyway")],
)
def test_message_create_failure_keeps_the_form(mia, project, name, sentence):
    message = fault(name, path_contains="Create")
    response = mia.post(
        reverse("contacts:message_create"),
        {"name": "Welcome", "subject": "Hi [[Name]]", "sender": "hi@example.com",
         "html": "<p>Hello [[Name]]</p>"},
    )  # fmt: skip
    assert response.status_code == 200
    assert sentence in text(response) and message in text(response)
    assert 'value="Welcome"' in response.content.decode()
    assert not Message.objects.exists() and not SandboxMessageRow.objects.exists()


# --- imports of files ---------------------------------------------------------------------
def _upload(client, content: bytes, name="crm.csv"):
    return client.post(
        reverse("contacts:import_create"), {"file": SimpleUploadedFile(name, content)}
    )


def test_upload_before_the_project_is_known_while_dialog_insight_fails(mia, sandbox):
    ProjectField.objects.all().delete()
    message = fault("429")
    response = _upload(mia, b"EMail;LastName\na@example.com;A\n")
    assert response.status_code == 200 and message in text(response)
    assert not ContactImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "total"),
    [
        ("EMail\tLastName\r\na@example.com\tAmes\r\n".encode("utf-16"), 1),  # Excel "Unicode text"
        (b"EMail;LastName\ra@example.com;Ames\rb@example.com;Bell\r", 2),  # CSV (Macintosh)
    ],
    ids=["utf-16", "cr-line-endings"],
)
def test_spreadsheet_exports_are_read(mia, project, content, total):
    response = _upload(mia, content)
    assert response.status_code == 302, text(response)
    job = ContactImport.objects.get()
    assert job.total == total
    assert job.rows.order_by("line").first().key == "a@example.com"


def test_a_file_with_nul_bytes_is_refused_with_a_reason(mia, project):
    response = _upload(mia, b"EMail;LastName\na\x00@example.com;A\n")
    assert "The file contains NUL characters, so it is not a plain-text CSV." in text(response)
    assert not ContactImport.objects.exists()


def test_an_email_longer_than_the_column_is_rejected_not_cut(mia, project):
    long_key = "a" * 300 + "@example.com"
    response = _upload(mia, f"EMail;LastName\n{long_key};A\nok@example.com;B\n".encode())
    assert response.status_code == 302
    job = ContactImport.objects.get()
    assert (job.total, job.processed, job.rejected) == (2, 1, 1)
    row = job.rows.get(line=2)
    assert row.outcome == "rejected" and "longer than 300 characters" in row.message
    assert job.rows.get(line=3).outcome == "pending"


# --- junk in query strings ------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/contacts/?page=abc&field=zz&operator=../..&value=x",
        "/contacts/?q=%00",
        "/contacts/segments/?page=abc",
        "/contacts/mailings/?status=zz&mode=../..&page=-1&q=%25",
        "/contacts/mailings/new/?segment=abc",
        "/contacts/imports/?page=zz",
    ],
)
def test_junk_query_strings_are_not_an_error_page(mia, project, url):
    response = mia.get(url)
    assert response.status_code == 200
    assert "Dialog Insight" in text(response)


# --- pages that read from Dialog Insight ----------------------------------------------------
@pytest.mark.parametrize(
    ("view", "name"),
    [
        ("contacts:contact_search", "429"),
        ("contacts:contact_detail", "503"),
        ("contacts:contact_edit", "429"),
        ("contacts:contact_delete", "malformed"),
    ],
)
def test_reading_pages_explain_a_failure(mia, claire, view, name):
    message = fault(name)
    if view == "contacts:contact_search":
        response = mia.get(reverse(view), {"q": "claire"})
    else:
        response = mia.get(reverse(view, args=[claire]))
    assert response.status_code in (200, 302)
    assert message in said(mia, response)


def test_a_launch_date_past_year_9999_in_utc_is_refused_on_the_field(mia, audience):
    response = mia.post(
        reverse("contacts:mailing_send"),
        _sending(
            audience, when="later", launch_at="9999-12-31T23:59", time_zone="Pacific/Pago_Pago"
        ),
    )
    assert response.status_code == 200
    assert "9999-12-31 23:59 is too far ahead. Choose a date within the next few years." in text(
        response
    )
    assert 'value="9999-12-31T23:59"' in response.content.decode()
    assert writes("sendings.ashx") == 0


# --- answers the sandbox never gives: Success true, but not the shape the contract promises --
@pytest.fixture
def di_offline(settings, client, marketer):
    settings.SANDBOX = False
    settings.DIALOG_INSIGHT_BASE_URL = "https://di.example"
    settings.DIALOG_INSIGHT_KEY_ID, settings.DIALOG_INSIGHT_KEY = "5", "key"
    settings.DIALOG_INSIGHT_PROJECT_ID = "7"
    client.force_login(marketer)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_a_contact_list_that_is_not_records_is_a_message(client, di_offline):
    from django.utils import timezone

    ProjectField.objects.create(kind="field", code="EMail", label="Email", data_type="text",
                                required=True, is_key=True, synced_at=timezone.now())  # fmt: skip
    di_offline.post(
        "https://di.example/webservices/ofc4/contacts.ashx?method=Get",
        json={"Success": True, "Records": [1, "two"]},
    )
    response = client.get(reverse("contacts:contact_search"), {"q": "claire"})
    assert response.status_code == 200
    assert "Dialog Insight answered with a contact list that Switchboard cannot read" in text(
        response
    )


def test_a_project_definition_without_codes_is_a_message(client, di_offline):
    di_offline.post(
        "https://di.example/webservices/ofc4/projects.ashx?method=Get",
        json={"Success": True, "ProjectInfo": {"ProjectFields": [{"Labels": []}]}},
    )
    response = _upload(client, b"EMail;LastName\na@example.com;A\n")
    assert response.status_code == 200
    assert "answered with a project definition that Switchboard cannot read" in text(response)
    assert not ContactImport.objects.exists()


def test_an_upload_over_20_mb_is_refused_before_it_is_read(mia, project):
    big = b"EMail;LastName\n" + b"a@example.com;A\n" * (20 * 2**20 // 16 + 1)
    response = _upload(mia, big)
    assert response.status_code == 200
    assert "The file is larger than 20 MB; split it into smaller files." in text(response)
    assert not ContactImport.objects.exists()


def test_deleting_a_contact_dialog_insight_no_longer_has_is_not_audited_as_done(mia, project):
    response = mia.post(
        reverse("contacts:contact_delete", args=[987654]), {"label": "gone@example.com"}
    )
    assert response.status_code == 302
    assert "Dialog Insight had no such contact; nothing was deleted." in said(mia, response)
    event = AuditEvent.objects.get()
    assert (event.action, event.outcome) == ("deleted", "error")


# --- a write answered without the id the contract promises: nothing stored, nothing believed --
def _mirror_project():
    from django.utils import timezone

    for position, (code, required, key) in enumerate(
        [("EMail", True, True), ("LastName", True, False), ("City", False, False)]
    ):
        ProjectField.objects.create(kind="field", code=code, label=code, data_type="text",
                                    required=required, is_key=key, position=position,
                                    synced_at=timezone.now())  # fmt: skip


UNCONFIRMED = {"Success": True, "ErrorCode": None, "ErrorMessage": None, "idRequest": 8}


def test_a_message_created_without_its_id_is_not_stored(client, di_offline):
    di_offline.post("https://di.example/webservices/ofc4/messages.ashx?method=Create",
                    json=UNCONFIRMED)  # fmt: skip
    list_call = di_offline.post(
        "https://di.example/webservices/ofc4/messages.ashx?method=List", json=UNCONFIRMED
    )
    post = {"name": "Welcome", "subject": "Hi", "sender": "hi@example.com", "html": "<p>Hi</p>",
            "token": "message-1"}  # fmt: skip
    response = client.post(reverse("contacts:message_create"), post)
    assert response.status_code == 200
    page = text(response)
    assert "Dialog Insight did not confirm the message; check it there before trying again." in page
    assert "Dialog Insight may have created it anyway." in page
    assert not Message.objects.exists() and list_call.call_count == 0
    assert list(AuditEvent.objects.values_list("action", "outcome")) == [("created", "error")]
    # Its outcome is unknown: the same form saved again comes back, and is not sent again.
    again = client.post(reverse("contacts:message_create"), post)
    assert "Dialog Insight may have created it anyway." in text(again)
    assert 'value="Welcome"' in again.content.decode()
    assert len(di_offline.calls) == 1


def test_a_segment_saved_without_its_id_is_not_stored_nor_opened(client, di_offline):
    _mirror_project()
    di_offline.post("https://di.example/webservices/ofc4/filters.ashx?method=Merge",
                    json=UNCONFIRMED)  # fmt: skip
    response = client.post(
        reverse("contacts:segment_create"),
        _segment_post("Laval", "AND", [("City", "Equal", "Laval")], token="segment-1"),
    )
    assert response.status_code == 200  # the builder again, not a redirect to /segments/0/
    page = text(response)
    assert "Dialog Insight did not confirm the segment; check it there before trying again." in page
    assert "Dialog Insight may have created it anyway." in page and "saved." not in page
    assert 'value="Laval"' in response.content.decode()
    assert not Segment.objects.exists()


def test_a_sending_without_its_id_is_not_reported_as_launched(client, di_offline):
    from django.utils import timezone

    message = Message.objects.create(
        provider_id=4, name="Spring news", subject="Spring", synced_at=timezone.now()
    )
    di_offline.post("https://di.example/webservices/ofc4/sendings.ashx?method=SendBatch",
                    json=UNCONFIRMED)  # fmt: skip
    response = client.post(
        reverse("contacts:mailing_send"),
        {"message": message.provider_id, "segment": "", "when": "now", "time_zone": "UTC",
         "confirmed": "on", "token": "sending-1"},
    )  # fmt: skip
    page = text(response)
    assert response.status_code == 200
    assert "Dialog Insight may have sent it anyway." in page
    assert "Dialog Insight did not confirm the sending; check it there before trying again." in page
    assert "launched" not in page and not Mailing.objects.exists()
    assert list(AuditEvent.objects.values_list("action", "outcome")) == [("launched", "error")]


def test_a_contact_merged_without_its_id_is_not_opened(client, di_offline):
    _mirror_project()
    di_offline.post(
        "https://di.example/webservices/ofc4/contacts.ashx?method=Merge",
        json={**UNCONFIRMED, "CreatedRecords": 1,
              "Records": [{"Status": "Created", "ValidationResult": "OK"}]},
    )  # fmt: skip
    response = client.post(
        reverse("contacts:contact_create"), {"f_EMail": "nina@example.com", "f_LastName": "New"}
    )
    assert response.status_code == 200  # was a server error: a link to contact "None"
    assert (
        "Dialog Insight did not confirm the contact nina@example.com; check it there before "
        "trying again." in text(response)
    )
    assert 'value="nina@example.com"' in response.content.decode()
    assert list(AuditEvent.objects.values_list("action", "outcome")) == [("created", "error")]


def test_statistics_without_a_promised_count_keep_the_mailing_s_last_numbers(client, di_offline):
    """A count left out of a statistics reply is not a mailing nobody opened: the refresh says
    what was missing, and the mailing keeps the numbers last read (no 0, no new snapshot)."""
    from datetime import timedelta

    from django.utils import timezone

    from contacts.models import MailingSnapshot

    read_at = timezone.now() - timedelta(minutes=5)
    Mailing.objects.create(provider_id=7, message_id=3, mode="All", status="Sent",
                           launch_at=read_at, sent=200, delivered=198, unique_opens=50,
                           unique_clicks=10, stats_at=read_at, synced_at=read_at)  # fmt: skip
    di_offline.post("https://di.example/webservices/ofc4/messages.ashx?method=List",
                    json={**UNCONFIRMED, "Records": []})  # fmt: skip
    di_offline.post(
        "https://di.example/webservices/ofc4/sendings.ashx?method=GetBatches",
        json={"Success": True, "Records": [{"idBatch": 7, "idMessage": 3, "Status": "Sent",
              "ContactFilter": {"Mode": "All"}, "dtLaunch": "2026.12.01 08:00:00"}]},
    )  # fmt: skip
    statistics = di_offline.post(
        "https://di.example/webservices/ofc4/sendings.ashx?method=GetStatistics",
        json={"Success": True, "Statistics": {"Sent": 200, "Delivered": 199, "Opens": 80,
              "Clicks": 14, "UniqueClicks": 11, "Bounces": 1, "Unsubscribes": 0}},
    )  # fmt: skip
    response = client.post(reverse("contacts:mailing_list_refresh"), follow=True)
    assert response.status_code == 200 and statistics.call_count == 1
    # The listing was stored: the refresh says it was done in part, and what was not.
    assert (
        "Mailings refreshed, in part. The statistics of mailing #7 were not read: Dialog "
        "Insight sent a statistics reply without its UniqueOpens; nothing was changed."
        in text(response)
    )
    mailing = Mailing.objects.get(provider_id=7)
    assert (mailing.delivered, mailing.unique_opens, mailing.unique_clicks) == (198, 50, 10)
    assert mailing.stats_at == read_at and not MailingSnapshot.objects.exists()
