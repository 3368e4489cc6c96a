"""The EngageLab client against the sandbox over real HTTP: every endpoint, every rule,
every error path (including injected 5xx, 429, timeouts and malformed bodies)."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from campaigns.client import EngageLabClient
from campaigns.sandbox.models import SandboxCampaign
from dashboard.models import ProviderCall
from dashboard.providers import ProviderConfig, ProviderError, provider_config
from dashboard.sandbox import set_fault
from tests.campaigns.conftest import ab_payload, regular_payload

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_returns_the_campaign_as_engagelab_describes_it(engagelab):
    created = engagelab.campaign_create(regular_payload())
    assert created.campaign_id > 0
    assert created.campaign_type == 2
    assert created.status == 0
    assert created.audience_type == "tag" and created.audience_values == ["newsletter"]
    assert created.from_email == "news@mail.switchboard.test"
    assert created.time_zone == "-5"
    assert created.warm_up[0]["domain"] == "gmail.com"
    # 17:10:20 at UTC-5 is 06:10:20 the next day at UTC+8, the provider's clock.
    assert created.run_time.isoformat() == "2099-10-27T06:10:20+08:00"


def test_detail_update_and_delete_round_trip(engagelab):
    created = engagelab.campaign_create(regular_payload())
    assert engagelab.campaign_update(created.campaign_id, {"name": "Renamed"}) == 1
    assert engagelab.campaign_get(created.campaign_id).name == "Renamed"
    assert engagelab.campaign_delete(created.campaign_id) == 1
    with pytest.raises(Exception) as info:
        engagelab.campaign_get(created.campaign_id)
    assert info.value.status == 404
    assert "does not exist" in str(info.value)


def test_ab_campaign_keeps_its_test(engagelab):
    created = engagelab.campaign_create(ab_payload())
    assert created.campaign_type == 1
    assert created.ab_test["subjects"] == ["Subject A", "Subject B", "Subject C"]
    assert created.ab_test["win_condition"]["compare"] == "open_percent"


def test_list_walks_every_page_and_filters(engagelab):
    for i in range(105):
        SandboxCampaign.objects.create(
            campaign_type=1 if i % 5 == 0 else 2,
            name=f"Bulk {i}",
            data=regular_payload(name=f"Bulk {i}"),
            send_at=timezone.now() + timedelta(days=3),
            created_at=timezone.now(),
            updated_at=timezone.now(),
        )
    everything = engagelab.campaign_list()
    assert len(everything) == 105
    assert len({c.campaign_id for c in everything}) == 105
    assert len(engagelab.campaign_list(campaign_type=1)) == 21
    assert [c.name for c in engagelab.campaign_list(name="Bulk 10")] == [
        "Bulk 104",
        "Bulk 103",
        "Bulk 102",
        "Bulk 101",
        "Bulk 100",
        "Bulk 10",
    ]
    assert len(engagelab.campaign_list(status=0)) == 105
    page = engagelab.campaign_list_page(limit=10, offset=100)
    assert page.total == 105 and len(page.campaigns) == 5


def test_list_rejects_a_limit_out_of_range(engagelab):
    with pytest.raises(Exception) as info:
        engagelab.campaign_list_page(limit=101)
    assert "limit must be between 1 and 100" in str(info.value)


def test_reference_lists(engagelab):
    assert {s.sender_id for s in engagelab.sender_list()} == {21, 53, 77}
    assert "newsletter" in {t.template_invoke_name for t in engagelab.template_list()}
    assert "VIP customers" in {s.name for s in engagelab.segment_list()}
    assert engagelab.tag_create(["black-friday"]) == 1
    assert "black-friday" in {t.name for t in engagelab.tag_list()}
    with pytest.raises(Exception) as info:
        engagelab.tag_create(["black-friday"])
    assert info.value.code == 32603


@pytest.mark.parametrize(
    ("payload", "code", "message"),
    [
        (regular_payload(name=""), 32112, "name cannot be empty"),
        (regular_payload(name="x" * 65), 32101, "longer than 64"),
        (regular_payload(campaign_type=3), 32102, "campaign_type must be 1"),
        (regular_payload(to=[]), 32103, "exactly one item"),
        (
            regular_payload(to=[{"type": "tag", "value": ["a"]}, {"type": "tag", "value": ["b"]}]),
            32103,
            "exactly one item",
        ),
        (regular_payload(to=[{"type": "group", "value": ["x"]}]), 32103, "list, tag or segment"),
        (regular_payload(to=[{"type": "tag", "value": ["nope"]}]), 32103, "tag does not exist"),
        (regular_payload(sender_id="999"), 32104, "sender 999 does not exist"),
        (regular_payload(template_invoke_name="nope"), 32105, "template nope does not exist"),
        (regular_payload(send_time="26/10/2099 17:10"), 32109, "YYYY-MM-DD HH:mm:ss"),
        (regular_payload(time_zone=15), 32115, "between -12 and +14"),
        (regular_payload(reply_to="not-an-address"), 32114, "reply_to"),
        (
            regular_payload(google_track={"campaign_name": "x" * 65}),
            32113,
            "longer than 64",
        ),
        (
            regular_payload(
                warm_up=[
                    {"domain": f"d{i}.com", "rate": 1, "upgrade_value": 1, "downgrade_value": 0.5}
                    for i in range(21)
                ]
            ),
            32107,
            "more than 20",
        ),
        (
            regular_payload(
                warm_up=[{"domain": "a.com", "rate": 1, "upgrade_value": 0, "downgrade_value": 1}]
            ),
            32107,
            "upgrade_value must be in (0, 1]",
        ),
        (
            regular_payload(
                warm_up=[{"domain": "a.com", "rate": 1, "upgrade_value": 1, "downgrade_value": 1.2}]
            ),
            32107,
            "downgrade_value must be in (0, 1]",
        ),
        (
            regular_payload(
                attachments=[{"filename": f"{i}.txt", "content": "aGk="} for i in range(11)]
            ),
            32108,
            "no more than 10",
        ),
        (
            regular_payload(
                attachments=[
                    {
                        "filename": "big.bin",
                        "content": base64.b64encode(b"0" * (10 * 2**20 + 1)).decode(),
                    }
                ]
            ),
            32108,
            "10 MB before base64",
        ),
        (regular_payload(ab_test=ab_payload()["ab_test"]), 32106, "only for A/B"),
        (ab_payload(ab_test=None), 32106, "ab_test is required"),
        (ab_payload(ab_test={**ab_payload()["ab_test"], "percent": 0}), 32106, "between 1 and 100"),
        (
            ab_payload(ab_test={**ab_payload()["ab_test"], "percent": 101}),
            32106,
            "between 1 and 100",
        ),
        (
            ab_payload(
                ab_test={
                    **ab_payload()["ab_test"],
                    "win_condition": {
                        "time_unit": "hour",
                        "after_time": 24,
                        "compare": "open_percent",
                    },
                }
            ),
            32106,
            "between 0 and 23",
        ),
        (
            ab_payload(
                ab_test={
                    **ab_payload()["ab_test"],
                    "win_condition": {
                        "time_unit": "day",
                        "after_time": 11,
                        "compare": "open_percent",
                    },
                }
            ),
            32106,
            "between 0 and 10",
        ),
        (
            ab_payload(
                ab_test={
                    **ab_payload()["ab_test"],
                    "win_condition": {"time_unit": "day", "after_time": 1, "compare": "best"},
                }
            ),
            32106,
            "compare must be one of",
        ),
        (
            ab_payload(ab_test={**ab_payload()["ab_test"], "sender_ids": ["21", "53"]}),
            32106,
            "exactly one of",
        ),
        (
            ab_payload(
                ab_test={
                    "percent": 20,
                    "win_condition": {
                        "time_unit": "hour",
                        "after_time": 1,
                        "compare": "open_percent",
                    },
                    "template_invoke_names": ["newsletter", "launch"],
                }
            ),
            32106,
            "subject is required",
        ),
        (
            ab_payload(
                warm_up=[{"domain": "a.com", "rate": 1, "upgrade_value": 1, "downgrade_value": 1}]
            ),
            32107,
            "only for regular",
        ),
    ],
)
def test_every_documented_rule_is_enforced_with_the_provider_error(
    engagelab, payload, code, message
):
    with pytest.raises(Exception) as info:
        engagelab.campaign_create(payload)
    assert info.value.code == code
    assert message in str(info.value)
    assert str(info.value).startswith("EngageLab: ")
    assert not SandboxCampaign.objects.exists()


def test_editing_a_started_campaign_is_refused_with_32110(engagelab):
    created = engagelab.campaign_create(regular_payload(send_time="2020-01-01 00:00:00"))
    assert engagelab.campaign_get(created.campaign_id).status == 1
    with pytest.raises(Exception) as info:
        engagelab.campaign_update(created.campaign_id, {"name": "Too late"})
    assert info.value.code == 32110
    assert engagelab.campaign_get(created.campaign_id).name == "Autumn newsletter"


def test_update_validates_the_merged_campaign(engagelab):
    created = engagelab.campaign_create(regular_payload())
    with pytest.raises(Exception) as info:
        engagelab.campaign_update(created.campaign_id, {"name": ""})
    assert info.value.code == 32112


def test_wrong_credentials_are_refused_with_30000(engagelab):
    config = provider_config("engagelab")
    bad = EngageLabClient(
        type(config)(
            name=config.name,
            base_url=config.base_url,
            sandbox=True,
            credentials={"api_user": "sandbox", "api_key": "wrong"},
        )
    )
    with pytest.raises(Exception) as info:
        bad.campaign_list()
    assert info.value.status == 401 and info.value.code == 30000
    assert "data center" in str(info.value)


def test_an_injected_503_on_a_read_is_retried(engagelab):
    set_fault("engagelab", "error", status=503, remaining=1)
    assert engagelab.sender_list()
    assert ProviderCall.objects.filter(provider="engagelab", status=503).count() == 1


def test_a_persistent_503_becomes_a_clear_message(engagelab):
    set_fault("engagelab", "error", status=503)
    with pytest.raises(Exception) as info:
        engagelab.campaign_list()
    assert "EngageLab is having trouble (HTTP 503)" in str(info.value)


def test_a_create_is_never_sent_twice(engagelab):
    set_fault("engagelab", "error", status=502, remaining=1)
    with pytest.raises(Exception) as info:
        engagelab.campaign_create(regular_payload())
    assert info.value.status == 502
    assert not SandboxCampaign.objects.exists()
    assert ProviderCall.objects.filter(path="/v1/marketing/campaigns", method="POST").count() == 1


def test_429_with_retry_after_is_honoured(engagelab):
    created = engagelab.campaign_create(regular_payload())
    set_fault("engagelab", "rate_limit", retry_after=1, remaining=1)
    assert engagelab.campaign_get(created.campaign_id).name == "Autumn newsletter"
    assert ProviderCall.objects.filter(status=429).count() == 1


def test_persistent_429_is_reported(engagelab):
    set_fault("engagelab", "rate_limit", retry_after=30)
    with pytest.raises(Exception) as info:
        engagelab.template_list()
    assert "rate limiting" in str(info.value) and "30 s" in str(info.value)


def test_a_timeout_is_reported_without_waiting_forever(engagelab, settings):
    engagelab.max_retries = 0
    set_fault("engagelab", "timeout")
    with pytest.raises(Exception) as info:
        engagelab.campaign_delete(1)
    assert "did not answer within 2 s" in str(info.value)


def test_a_malformed_body_is_reported(engagelab):
    set_fault("engagelab", "malformed")
    with pytest.raises(Exception) as info:
        engagelab.campaign_list()
    assert "not JSON" in str(info.value)


@responses.activate
def test_a_record_without_what_the_contract_promises_is_a_sentence_not_a_crash():
    config = ProviderConfig(
        name="engagelab",
        base_url="https://engagelab.test",
        sandbox=False,
        credentials={"api_user": "u", "api_key": "k"},
    )
    responses.get(
        "https://engagelab.test/v1/templates", json={"result": [{"name": "Spring"}], "total": 1}
    )
    with pytest.raises(ProviderError) as info:
        EngageLabClient(config).template_list()
    assert str(info.value) == (
        "EngageLab answered with a template list that Switchboard cannot read "
        "(KeyError: 'template_invoke_name')."
    )
    assert info.value.status is None
