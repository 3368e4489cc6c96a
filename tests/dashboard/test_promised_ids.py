"""A reply is believed only when it says what the contract promises: an answer without the id
(or count) it should carry is an error with a plain sentence, never a made-up 0 that would be
stored, linked to or sent. Each client's parsing, on answers the sandboxes never give."""

from __future__ import annotations

import pytest
import responses

from campaigns.client import STAT_COUNTS, EngageLabClient
from contacts import nomenclature
from contacts.client import DialogInsightClient
from dashboard.providers import ProviderConfig, ProviderError
from dialer.client import CCAIClient

pytestmark = pytest.mark.django_db

DI = "https://di.example/webservices/ofc4"
EL = "https://el.example"
CCAI = "https://acme.ccai.example"


def _offline(cls, base_url: str, **credentials: str):
    """A client of a live account that `responses` plays."""
    config = ProviderConfig(
        name=cls.provider, base_url=base_url, sandbox=False, credentials=credentials
    )
    return cls(config)


def _di() -> DialogInsightClient:
    return _offline(DialogInsightClient, "https://di.example", key_id="5", key="k", project_id="7")


def _el() -> EngageLabClient:
    return _offline(EngageLabClient, EL, api_user="u", api_key="k")


def _ccai() -> CCAIClient:
    return _offline(CCAIClient, CCAI, username="acme", api_token="t")


def _ok(**data) -> dict:
    return {"Success": True, "ErrorCode": None, "ErrorMessage": None, **data}


# A campaign as EngageLab lists it, with its id, its type (1 A/B, 2 regular) and its status.
_CAMPAIGN = {"campaign_id": 3, "name": "A", "campaign_type": 2, "status": 2}
# A day of EngageLab statistics with every count it promises.
_STATS = dict.fromkeys(STAT_COUNTS, 3)


# (mocked method, URL, answer, the call, what the user reads)
WRITES = {
    "message without idMessage": (
        "POST",
        f"{DI}/messages.ashx?method=Create",
        _ok(),
        lambda: _di().message_create(name="N", subject="S", sender="s@example.com", html="<p/>"),
        "Dialog Insight did not confirm the message; check it there before trying again.",
    ),
    "message with idMessage 0": (
        "POST",
        f"{DI}/messages.ashx?method=Create",
        _ok(idMessage=0),
        lambda: _di().message_create(name="N", subject="S", sender="s@example.com", html="<p/>"),
        "Dialog Insight did not confirm the message; check it there before trying again.",
    ),
    "SendBatch without idBatch": (
        "POST",
        f"{DI}/sendings.ashx?method=SendBatch",
        _ok(idBatch=None),
        lambda: _di().mailing_send(message_id=4, segment_ids=None, launch_at=None),
        "Dialog Insight did not confirm the sending; check it there before trying again.",
    ),
    "SendSingle2 with a junk idBatch": (
        "POST",
        f"{DI}/sendings.ashx?method=SendSingle2",
        _ok(idBatch="soon"),
        lambda: _di().message_send_one(message_id=4, contact_id=9),
        "Dialog Insight did not confirm the sending; check it there before trying again.",
    ),
    "segment without idFilter": (
        "POST",
        f"{DI}/filters.ashx?method=Merge",
        _ok(),
        lambda: _di().segment_merge(
            name="Laval",
            clause=nomenclature.field_clause("City", "Equal", "Laval"),
            segment_id=None,
        ),
        "Dialog Insight did not confirm the segment; check it there before trying again.",
    ),
    "merged record without IdRecord": (
        "POST",
        f"{DI}/contacts.ashx?method=Merge",
        _ok(CreatedRecords=1, Records=[{"Status": "Created", "ValidationResult": "OK"}]),
        lambda: _di().contact_merge([("a@example.com", {"f_LastName": "A"})]),
        "Dialog Insight did not confirm the contact a@example.com; check it there before "
        "trying again.",
    ),
    "delete without DeletedRecords": (
        "POST",
        f"{DI}/contacts.ashx?method=Delete",
        _ok(),
        lambda: _di().contact_delete(nomenclature.id_clause(9)),
        "Dialog Insight did not confirm the deletion; check it there before trying again.",
    ),
    "campaign without campaign_id": (
        "POST",
        f"{EL}/v1/marketing/campaigns",
        {"result": {"name": "Autumn", "campaign_type": 2, "status": 0}},
        lambda: _el().campaign_create({"name": "Autumn"}),
        "EngageLab did not confirm the campaign; check it there before trying again.",
    ),
    "campaign update without its count": (
        "PUT",
        f"{EL}/v1/marketing/campaigns/3",
        {},
        lambda: _el().campaign_update(3, {"name": "Renamed"}),
        "EngageLab did not confirm the changes; check it there before trying again.",
    ),
    "campaign deletion with a count of 0": (
        "DELETE",
        f"{EL}/v1/marketing/campaigns/3",
        {"count": 0},
        lambda: _el().campaign_delete(3),
        "EngageLab did not confirm the deletion; check it there before trying again.",
    ),
    "tags without their count": (
        "POST",
        f"{EL}/v1/marketing/campaigns/tags",
        {"message": "ok"},
        lambda: _el().tag_create(["spring"]),
        "EngageLab did not confirm the tags; check it there before trying again.",
    ),
}

