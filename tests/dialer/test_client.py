"""The CCAI client against the sandbox over real HTTP: every endpoint and error path."""

from __future__ import annotations

import time

import pytest
import responses

from dashboard.models import RateBucket
from dashboard.providers import ProviderConfig, ProviderError
from dashboard.sandbox import set_fault
from dialer.client import CCAIClient, ContactInput
from dialer.sandbox.models import SandboxContact, SandboxImportJob
from tests.dialer.conftest import follow_job, make_campaign, make_contact

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_job(clock, client, campaign_id, job_id):
    """The job as CCAI reports it once it has had time to run (the clock moved on)."""

    def finished():
        job = client.import_job_get(campaign_id, job_id)
        return job if job.finished else None

    return follow_job(clock, finished)


def test_campaign_list_and_detail_carry_mode_status_and_computed_stats(ccai):
    spring = make_campaign("Spring renewals", "predictive", status="dialing")
    make_campaign("Winback", "preview")
    make_contact(spring, "+1 514-555-0101", status="Finished")
    make_contact(spring, "+1 514-555-0102", name="Bo Chen", status="Upcoming")

    campaigns = CCAIClient().campaign_list()

    assert [(c.name, c.mode) for c in campaigns] == [
        ("Spring renewals", "predictive"),
        ("Winback", "preview"),
    ]
    detail = CCAIClient().campaign_get(spring.id)
    assert detail.status == "dialing"
    assert detail.queue_name == "Outbound sales"
    assert detail.contact_stats["Finished"] == 1
    assert detail.contact_stats["Upcoming"] == 1
    assert detail.contact_stats["Contacts"] == 2
    assert detail.contact_stats["Completed"] == 1
    assert len([k for k in detail.contact_stats if k in {"Do Not Call", "Queued"}]) == 2


def test_unknown_campaign_is_a_404_with_the_providers_message(ccai):
    with pytest.raises(ProviderError) as caught:
        CCAIClient().campaign_get(999)
    assert caught.value.status == 404
    assert str(caught.value) == "CCAI Platform: Resource not found"


def test_wrong_credentials_are_refused(ccai):
    config = CCAIClient().config
    bad = ProviderConfig(
        name="ccai",
        base_url=config.base_url,
        sandbox=True,
        credentials={"username": "sandbox", "api_token": "wrong"},
    )
    with pytest.raises(ProviderError) as caught:
        CCAIClient(bad).campaign_list()
    assert caught.value.status == 401
    assert "refused Switchboard's credentials" in str(caught.value)


def test_add_contact_then_list_it(ccai):
    campaign = make_campaign()
    client = CCAIClient()
    result = client.contact_add(
        campaign.id,
        ContactInput(
            name="Ana Lima",
            phone_number="+15145550101",
            email="ana@example.com",
            outbound_number="+17608675309",
            external_unique_id="UID_1",
        ),
    )
    assert result.invalid == []
    assert result.valid[0]["phone_number"] == "+15145550101"
    contacts = client.contact_list(campaign.id)
    assert [
        (c.name, c.phone_number, c.email, c.status, c.external_unique_id) for c in contacts
    ] == [("Ana Lima", "+15145550101", "ana@example.com", "Upcoming", "UID_1")]
    assert contacts[0].id and contacts[0].campaign_id == campaign.id


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("911", "Emergency numbers cannot be dialed"),
        ("not a number", "Phone number is invalid"),
        ("514 555 0101", "Phone number is invalid"),
        ("+1 514-555-0199", "Phone number has already been taken"),
    ],
)
def test_an_invalid_contact_comes_back_in_invalid_contacts(ccai, phone, reason):
    campaign = make_campaign()
    make_contact(campaign, "+1 514 555 0199")
    result = CCAIClient().contact_add(
        campaign.id, ContactInput(name="Bo", phone_number=phone, email="bo@example.com")
    )
    assert result.valid == []
    assert reason in result.invalid[0].reason
    assert SandboxContact.objects.count() == 1


