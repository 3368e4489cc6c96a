"""Contact pages through the test client, with the sandbox behind them over HTTP."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from contacts import nomenclature
from contacts.client import DialogInsightClient
from dashboard.models import AuditEvent
from dashboard.sandbox import set_fault
from tests.contacts.conftest import merge_one, text

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_by_name_lists_matches_linked_to_detail(client, marketer, claire):
    merge_one(DialogInsightClient(), "bob@example.com", f_FirstName="Bob", f_LastName="Stone")
    client.force_login(marketer)
    response = client.get(reverse("contacts:contact_search"), {"q": "brown"})
    html = response.content.decode()
    assert "claire@example.com" in html and "bob@example.com" not in html
    assert reverse("contacts:contact_detail", args=[claire]) in html


def test_search_by_first_and_last_name(client, marketer, claire):
    merge_one(DialogInsightClient(), "cb@example.com", f_FirstName="Claude", f_LastName="Brown")
    client.force_login(marketer)
    html = client.get(reverse("contacts:contact_search"), {"q": "Claire  Brown"}).content.decode()
    assert "claire@example.com" in html and "cb@example.com" not in html


def test_search_any_field(client, marketer, claire):
    merge_one(DialogInsightClient(), "bob@example.com", f_LastName="Stone", f_City="Laval")
    client.force_login(marketer)
    response = client.get(
        reverse("contacts:contact_search"),
        {"field": "City", "operator": "StartsWith", "value": "mont"},
    )
    html = response.content.decode()
    assert "claire@example.com" in html and "bob@example.com" not in html


def test_search_pages_through_results(client, marketer, project):
    di = DialogInsightClient()
    di.contact_merge([(f"p{i:02}@example.com", {"f_LastName": "Page"}) for i in range(30)])
    client.force_login(marketer)
    first = client.get(reverse("contacts:contact_search"), {"q": "page"}).content.decode()
    assert "p00@example.com" in first and "p25@example.com" not in first and "Next →" in first
    # More than a page: shown at once, then counted by Dialog Insight (Contacts.Count).
    assert "More than 25 contacts match at Dialog Insight; counting them… Showing 1–25." in text(
        first
    )
    counting = re.search(r'id="result-count"[^>]* hx-get="([^"]+)"', first)[1]
    count = client.get(unescape(counting), headers={"HX-Request": "true"})
    assert text(count).strip() == "30 contacts match at Dialog Insight. Showing 1–25."
    second = client.get(
        reverse("contacts:contact_search"), {"q": "page", "page": 2}
    ).content.decode()
    # The last page: what Contacts.Get returned is all there is.
    assert "30 contacts match at Dialog Insight. Showing 26–30." in text(second)
    assert "p25@example.com" in second and "p00@example.com" not in second
    assert "Next →" not in second


def test_search_field_without_value_is_explained(client, marketer, project):
    client.force_login(marketer)
    html = client.get(reverse("contacts:contact_search"), {"field": "City"}).content.decode()
    assert "Type the value to look for in this field." in html


def test_search_provider_failure_is_a_message_not_a_500(client, marketer, project):
    client.force_login(marketer)
    set_fault("dialoginsight", "error", status=503)
    response = client.get(reverse("contacts:contact_search"), {"q": "brown"})
    assert response.status_code == 200
    assert "Dialog Insight is having trouble (HTTP 503)" in response.content.decode()


def test_detail_labels_fields_from_the_project_and_shows_history(client, marketer, claire):
    di = DialogInsightClient()
    di.contact_merge([("claire@example.com", {"optin_Newsletter": "1"})])
    message_id = di.message_create(name="Spring sale", subject="S", sender="n@example.com", html="")
    di.mailing_send(message_id=message_id, segment_ids=None, launch_at=None)
    client.force_login(marketer)
    html = client.get(reverse("contacts:contact_detail", args=[claire])).content.decode()
    assert "Birth date</dt><dd>1988-03-14" in html
    assert "Loyalty points</dt><dd>120" in html
    assert "Subscribed" in html and "Spring sale" in html


def test_detail_provider_failure_is_shown(client, marketer, claire):
    client.force_login(marketer)
    set_fault("dialoginsight", "malformed")
    response = client.get(reverse("contacts:contact_detail", args=[claire]))
    assert response.status_code == 200
    assert "not JSON" in response.content.decode()


def test_create_contact_with_every_field_type(client, marketer, project):
    client.force_login(marketer)
    response = client.post(
        reverse("contacts:contact_create"),
        {
            "f_EMail": "new@example.com",
            "f_FirstName": "Nina",
            "f_LastName": "New",
            "f_BirthDate": "1990-04-02",
            "f_LoyaltyPoints": "12.50",
            "optin_Promotions": "on",
        },
    )
    assert response.status_code == 302
    contact = DialogInsightClient().contact_search(
        nomenclature.field_clause("EMail", "Equal", "new@example.com")
    )[0]
    assert contact.values["BirthDate"] == "1990.04.02"
    assert contact.values["LoyaltyPoints"] == "12.5"
    assert contact.optins == {"Newsletter": False, "Promotions": True}
    assert AuditEvent.objects.filter(action="created", object_type="contact", outcome="ok").exists()


def test_create_rejects_bad_input_on_the_field_and_keeps_it(client, marketer, project):
    client.force_login(marketer)
    response = client.post(
        reverse("contacts:contact_create"),
        {"f_EMail": "nina@", "f_FirstName": "Nina", "f_LoyaltyPoints": "many"},
    )
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert "Enter a number." in html
    assert "This field is required." in html  # last name
    assert 'value="Nina"' in html and 'value="many"' in html


def test_a_field_names_only_what_describes_it_on_the_page(client, marketer, claire):
    """The contact form's fields render like every Switchboard field: what a field's
    aria-describedby names is on the page (the locked key's help; a field's message), and a
    required field's label keeps its asterisk."""
    client.force_login(marketer)
    url = reverse("contacts:contact_edit", args=[claire])
    html = client.post(url, {"f_FirstName": "Clara", "f_BirthDate": "1988-03-14"}).content.decode()
    for name in ("f_EMail", "f_LastName"):
        field = re.search(rf'<input[^>]*\bid="id_{name}"[^>]*>', html).group(0)
        described = re.search(r'aria-describedby="([^"]*)"', field).group(1).split()
        assert described and all(f'id="{target}"' in html for target in described)
    assert "The project key identifies the contact and cannot be changed." in html
    assert re.search(r'for="id_f_LastName">[^<]+ <span aria-hidden="true">\*</span></label>', html)


