"""The Dialog Insight client against the sandbox over real HTTP: the envelope, every method
of the contract, and every way a call can fail."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import responses
from django.conf import settings
from django.test import override_settings

from contacts import nomenclature
from contacts.client import DialogInsightClient
from dashboard.providers import ProviderConfig, ProviderError
from dashboard.sandbox import set_fault
from tests.contacts.conftest import merge_one

pytestmark = pytest.mark.django_db(transaction=True)


def test_projects_list_and_get_describe_the_project(di):
    assert di.project_list() == [(1, "Switchboard demo project")]
    project = di.project_get()
    types = {f.code: (f.data_type, f.required) for f in project.fields}
    assert types["EMail"] == ("text", True)
    assert types["BirthDate"] == ("date", False)
    assert types["LoyaltyPoints"] == ("number", False)
    assert [o.code for o in project.optins] == ["Newsletter", "Promotions"]
    assert {f.code: f.label for f in project.fields}["FirstName"] == "First name"


def test_merge_creates_then_updates_by_project_key(di):
    first = di.contact_merge(
        [("claire@example.com", {"f_FirstName": "Claire", "f_LastName": "Brown"})]
    )
    assert (first.created, first.updated) == (1, 0)
    again = di.contact_merge(
        [("Claire@example.com", {"f_City": "Montréal", nomenclature.optin_name("Newsletter"): "1"})]
    )
    assert (again.created, again.updated) == (0, 1)
    assert again.records[0].contact_id == first.records[0].contact_id
    contact = di.contact_get(first.records[0].contact_id)
    assert contact.values["FirstName"] == "Claire" and contact.values["City"] == "Montréal"
    assert contact.optins == {"Newsletter": True, "Promotions": False}
    assert contact.optin_dates["Newsletter"]


def test_merge_reports_each_rejected_record_while_the_call_succeeds(di):
    result = di.contact_merge(
        [
            ("ok@example.com", {"f_LastName": "Ok", "f_BirthDate": "1990.04.02"}),
            ("bad-date@example.com", {"f_LastName": "X", "f_BirthDate": "02/04/1990"}),
            ("nan@example.com", {"f_LastName": "X", "f_LoyaltyPoints": "lots"}),
            ("no-name@example.com", {"f_FirstName": "Only"}),
            ("ok@example.com", {"f_LastName": "Twice"}),
            ("not-an-email", {"f_LastName": "X"}),
            ("unknown@example.com", {"f_LastName": "X", "f_Shoe": "42"}),
        ]
    )
    outcomes = [(r.ok, r.validation) for r in result.records]
    assert outcomes == [
        (True, "OK"),
        (False, "InvalidValue"),
        (False, "InvalidValue"),
        (False, "MissingRequiredField"),
        (False, "DuplicateRecord"),
        (False, "InvalidValue"),
        (False, "UnknownField"),
    ]
    assert "YYYY.MM.DD" in result.records[1].message
    assert result.records[3].message == "Last name is required."
    assert result.created == 1


def test_merge_respects_allow_insert_and_allow_update(di):
    no_insert = di.contact_merge([("new@example.com", {"f_LastName": "N"})], allow_insert=False)
    assert no_insert.records[0].validation == "RecordNotFound"
    merge_one(di, "old@example.com", f_LastName="Old")
    no_update = di.contact_merge([("old@example.com", {"f_LastName": "New"})], allow_update=False)
    assert no_update.records[0].validation == "DuplicateRecord"


def test_merge_sends_records_in_batches(di):
    records = [(f"p{i}@example.com", {"f_LastName": f"P{i}"}) for i in range(7)]
    result = di.contact_merge(records, batch_size=3)
    assert result.created == 7 and len(result.records) == 7
    from dashboard.models import ProviderCall

    assert (
        ProviderCall.objects.filter(
            provider="dialoginsight", path__contains="contacts.ashx"
        ).count()
        == 3
    )


def test_get_with_clauses_and_max_rows(di):
    merge_one(di, "anna@example.com", f_FirstName="Anna", f_LastName="Smith", f_City="Laval")
    merge_one(di, "annie@example.com", f_FirstName="Annie", f_LastName="Jones", f_City="Quebec")
    merge_one(di, "bob@example.com", f_FirstName="Bob", f_LastName="Annan", f_City="Laval")

    def emails(clause, max_rows=50):
        return sorted(c.key for c in di.contact_search(clause, max_rows=max_rows))

    assert emails(nomenclature.field_clause("EMail", "Equal", "ANNA@example.com")) == [
        "anna@example.com"
    ]
    assert emails(nomenclature.field_clause("FirstName", "StartsWith", "ann")) == [
        "anna@example.com",
        "annie@example.com",
    ]
    assert emails(nomenclature.field_clause("LastName", "Contains", "nna")) == ["bob@example.com"]
    either = nomenclature.combine(
        "OR",
        [
            nomenclature.field_clause("FirstName", "Contains", "ann"),
            nomenclature.field_clause("LastName", "Contains", "ann"),
        ],
    )
    assert len(emails(either)) == 3
    both = nomenclature.combine(
        "AND",
        [
            nomenclature.field_clause("FirstName", "StartsWith", "Ann"),
            nomenclature.field_clause("City", "Equal", "laval"),
        ],
    )
    assert emails(both) == ["anna@example.com"]
    assert len(emails(either, max_rows=2)) == 2


def test_numbers_and_dates_are_compared_as_such(di):
    merge_one(di, "a@example.com", f_LastName="A", f_LoyaltyPoints="99", f_BirthDate="1979.12.31")
    merge_one(di, "b@example.com", f_LastName="B", f_LoyaltyPoints="120", f_BirthDate="1985.06.01")
    merge_one(di, "c@example.com", f_LastName="C", f_LoyaltyPoints="1000", f_BirthDate="1990.01.01")
    merge_one(di, "d@example.com", f_LastName="D")  # no points, no birth date

    def emails(clause):
        return sorted(c.key[0] for c in di.contact_search(clause))

    # As numbers: "1000" is more than "120", which text would not say.
    assert emails(nomenclature.field_clause("LoyaltyPoints", "GreaterThan", "100")) == ["b", "c"]
    assert emails(nomenclature.field_clause("LoyaltyPoints", "LessThan", "120")) == ["a"]
    assert emails(nomenclature.between_clause("LoyaltyPoints", "99", "120")) == ["a", "b"]
    assert emails(nomenclature.field_clause("BirthDate", "LessThan", "1985.06.01")) == ["a"]
    assert emails(nomenclature.between_clause("BirthDate", "1980.01.01", "1990.01.01")) == [
        "b",
        "c",
    ]
    assert (
        di.contact_count(nomenclature.field_clause("BirthDate", "GreaterThan", "1980.01.01")) == 2
    )
    for clause, said in [
        (nomenclature.field_clause("City", "GreaterThan", "M"), "City is text"),
        (nomenclature.field_clause("BirthDate", "LessThan", "01/02/1990"), "not a date"),
        (nomenclature.field_clause("LoyaltyPoints", "GreaterThan", "many"), "not a number"),
    ]:
        with pytest.raises(ProviderError) as caught:
            di.contact_search(clause)
        assert caught.value.code == "InvalidClause" and said in str(caught.value)


def test_get_with_an_unknown_field_is_a_provider_error(di):
    with pytest.raises(ProviderError) as caught:
        di.contact_search(nomenclature.field_clause("Shoe", "Equal", "42"))
    assert caught.value.code == "InvalidClause"
    assert "f_Shoe" in str(caught.value)


def test_delete_erases_the_contact_and_refuses_broad_clauses(di):
    contact_id = merge_one(di, "gone@example.com", f_LastName="Gone")
    merge_one(di, "g2@example.com", f_LastName="Gone")
    with pytest.raises(ProviderError) as caught:
        di.contact_delete(nomenclature.field_clause("LastName", "Equal", "Gone"), max_rows=1)
    assert caught.value.code == "TooManyRecords"
    assert di.contact_delete(nomenclature.id_clause(contact_id)) == 1
    assert di.contact_get(contact_id) is None


def test_segments_statistics_and_history(di):
    a = merge_one(di, "a@example.com", f_LastName="A", f_City="Laval")
    merge_one(di, "b@example.com", f_LastName="B", f_City="Quebec")
    segment_id = di.segment_merge(
        name="Laval", clause=nomenclature.field_clause("City", "Equal", "Laval"), segment_id=None
    )
    assert [(s.id, s.name, s.is_dynamic) for s in di.segment_list()] == [
        (segment_id, "Laval", True)
    ]
    assert [c.id for c in di.segment_contact_list(segment_id)] == [a]
    assert di.contact_count(segment_id=segment_id) == 1
    assert di.contact_count() == 2
    renamed = di.segment_merge(
        name="Laval and Quebec",
        clause=nomenclature.combine(
            "OR",
            [
                nomenclature.field_clause("City", "Equal", "Laval"),
                nomenclature.field_clause("City", "Equal", "Quebec"),
            ],
        ),
        segment_id=segment_id,
    )
    assert renamed == segment_id and di.contact_count(segment_id=segment_id) == 2

    message_id = di.message_create(
        name="Welcome", subject="Hello", sender="news@example.com", html="<p>Hi</p>"
    )
    mailing_id = di.mailing_send(message_id=message_id, segment_ids=[segment_id], launch_at=None)
    stats = di.mailing_statistics_get(mailing_id)
    assert stats.sent == 2
    history = di.contact_history_get(a)
    assert [(h.mailing_id, h.message_name) for h in history] == [(mailing_id, "Welcome")]


def test_scheduled_batch_waits_for_its_launch_time(di):
    merge_one(di, "a@example.com", f_LastName="A")
    message_id = di.message_create(name="Later", subject="S", sender="n@example.com", html="x")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    mailing_id = di.mailing_send(message_id=message_id, segment_ids=None, launch_at=later)
    batch = next(b for b in di.mailing_list() if b.id == mailing_id)
    assert batch.status == "Scheduled" and batch.target_count == 1
    assert batch.launch_at == later.replace(microsecond=0)
    assert di.mailing_statistics_get(mailing_id).sent == 0


def test_send_single_needs_the_message_parameters(di):
    a = merge_one(di, "cart@example.com", f_LastName="Cart")
    message_id = di.message_create(
        name="Cart reminder", subject="Your cart", sender="shop@example.com", html="[[CartUrl]]"
    )
    assert di.message_list()[0].parameters == ["CartUrl"]
    with pytest.raises(ProviderError) as caught:
        di.message_send_one(message_id=message_id, contact_id=a, parameters={})
    assert caught.value.code == "MissingParameter"
    mailing_id = di.message_send_one(
        message_id=message_id, contact_id=a, parameters={"CartUrl": "u"}
    )
    assert di.contact_history_get(a)[0].mailing_id == mailing_id


# --- The envelope and failures ----------------------------------------------------------
def test_wrong_auth_key_is_refused_in_the_envelope(sandbox):
    config = ProviderConfig(
        name="dialoginsight",
        base_url=f"{sandbox.url}/sandbox/dialoginsight",
        sandbox=True,
        credentials={"key_id": "1", "key": "wrong", "project_id": "1"},
    )
    with pytest.raises(ProviderError) as caught:
        DialogInsightClient(config).project_list()
    assert caught.value.status == 200
    assert caught.value.code == "InvalidAuthKey"
    assert str(caught.value).startswith("Dialog Insight: Authentication failed")


def test_call_quota_is_enforced_like_the_provider(di, client, marketer):
    from contacts.sandbox.models import SandboxProject

    di.project_list()  # creates the project
    SandboxProject.objects.update(call_quota=2, calls_used=0)
    di.project_list()
    di.project_get()
    with pytest.raises(ProviderError) as caught:
        di.project_list()
    assert caught.value.code == "QuotaExceeded"
    client.force_login(marketer)
    page = client.get("/contacts/", {"q": "claire"}).content.decode()
    assert "The number of calls allowed has been exceeded. (code QuotaExceeded)" in page


def test_other_project_is_refused(sandbox):
    config = ProviderConfig(
        name="dialoginsight",
        base_url=f"{sandbox.url}/sandbox/dialoginsight",
        sandbox=True,
        credentials={**settings.SANDBOX_CREDENTIALS["dialoginsight"], "project_id": "99"},
    )
    with pytest.raises(ProviderError) as caught:
        DialogInsightClient(config).project_get()
    assert caught.value.code == "ProjectAccessDenied"


def test_server_error_on_a_read_is_retried(di):
    set_fault("dialoginsight", "error", status=503, remaining=1)
    assert di.project_get().fields


def test_server_error_on_a_merge_is_not_retried(di):
    set_fault("dialoginsight", "error", status=503, remaining=1)
    with pytest.raises(ProviderError) as caught:
        di.contact_merge([("x@example.com", {"f_LastName": "X"})])
    assert caught.value.status == 503
    assert "Nothing was changed" in str(caught.value)
    # Not retried: the fault was used once and the contact was never written.
    assert di.contact_search(nomenclature.field_clause("EMail", "Equal", "x@example.com")) == []


def test_rate_limit_is_reported_with_its_delay(di):
    set_fault("dialoginsight", "rate_limit", retry_after=30)
    with pytest.raises(ProviderError) as caught:
        di.project_list()
    assert caught.value.status == 429 and "Try again in 30 s" in str(caught.value)


def test_timeout_becomes_a_clear_error(di):
    set_fault("dialoginsight", "timeout", remaining=1)
    with pytest.raises(ProviderError) as caught:
        di.contact_merge([("t@example.com", {"f_LastName": "T"})])
    assert "did not answer" in str(caught.value)


def test_malformed_body_becomes_a_clear_error(di):
    set_fault("dialoginsight", "malformed")
    with pytest.raises(ProviderError) as caught:
        di.contact_search(nomenclature.field_clause("EMail", "Equal", "a@b.c"))
    assert "not JSON" in str(caught.value)


@responses.activate
def test_envelope_without_success_flag_is_an_error():
    config = ProviderConfig(
        name="dialoginsight",
        base_url="https://di.example",
        sandbox=False,
        credentials={"key_id": "5", "key": "k", "project_id": "7"},
    )
    responses.post(
        "https://di.example/webservices/ofc4/projects.ashx?method=Get", json={"Records": []}
    )
    with override_settings(PROVIDER_TIMEOUT=2), pytest.raises(ProviderError) as caught:
        DialogInsightClient(config).project_get()
    assert "envelope" in str(caught.value)
    sent = json.loads(responses.calls[0].request.body)
    assert list(sent) == ["AuthKey", "idProject"]
    assert sent["AuthKey"] == {"idKey": 5, "Key": "k"} and sent["idProject"] == 7


def _offline_client() -> DialogInsightClient:
    return DialogInsightClient(
        ProviderConfig(
            name="dialoginsight",
            base_url="https://di.example",
            sandbox=False,
            credentials={"key_id": "5", "key": "k", "project_id": "7"},
        )
    )


@responses.activate
def test_envelope_error_inside_http_500_keeps_the_provider_message():
    responses.post(
        "https://di.example/webservices/ofc4/contacts.ashx?method=Merge",
        status=500,
        json={"Success": False, "ErrorCode": "InternalError", "ErrorMessage": "Boom"},
    )
    with pytest.raises(ProviderError) as caught:
        _offline_client().contact_merge([("a@example.com", {"f_LastName": "A"})])
    assert caught.value.status == 500 and caught.value.provider_message == "Boom"
    assert len(responses.calls) == 1  # a write is never retried


@responses.activate
def test_quota_exceeded_is_a_clear_error_and_reads_are_not_hammered():
    responses.post(
        "https://di.example/webservices/ofc4/contacts.ashx?method=Get",
        json={"Success": False, "ErrorCode": "QuotaExceeded",
              "ErrorMessage": "The number of calls allowed has been exceeded."},
    )  # fmt: skip
    with pytest.raises(ProviderError) as caught:
        _offline_client().contact_search(nomenclature.field_clause("EMail", "Equal", "a@b.c"))
    assert str(caught.value) == (
        "Dialog Insight: The number of calls allowed has been exceeded. (code QuotaExceeded)"
    )
    assert len(responses.calls) == 1  # a business error is not retried, even on a read


@responses.activate
def test_merge_answer_with_missing_records_marks_them_unknown():
    responses.post(
        "https://di.example/webservices/ofc4/contacts.ashx?method=Merge",
        json={"Success": True, "CreatedRecords": 1, "UpdatedRecords": 0,
              "Records": [{"IdRecord": 3, "Status": "Created", "ValidationResult": "OK"}]},
    )  # fmt: skip
    result = _offline_client().contact_merge(
        [("a@example.com", {}), ("b@example.com", {})], batch_size=10
    )
    assert [(r.key, r.ok) for r in result.records] == [
        ("a@example.com", True),
        ("b@example.com", False),
    ]
    sent = json.loads(responses.calls[0].request.body)
    assert sent["Records"][1] == {"ID": {"key_f_EMail": "b@example.com"}, "Data": {}}
    assert sent["MergeOptions"]["AllowInsert"] is True


@responses.activate
def test_send_batch_payload_follows_the_contract():
    responses.post(
        "https://di.example/webservices/ofc4/sendings.ashx?method=SendBatch",
        json={"Success": True, "idBatch": 9},
    )
    launch = dt.datetime(2031, 5, 1, 8, 0, tzinfo=dt.UTC)
    assert _offline_client().mailing_send(message_id=4, segment_ids=[42], launch_at=launch) == 9
    sent = json.loads(responses.calls[0].request.body)
    assert sent["contactFilter"] == {"Mode": "idFilters", "idFilters": [42]}
    assert sent["sendBatchOptions"] == {"isDelayed": True, "dtLaunch": "2031.05.01 08:00:00"}


@responses.activate
def test_a_failure_part_way_says_which_batches_were_merged():
    url = "https://di.example/webservices/ofc4/contacts.ashx?method=Merge"
    responses.post(url, json={"Success": True, "CreatedRecords": 2, "UpdatedRecords": 0,
                              "Records": [{"IdRecord": 1, "Status": "Created",
                                           "ValidationResult": "OK"},
                                          {"IdRecord": 2, "Status": "Created",
                                           "ValidationResult": "OK"}]})  # fmt: skip
    responses.post(url, status=503, body="<html>down</html>")
    records = [(f"p{i}@example.com", {}) for i in range(4)]
    with pytest.raises(ProviderError) as caught:
        _offline_client().contact_merge(records, batch_size=2)
    merged = caught.value.details["merged"]
    assert [r.key for r in merged.records] == ["p0@example.com", "p1@example.com"]
    assert len(responses.calls) == 2  # the failed batch was not re-sent


@responses.activate
def test_project_labels_prefer_english():
    responses.post(
        "https://di.example/webservices/ofc4/projects.ashx?method=Get",
        json={"Success": True, "ProjectInfo": {"ProjectFields": [
            {"Code": "FirstName", "DataType": "Text", "isRequired": False,
             "Labels": [{"Language": "fr", "Value": "Prénom"},
                        {"Language": "en", "Value": "First name"}]},
            {"Code": "Ville", "DataType": "Text", "Labels": [{"Language": "fr", "Value": "Ville"}]},
            {"Code": "Points", "DataType": "Decimal", "Labels": []}]}},
    )  # fmt: skip
    project = _offline_client().project_get()
    assert [(f.label, f.data_type) for f in project.fields] == [
        ("First name", "text"),
        ("Ville", "text"),
        ("Points", "number"),
    ]