def test_loose_formatting_is_accepted_by_the_provider(ccai):
    campaign = make_campaign()
    result = CCAIClient().contact_add(
        campaign.id,
        ContactInput(name="Bob", phone_number="+1-(358)-213-1634", email="bob@example.com"),
    )
    assert result.invalid == [] and len(result.valid) == 1


def test_import_runs_as_a_job_that_completes(ccai, clock):
    campaign = make_campaign()
    client = CCAIClient()
    rows = [
        ContactInput(name=f"Person {i}", phone_number=f"+1514555{i:04d}", email=f"p{i}@ex.com")
        for i in range(1, 31)
    ]
    job_id = client.import_job_create(campaign.id, iter(rows))
    clock.shift(0.9)  # however slow the machine: the job runs one second after it was taken
    first = client.import_job_get(campaign.id, job_id)
    assert first.status == "in_progress"
    assert first.type == "Jobs::Bulk::Campaign::ParentJob"
    assert SandboxContact.objects.count() == 0
    clock.shift(0.1)
    job = client.import_job_get(campaign.id, job_id)
    assert job.status == "completed"
    assert len(client.contact_list(campaign.id)) == 30


def test_import_with_a_phone_already_in_the_campaign_fails_whole(ccai, clock):
    campaign = make_campaign()
    make_contact(campaign, "+1 514 555 0002")
    client = CCAIClient()
    job_id = client.import_job_create(
        campaign.id,
        [
            ContactInput(name="A", phone_number="+15145550001", email="a@ex.com"),
            ContactInput(name="B", phone_number="+15145550002", email="b@ex.com"),
        ],
    )
    job = wait_for_job(clock, client, campaign.id, job_id)
    assert job.status == "failed"
    assert job.error_message == "Internal Error"
    assert job.error_details.endswith("DuplicateContactPhoneOnCampaign")
    assert SandboxContact.objects.count() == 1


def test_unknown_job_is_a_404(ccai):
    campaign = make_campaign()
    with pytest.raises(ProviderError) as caught:
        CCAIClient().import_job_get(campaign.id, "12345")
    assert caught.value.status == 404


def test_edit_contact(ccai):
    campaign = make_campaign()
    contact = make_contact(campaign, "+1 514 555 0101")
    updated = CCAIClient().contact_update(
        campaign.id,
        contact.id,
        name="Ana Souza",
        email="ana.souza@example.com",
        phone_number="+15145550111",
        external_unique_id="UID_9",
    )
    assert (updated.id, updated.name, updated.phone_number) == (
        contact.id,
        "Ana Souza",
        "+15145550111",
    )
    contact.refresh_from_db()
    assert contact.email == "ana.souza@example.com"
    assert contact.external_unique_id == "UID_9"


@pytest.mark.parametrize(
    ("contact_id", "phone", "status", "message"),
    [
        (None, "+15145550111", 400, "Phone number is invalid"),
        (999999, "+15145550111", 404, "Resource not found"),
        (None, "+1 514 555 0102", 422, "Phone number has already been taken"),
    ],
)
def test_edit_errors_carry_the_providers_message(ccai, contact_id, phone, status, message):
    campaign = make_campaign()
    contact = make_contact(campaign, "+1 514 555 0101")
    make_contact(campaign, "+1 514 555 0102", name="Bo Chen")
    if status == 400:
        phone = "12"
    with pytest.raises(ProviderError) as caught:
        CCAIClient().contact_update(
            campaign.id, contact_id or contact.id, name="X", email="x@ex.com", phone_number=phone
        )
    assert caught.value.status == status
    assert message in str(caught.value)