def test_create_existing_key_shows_the_provider_rejection(client, marketer, claire):
    client.force_login(marketer)
    response = client.post(
        reverse("contacts:contact_create"),
        {"f_EMail": "claire@example.com", "f_FirstName": "Other", "f_LastName": "Person"},
    )
    html = response.content.decode()
    assert "Dialog Insight rejected the contact: A contact with the key" in html
    assert 'value="Other"' in html
    assert AuditEvent.objects.filter(outcome="error", object_type="contact").exists()


def test_create_during_outage_keeps_the_form(client, marketer, project):
    client.force_login(marketer)
    set_fault("dialoginsight", "timeout", remaining=1, path_contains="Merge")
    response = client.post(
        reverse("contacts:contact_create"),
        {"f_EMail": "t@example.com", "f_FirstName": "Tia", "f_LastName": "T"},
    )
    html = response.content.decode()
    assert "did not answer" in html and 'value="Tia"' in html


def test_edit_prefills_and_updates_by_key(client, marketer, claire):
    client.force_login(marketer)
    html = client.get(reverse("contacts:contact_edit", args=[claire])).content.decode()
    assert 'value="Claire"' in html and 'value="1988-03-14"' in html and "disabled" in html
    response = client.post(
        reverse("contacts:contact_edit", args=[claire]),
        {
            "f_FirstName": "Clara",
            "f_LastName": "Brown",
            "f_BirthDate": "1988-03-14",
            "optin_Newsletter": "on",
        },
    )
    assert response.status_code == 302
    contact = DialogInsightClient().contact_get(claire)
    assert contact.values["FirstName"] == "Clara" and contact.optins["Newsletter"] is True