READS = {
    "contact without idContact": (
        "POST",
        f"{DI}/contacts.ashx?method=Get",
        _ok(Records=[{"idContact": 3, "f_EMail": "a@x.com"}, {"f_EMail": "b@x.com"}]),
        lambda: _di().contact_search(nomenclature.field_clause("EMail", "Contains", "x.com")),
        "Dialog Insight sent a contact without its idContact; nothing was changed.",
    ),
    "segment without idFilter": (
        "POST",
        f"{DI}/filters.ashx?method=List",
        _ok(Records=[{"Name": "Laval", "isDynamic": True}]),
        lambda: _di().segment_list(),
        "Dialog Insight sent a segment without its idFilter; nothing was changed.",
    ),
    "message without idMessage": (
        "POST",
        f"{DI}/messages.ashx?method=List",
        _ok(Records=[{"idMessage": "0", "Name": "Spring"}]),
        lambda: _di().message_list(),
        "Dialog Insight sent a message without its idMessage; nothing was changed.",
    ),
    "mailing without idBatch": (
        "POST",
        f"{DI}/sendings.ashx?method=GetBatches",
        _ok(Records=[{"idMessage": 4, "Status": "Sent"}]),
        lambda: _di().mailing_list(),
        "Dialog Insight sent a mailing without its idBatch; nothing was changed.",
    ),
    "count without Count": (
        "POST",
        f"{DI}/contacts.ashx?method=Count",
        _ok(),
        lambda: _di().contact_count(segment_id=4),
        "Dialog Insight sent a contact count without its Count; nothing was changed.",
    ),
    "project without idProject": (
        "POST",
        f"{DI}/projects.ashx?method=List",
        _ok(Records=[{"ProjectName": "Main"}]),
        lambda: _di().project_list(),
        "Dialog Insight sent a project without its idProject; nothing was changed.",
    ),
    "mailing statistics without UniqueOpens": (
        "POST",
        f"{DI}/sendings.ashx?method=GetStatistics",
        _ok(
            Statistics={
                "Sent": 10,
                "Delivered": 9,
                "Opens": 4,
                "Clicks": 1,
                "UniqueClicks": 1,
                "Bounces": 1,
                "Unsubscribes": 0,
            }
        ),
        lambda: _di().mailing_statistics_get(8),
        "Dialog Insight sent a statistics reply without its UniqueOpens; nothing was changed.",
    ),
    "mailing statistics left out": (
        "POST",
        f"{DI}/sendings.ashx?method=GetStatistics",
        _ok(),
        lambda: _di().mailing_statistics_get(8),
        "Dialog Insight sent a statistics reply without its Sent; nothing was changed.",
    ),
    "a day's statistics without its domain": (
        "GET",
        f"{EL}/v1/stats_day",
        {"result": [{"send_date": "2026-11-30", "domain": "", **_STATS}]},
        lambda: _el().daily_stat_list(start_date="2026-11-30", end_date="2026-11-30"),
        "EngageLab sent a statistics row without its domain; nothing was changed.",
    ),
    "history entry without Opened": (
        "POST",
        f"{DI}/contacts.ashx?method=GetHistory",
        _ok(
            Records=[
                {"idBatch": 4, "idMessage": 2, "dtSent": "2026.11.30 08:00:00", "Clicked": False}
            ]
        ),
        lambda: _di().contact_history_get(9),
        "Dialog Insight sent a mailing history entry without its Opened; nothing was changed.",
    ),
    "history entry without idBatch": (
        "POST",
        f"{DI}/contacts.ashx?method=GetHistory",
        _ok(
            Records=[
                {"idMessage": 2, "dtSent": "2026.11.30 08:00:00", "Opened": True, "Clicked": False}
            ]
        ),
        lambda: _di().contact_history_get(9),
        "Dialog Insight sent a mailing history entry without its idBatch; nothing was changed.",
    ),
    "a day's statistics without its opens": (
        "GET",
        f"{EL}/v1/stats_day",
        {
            "result": [
                {"send_date": "2026-11-30", "domain": "example.com", **_STATS},
                {
                    "send_date": "2026-12-01",
                    "domain": "example.com",
                    **{k: v for k, v in _STATS.items() if k != "opens"},
                },
            ]
        },
        lambda: _el().daily_stat_list(start_date="2026-11-30", end_date="2026-12-01"),
        "EngageLab sent a statistics row without its opens; nothing was changed.",
    ),
    "listed campaign without campaign_id": (
        "GET",
        f"{EL}/v1/marketing/campaigns",
        {"result": [_CAMPAIGN, {"name": "B", "campaign_type": 2, "status": 0}], "total": 2},
        lambda: _el().campaign_list(),
        "EngageLab sent a campaign without its campaign_id; nothing was changed.",
    ),
    "listed campaign without its status": (
        "GET",
        f"{EL}/v1/marketing/campaigns",
        {"result": [_CAMPAIGN, {"campaign_id": 4, "name": "B", "campaign_type": 2}], "total": 2},
        lambda: _el().campaign_list(),
        "EngageLab sent a campaign without its status; nothing was changed.",
    ),
    "campaign list without its total": (
        "GET",
        f"{EL}/v1/marketing/campaigns",
        {"result": [_CAMPAIGN]},
        lambda: _el().campaign_list(),
        "EngageLab sent a campaign list without its total; nothing was changed.",
    ),
    "campaign detail without campaign_id": (
        "GET",
        f"{EL}/v1/marketing/campaigns/3",
        {"result": {"name": "A"}},
        lambda: _el().campaign_get(3),
        "EngageLab sent the campaign without its campaign_id; nothing was changed.",
    ),
    "campaign detail without campaign_type": (
        "GET",
        f"{EL}/v1/marketing/campaigns/3",
        {"result": {k: v for k, v in _CAMPAIGN.items() if k != "campaign_type"}},
        lambda: _el().campaign_get(3),
        "EngageLab sent the campaign without its campaign_type; nothing was changed.",
    ),
    "sender without sender_id": (
        "GET",
        f"{EL}/v1/marketing/senders",
        {"result": [{"name": "News", "email": "news@example.com"}], "total": 1},
        lambda: _el().sender_list(),
        "EngageLab sent a sender without its sender_id; nothing was changed.",
    ),
    "dialer campaign without id": (
        "GET",
        f"{CCAI}/manager/api/v1/outbound_dialer/campaigns",
        [{"id": 5, "name": "Spring"}, {"id": None, "name": "Autumn"}],
        lambda: _ccai().campaign_list(),
        "CCAI Platform sent a campaign without its id; nothing was changed.",
    ),
    "dialer contact without id": (
        "GET",
        f"{CCAI}/apps/api/v1/outbound_dialer/campaigns/5/contacts",
        [
            {"id": 1, "name": "Ana", "status": "Upcoming"},
            {"name": "Bo", "phone_number": "+15145550102", "status": "Upcoming"},
        ],
        lambda: _ccai().contact_list(5),
        "CCAI Platform sent a contact without its id; nothing was changed.",
    ),
    "dialer contact without its status": (
        "GET",
        f"{CCAI}/apps/api/v1/outbound_dialer/campaigns/5/contacts",
        [{"id": 1, "name": "Ana", "status": "Upcoming"}, {"id": 2, "name": "Bo", "status": ""}],
        lambda: list(_ccai().contact_iter(5)),
        "CCAI Platform sent a contact without its status; nothing was changed.",
    ),
    "streamed dialer contact with id 0": (
        "GET",
        f"{CCAI}/apps/api/v1/outbound_dialer/campaigns/5/contacts",
        [
            {"id": 1, "name": "Ana", "status": "Upcoming"},
            {"id": 0, "name": "Bo", "status": "Upcoming"},
        ],
        lambda: list(_ccai().contact_iter(5)),
        "CCAI Platform sent a contact without its id; nothing was changed.",
    ),
}