@pytest.mark.parametrize("key", ["contact_id", "phone_number", "external_unique_id"])
def test_delete_by_id_phone_or_external_id(ccai, key):
    campaign = make_campaign()
    contact = make_contact(campaign, "+1 514 555 0101", external_unique_id="UID_7")
    keep = make_contact(campaign, "+1 514 555 0102", name="Bo Chen")
    value = {
        "contact_id": contact.id,
        "phone_number": "+15145550101",
        "external_unique_id": "UID_7",
    }
    deleted = CCAIClient().contact_delete(campaign.id, **{key: value[key]})
    assert deleted.id == contact.id and deleted.name == "Ana Lima"
    assert list(SandboxContact.objects.values_list("id", flat=True)) == [keep.id]


def test_delete_unknown_contact_is_a_404(ccai):
    campaign = make_campaign()
    with pytest.raises(ProviderError) as caught:
        CCAIClient().contact_delete(campaign.id, contact_id=424242)
    assert caught.value.status == 404


def test_delete_needs_exactly_one_key():
    with pytest.raises(ValueError):
        CCAIClient().contact_delete(1)


# --- Injected faults ----------------------------------------------------------------------


def test_a_transient_5xx_on_a_read_is_retried(ccai):
    make_campaign()
    set_fault("ccai", "error", status=503, remaining=1)
    assert len(CCAIClient().campaign_list()) == 1


def test_a_5xx_on_an_add_is_not_retried_and_adds_nothing(ccai):
    campaign = make_campaign()
    set_fault("ccai", "error", status=502, remaining=1)
    with pytest.raises(ProviderError) as caught:
        CCAIClient().contact_add(
            campaign.id, ContactInput(name="A", phone_number="+15145550001", email="a@ex.com")
        )
    assert caught.value.status == 502
    assert "having trouble" in str(caught.value)
    assert SandboxContact.objects.count() == 0


def test_a_failed_import_post_is_not_resent(ccai):
    campaign = make_campaign()
    set_fault("ccai", "error", status=503, remaining=1, path_contains="/import")
    with pytest.raises(ProviderError):
        CCAIClient().import_job_create(
            campaign.id, [ContactInput(name="A", phone_number="+15145550001", email="a@ex.com")]
        )
    assert SandboxImportJob.objects.count() == 0


def test_rate_limited_answer_is_retried_after_retry_after(ccai):
    make_campaign()
    set_fault("ccai", "rate_limit", retry_after=1, remaining=1)
    started = time.monotonic()
    assert len(CCAIClient().campaign_list()) == 1
    assert time.monotonic() - started >= 1.0


def test_persistent_rate_limit_becomes_a_clear_message(ccai):
    campaign = make_campaign()
    set_fault("ccai", "rate_limit", retry_after=30)
    with pytest.raises(ProviderError) as caught:
        CCAIClient().contact_add(
            campaign.id, ContactInput(name="A", phone_number="+15145550001", email="a@ex.com")
        )
    assert (
        str(caught.value)
        == "CCAI Platform is rate limiting Switchboard's calls. Try again in 30 s."
    )


def test_timeout_becomes_a_clear_message(ccai):
    set_fault("ccai", "timeout")
    client = CCAIClient(timeout=0.5)
    client.max_retries = 0
    with pytest.raises(ProviderError) as caught:
        client.campaign_list()
    assert "did not answer within 0.5 s" in str(caught.value)


def test_malformed_body_becomes_a_clear_message(ccai):
    set_fault("ccai", "malformed")
    with pytest.raises(ProviderError) as caught:
        CCAIClient().campaign_list()
    assert "not JSON" in str(caught.value)


def test_client_keeps_to_ten_calls_a_second(ccai):
    make_campaign()
    client = CCAIClient()
    RateBucket.objects.filter(name=client.limiter.name).delete()  # full, whatever ran before
    started = time.monotonic()
    for _ in range(15):
        client.campaign_list()
    assert time.monotonic() - started >= 0.45


# --- Answer shapes the sandbox does not produce (documented alternatives) --------------------


