"""The segment builder: operators that match each field's type, rows added and removed in
place, and how many contacts the conditions match while they are built."""

from __future__ import annotations

import re
from html import unescape

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from contacts.client import DialogInsightClient
from contacts.models import ProjectField, Segment
from dashboard.models import ProviderCall, ProviderCapability
from dashboard.sandbox import set_fault
from tests.contacts.conftest import counting, merge_one, text
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HX-Request": "true"}


def _rows(*rows: dict[str, str], name="Loyal", combine="AND", **extra) -> dict[str, str]:
    data = {"name": name, "combine": combine, "cond-TOTAL_FORMS": str(len(rows)),
            "cond-INITIAL_FORMS": "0", **extra}  # fmt: skip
    for i, row in enumerate(rows):
        data.update({f"cond-{i}-{key}": value for key, value in row.items()})
    return data


@pytest.fixture
def people(project):
    di = DialogInsightClient()
    merge_one(
        di,
        "a@example.com",
        f_LastName="A",
        f_City="Laval",
        f_LoyaltyPoints="99",
        f_BirthDate="1979.12.31",
    )
    merge_one(
        di,
        "b@example.com",
        f_LastName="B",
        f_City="Laval",
        f_LoyaltyPoints="120",
        f_BirthDate="1985.06.01",
        optin_Newsletter="1",
    )
    merge_one(
        di,
        "c@example.com",
        f_LastName="C",
        f_City="Laval",
        f_LoyaltyPoints="1000",
        f_BirthDate="1990.01.01",
    )
    merge_one(di, "d@example.com", f_LastName="D", f_City="Toronto")  # fmt: skip


def _operators(html: str, row: int) -> list[str]:
    select = re.search(rf'<select name="cond-{row}-operator".*?</select>', html, re.S)[0]
    return re.findall(r">([^<]+)</option>", select)


def test_adding_and_removing_conditions_comes_back_in_place_as_typed(client, marketer, project):
    client.force_login(marketer)
    url = reverse("contacts:segment_create")
    typed = _rows({"field": "City", "operator": "Contains", "value": "Lav"}, name="Kept")
    added = client.post(url, {**typed, "_action": "add"}, headers=HTMX).content.decode()
    assert added.lstrip().startswith('<fieldset id="conditions">')  # the builder alone
    assert 'value="Lav"' in added and 'name="cond-1-field"' in added
    assert 'name="cond-TOTAL_FORMS" value="2"' in added and "form-error" not in added
    data = form_data(f"<form>{added}</form>", "cond-1-field")
    data.update({"cond-1-field": "BirthDate", "_action": "refresh", "name": "Kept"})
    # A date chosen for the new row: its operators, and a date input.
    refreshed = client.post(url, data, headers=HTMX).content.decode()
    assert _operators(refreshed, 1) == ["on", "before", "after", "between"]
    assert _operators(refreshed, 0) == ["is", "contains", "starts with"]
    assert re.search(r'<input type="date" name="cond-1-value"', refreshed)
    data = form_data(f"<form>{refreshed}</form>", "cond-1-field")
    removed = client.post(url, {**data, "_action": "remove-0"}, headers=HTMX).content.decode()
    assert 'name="cond-TOTAL_FORMS" value="1"' in removed
    assert 'value="BirthDate" selected' in removed and 'value="Lav"' not in removed
    # The last row cannot be removed; without JavaScript the whole page comes back.
    page = client.post(url, {**_rows({"field": "City"}), "_action": "add"})
    assert "<html" in page.content.decode() and 'name="cond-1-field"' in page.content.decode()
    assert re.search(r'value="remove-0"[^>]*disabled', removed)


def test_a_segment_of_numbers_dates_and_opt_ins(client, marketer, people):
    client.force_login(marketer)
    response = client.post(
        reverse("contacts:segment_create"),
        _rows(
            {"field": "LoyaltyPoints", "operator": "GreaterThan", "value": "100"},
            {"field": "BirthDate", "operator": "Between", "value": "1980-01-01",
             "value_to": "1989-12-31"},
            {"field": "optin_Newsletter", "operator": "Yes"},
            name="Loyal eighties subscribers",
        ),
    )  # fmt: skip
    assert response.status_code == 302
    segment = Segment.objects.get()
    page = client.get(reverse("contacts:segment_detail", args=[segment.provider_id]))
    assert (
        "Contacts where Loyalty points more than 100 AND Birth date between 1980-01-01 and "
        "1989-12-31 AND subscribed to Newsletter" in text(page)
    )
    members = re.findall(r"(\w)@example\.com", page.content.decode())
    assert sorted(set(members)) == ["b"]  # 120 points (1000 is not born then), in 1985
    # The edit page shows the same conditions, each with its own operators.
    edit = client.get(reverse("contacts:segment_edit", args=[segment.provider_id])).content.decode()
    assert 'value="Between" selected' in edit and 'value="1980-01-01"' in edit
    assert 'value="1989-12-31"' in edit and 'value="GreaterThan" selected' in edit
    assert _operators(edit, 2) == ["subscribed", "not subscribed"]