def _call(method, url, answer, call):
    responses.add(method, url, json=answer)
    with pytest.raises(ProviderError) as caught:
        call()
    assert len(responses.calls) == 1  # the write was not sent again, the read not re-asked
    return caught.value


@responses.activate
@pytest.mark.parametrize("case", WRITES.values(), ids=WRITES.keys())
def test_a_write_answered_without_its_id_is_an_error_whose_outcome_is_unknown(case):
    method, url, answer, call, sentence = case
    error = _call(method, url, answer, call)
    assert str(error) == sentence
    assert error.outcome_unknown  # it may have been done: the form is not offered again as is


@responses.activate
@pytest.mark.parametrize("case", READS.values(), ids=READS.keys())
def test_a_read_answered_without_an_id_is_an_error(case):
    method, url, answer, call, sentence = case
    assert str(_call(method, url, answer, call)) == sentence


@responses.activate
def test_ids_sent_as_digit_strings_are_read():
    responses.post(f"{DI}/messages.ashx?method=Create", json=_ok(idMessage="42"))
    responses.post(f"{DI}/contacts.ashx?method=Delete", json=_ok(DeletedRecords=0))
    assert _di().message_create(name="N", subject="S", sender="s@example.com", html="") == 42
    assert _di().contact_delete(nomenclature.id_clause(9)) == 0  # a count may be 0