def test_edit_saves_the_urls_contact_whatever_key_the_body_names(client, marketer, claire):
    from contacts.sandbox.models import SandboxContact

    merge_one(DialogInsightClient(), "bob@example.com", f_FirstName="Bob", f_LastName="Stone")
    client.force_login(marketer)
    response = client.post(
        reverse("contacts:contact_edit", args=[claire]),
        {
            "original_key": "bob@example.com",  # what the page used to carry, forged
            "f_EMail": "bob@example.com",  # the locked key field, forged
            "f_FirstName": "Mallory",
            "f_LastName": "Brown",
        },
    )
    assert response["Location"].split("?")[0] == reverse("contacts:contact_detail", args=[claire])
    stored = {c.key: c.data for c in SandboxContact.objects.all()}
    assert stored["bob@example.com"]["FirstName"] == "Bob"
    assert stored["bob@example.com"]["LastName"] == "Stone"
    assert stored["claire@example.com"]["FirstName"] == "Mallory"
    assert AuditEvent.objects.get().object_label == "claire@example.com"


def test_optin_button_subscribes_and_audits(client, marketer, claire):
    client.force_login(marketer)
    response = client.post(
        reverse("contacts:contact_optin_set", args=[claire, "Newsletter"]),
        {"subscribed": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert "Unsubscribe from Newsletter" in response.content.decode()
    assert DialogInsightClient().contact_get(claire).optins["Newsletter"] is True
    assert AuditEvent.objects.filter(action="subscribed", object_id=str(claire)).exists()


def test_delete_page_warns_and_offers_unsubscribe(client, marketer, claire):
    client.force_login(marketer)
    html = client.get(reverse("contacts:contact_delete", args=[claire])).content.decode()
    assert "erases its history" in html and "Unsubscribe instead" in html
    client.post(reverse("contacts:contact_unsubscribe", args=[claire]))
    assert DialogInsightClient().contact_get(claire).optins == {
        "Newsletter": False,
        "Promotions": False,
    }
    response = client.post(
        reverse("contacts:contact_delete", args=[claire]), {"label": "claire@example.com"}
    )
    assert response.status_code == 302
    assert DialogInsightClient().contact_get(claire) is None
    assert AuditEvent.objects.filter(action="deleted", outcome="ok").exists()


@pytest.mark.parametrize(
    ("role", "view_status", "change_status"),
    [("marketer", 200, 200), ("manager", 200, 403), ("dialer", 403, 403)],
)
def test_permissions(client, role_users, claire, role, view_status, change_status):
    client.force_login(role_users[role])
    assert client.get(reverse("contacts:contact_search")).status_code == view_status
    assert client.get(reverse("contacts:contact_detail", args=[claire])).status_code == view_status
    assert client.get(reverse("contacts:contact_create")).status_code == change_status
    assert (
        client.get(reverse("contacts:contact_delete", args=[claire])).status_code == change_status
    )
    post = client.post(
        reverse("contacts:contact_optin_set", args=[claire, "Newsletter"]), {"subscribed": "1"}
    )
    assert post.status_code == (302 if change_status == 200 else 403)
    for name in ("contacts:segment_list", "contacts:mailing_list", "contacts:import_list"):
        assert client.get(reverse(name)).status_code == view_status
    assert client.get(reverse("contacts:segment_create")).status_code == change_status
    # Sending is its own permission: Marketers have it, Managers do not.
    assert client.get(reverse("contacts:mailing_send")).status_code == change_status