@responses.activate
def test_import_job_id_from_the_body_and_unknown_keys_ignored(settings):
    settings.SANDBOX = True
    settings.SWITCHBOARD_URL = "http://ccai.test"
    base = "http://ccai.test/sandbox/ccai/apps/api/v1/outbound_dialer/campaigns/5"
    responses.post(f"{base}/contacts/import", json={"job_id": 530, "whatever": 1}, status=202)
    responses.get(
        f"{base}/contacts/jobs/530",
        json={"id": 530, "status": "completed", "type": "X", "progress": {"done": 2}},
    )
    client = CCAIClient()
    job_id = client.import_job_create(
        5, [ContactInput(name="A", phone_number="+15145550001", email="a@ex.com")]
    )
    assert job_id == "530"
    sent = responses.calls[0].request
    body = sent.body.read() if hasattr(sent.body, "read") else sent.body
    assert b'name="file"; filename="contacts.json"' in body
    assert b'"phone_number": "+15145550001"' in body
    assert sent.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert client.import_job_get(5, job_id).status == "completed"


@responses.activate
def test_invalid_contact_reason_read_from_any_documented_shape(settings):
    settings.SANDBOX = True
    settings.SWITCHBOARD_URL = "http://ccai.test"
    url = "http://ccai.test/sandbox/ccai/apps/api/v1/outbound_dialer/campaigns/5/contacts"
    responses.post(
        url,
        json={"valid_contacts": [], "invalid_contacts": [{"phone_number": "1", "error": "Bad"}]},
    )
    result = CCAIClient().contact_add(5, ContactInput(name="A", phone_number="1", email="a@ex.com"))
    assert result.invalid[0].reason == "Bad"


def test_sandbox_refuses_more_than_ten_calls_a_second(ccai):
    from concurrent.futures import ThreadPoolExecutor

    import requests

    config = CCAIClient().config
    url = f"{config.base_url}/manager/api/v1/outbound_dialer/campaigns"
    auth = (config.credentials["username"], config.credentials["api_token"])

    def call(_):
        return requests.get(url, auth=auth, timeout=10)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(call, range(40)))
    refused = [r for r in answers if r.status_code == 429]
    assert refused, "a burst of 40 calls must be throttled"
    assert refused[0].json() == {"message": "Too Many Requests"}
    assert refused[0].headers["Retry-After"] == "1"


def test_sandbox_rate_is_ten_a_second_with_a_small_burst(monkeypatch):
    from dialer.sandbox import rules

    clock = [1000.0]
    monkeypatch.setattr(rules.time, "monotonic", lambda: clock[0])
    rules._buckets.clear()
    assert [rules.over_rate("acme") for _ in range(13)] == [False] * 12 + [True]
    clock[0] += 0.1  # one more call's worth
    assert rules.over_rate("acme") is False
    assert rules.over_rate("acme") is True
    assert rules.over_rate("other") is False  # per customer


def test_the_client_keeps_under_the_sandboxs_limit(ccai):
    from dashboard.models import ProviderCall

    make_campaign()
    client = CCAIClient()
    for _ in range(25):
        client.campaign_list()
    assert not ProviderCall.objects.filter(provider="ccai", status=429).exists()


def test_contact_listing_streamed_and_its_errors(ccai):
    campaign = make_campaign()
    for i in range(1, 6):
        make_contact(campaign, f"+1 514 555 010{i}", name=f"P {i}")
    client = CCAIClient()
    streamed = list(client.contact_iter(campaign.id))
    assert [c.name for c in streamed] == [c.name for c in client.contact_list(campaign.id)]
    assert streamed[0].phone_number == "+1 514 555 0101"
    with pytest.raises(ProviderError) as caught:
        list(client.contact_iter(4242))
    assert str(caught.value) == "CCAI Platform: Resource not found"
    set_fault("ccai", "malformed")
    with pytest.raises(ProviderError) as caught:
        list(client.contact_iter(campaign.id))
    assert "contact list Switchboard cannot read" in str(caught.value)