@responses.activate
def test_a_rejected_record_needs_no_id():
    responses.post(
        f"{DI}/contacts.ashx?method=Merge",
        json=_ok(Records=[{"Status": "Error", "ValidationResult": "InvalidEmail",
                           "Message": "Not an email"}]),
    )  # fmt: skip
    record = _di().contact_merge([("nope", {})]).records[0]
    assert (record.ok, record.contact_id, record.message) == (False, None, "Not an email")


@responses.activate
def test_a_created_campaign_whose_answer_leaves_out_its_type_keeps_the_type_asked_for():
    responses.post(f"{EL}/v1/marketing/campaigns", json={"result": {"campaign_id": 8, "status": 0}})
    created = _el().campaign_create({"name": "Subjects", "campaign_type": 1})
    assert (created.campaign_id, created.campaign_type) == (8, 1)  # an A/B test, not regular


@responses.activate
def test_a_merge_counts_what_its_records_say_not_totals_it_may_leave_out():
    records = [
        {"IdRecord": 1, "Status": "Created", "ValidationResult": "OK"},
        {"IdRecord": 2, "Status": "Updated", "ValidationResult": "OK"},
        {"Status": "Error", "ValidationResult": "InvalidEmail", "Message": "Not an email"},
    ]
    responses.post(f"{DI}/contacts.ashx?method=Merge", json=_ok(Records=records))
    result = _di().contact_merge([("a@example.com", {}), ("b@example.com", {}), ("c", {})])
    assert (result.created, result.updated, len(result.rejected)) == (1, 1, 1)


@responses.activate
@pytest.mark.parametrize(
    ("case", "french"),
    [
        ("dialer campaign without id", "une campagne"),
        ("dialer contact without id", "un contact"),
        ("listed campaign without its status", "une campagne"),
        ("mailing statistics without UniqueOpens", "une réponse de statistiques"),
    ],
)
def test_a_french_reader_reads_what_was_missing_in_french(case, french):
    from django.utils import translation

    method, url, answer, call, english = READS[case]
    with translation.override("fr"):
        sentence = str(_call(method, url, answer, call))
    assert f"a envoyé {french} sans le champ" in sentence
    assert english.split(" sent ")[1].split(" without")[0] not in sentence


@responses.activate
def test_a_full_page_of_senders_without_a_total_is_followed_by_the_next():
    """The sender listing is inferred: without its total, the walk goes on while pages are
    full, rather than keeping the first 100 senders as if they were all."""
    senders = [{"sender_id": n, "name": f"S{n}", "email": f"s{n}@example.com"}
               for n in range(1, 131)]  # fmt: skip
    responses.get(f"{EL}/v1/marketing/senders", json={"result": senders[:100]})
    responses.get(f"{EL}/v1/marketing/senders", json={"result": senders[100:]})
    listed = _el().sender_list()
    assert [s.sender_id for s in listed] == list(range(1, 131))
    assert [call.request.params["offset"] for call in responses.calls] == ["0", "100"]