def test_a_condition_that_does_not_fit_its_field_keeps_everything_typed(client, marketer, project):
    client.force_login(marketer)
    response = client.post(
        reverse("contacts:segment_create"),
        _rows(
            {"field": "LoyaltyPoints", "operator": "Between", "value": "200", "value_to": "10"},
            {"field": "City", "operator": "LessThan", "value": "M"},
        ),
    )
    html = unescape(response.content.decode())
    assert response.status_code == 200 and not Segment.objects.exists()
    assert "The end of the range comes before its start." in html
    assert "Choose how to compare City: is, contains, starts with." in html
    assert 'value="200"' in html and 'value="10"' in html and 'value="Loyal"' in html
    assert not ProviderCall.objects.filter(path__contains="filters").exists()


def _count(client, *rows, **extra) -> str:
    response = client.get(reverse("contacts:segment_count"), _rows(*rows, **extra), headers=HTMX)
    assert response.status_code == 200
    return text(response).strip()


def test_the_builder_counts_the_contacts_its_conditions_match(client, marketer, people):
    client.force_login(marketer)
    laval = {"field": "City", "operator": "Equal", "value": "laval"}
    assert _count(client, laval) == "Matches 3 contacts today."
    rich = {"field": "LoyaltyPoints", "operator": "GreaterThan", "value": "100"}
    assert _count(client, laval, rich) == "Matches 2 contacts today."
    news = {"field": "optin_Newsletter", "operator": "Yes"}
    assert _count(client, rich, news, combine="OR") == "Matches 2 contacts today."
    assert _count(client, news) == "Matches 1 contact today."
    # Incomplete: nothing is asked.
    calls = ProviderCall.objects.count()
    half = {"field": "LoyaltyPoints", "operator": "GreaterThan", "value": ""}
    complete = "Complete the conditions to see how many contacts match."
    assert _count(client, laval, half) == complete
    response = client.get(reverse("contacts:segment_count"), headers=HTMX)
    assert text(response).strip() == complete
    assert ProviderCall.objects.count() == calls


def test_an_account_without_a_count_says_so_where_the_count_would_be(client, marketer, people):
    client.force_login(marketer)
    counts = counting("Count", "unknown_method")
    laval = {"field": "City", "operator": "Equal", "value": "laval"}
    said = "Counting contacts is not available on this Dialog Insight account."
    assert _count(client, laval) == said
    assert _count(client, laval) == said  # remembered: not asked again
    assert counts() == 1
    set_fault("dialoginsight", "error", status=503, path_contains="method=Count")
    ProviderCapability.objects.all().delete()
    assert _count(client, laval).startswith("The count could not be loaded. Dialog Insight is")


@pytest.fixture
def offline(settings, client, marketer):
    """A real account (mocked by responses) that does not know comparison operators."""
    settings.SANDBOX = False
    settings.DIALOG_INSIGHT_BASE_URL = "https://di.example"
    settings.DIALOG_INSIGHT_KEY_ID, settings.DIALOG_INSIGHT_KEY = "5", "key"
    settings.DIALOG_INSIGHT_PROJECT_ID = "7"
    now = timezone.now()
    for position, (code, kind) in enumerate([("EMail", "text"), ("LoyaltyPoints", "number")]):
        ProjectField.objects.create(
            kind="field",
            code=code,
            label=code,
            data_type=kind,
            is_key=code == "EMail",
            position=position,
            synced_at=now,
        )
    client.force_login(marketer)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_an_account_that_refuses_comparisons_loses_them_alone(client, offline):
    count = offline.post(
        "https://di.example/webservices/ofc4/contacts.ashx?method=Count",
        json={"Success": False, "ErrorCode": "InvalidClause",
              "ErrorMessage": "Unknown operator 'GreaterThan'.", "idRequest": 3},
    )  # fmt: skip
    rich = {"field": "LoyaltyPoints", "operator": "GreaterThan", "value": "100"}
    said = "Comparing numbers and dates in a condition is not available on this Dialog Insight"
    assert _count(client, rich).startswith(said)
    assert count.call_count == 1
    assert not ProviderCapability.objects.get(name="clause_comparison").available
    assert not ProviderCapability.objects.filter(name="contact_count").exists()  # not blamed
    # The builder then compares numbers as equal only, and says why.
    page = unescape(client.get(reverse("contacts:segment_create")).content.decode())
    assert said in page and "Numbers and dates can be compared as equal only" in page
    added = client.post(
        reverse("contacts:segment_create"),
        _rows({"field": "LoyaltyPoints"}, _action="refresh"),
        headers=HTMX,
    ).content.decode()
    assert _operators(added, 0) == ["is"]
    refused = client.post(reverse("contacts:segment_create"), _rows(rich))
    assert "Choose how to compare LoyaltyPoints: is." in unescape(refused.content.decode())
    assert len(offline.calls) == 1  # nothing more was sent
