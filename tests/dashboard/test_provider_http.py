"""The provider HTTP base: timeouts, retries only where safe, Retry-After, one error class,
a rate limit, and a call log without secrets."""

from __future__ import annotations

import json
import logging
import time

import pytest
import requests
import responses

from dashboard.models import ProviderCall
from dashboard.providers import ProviderClient, ProviderConfig, ProviderError, RateLimiter

BASE = "https://provider.test"


class DemoClient(ProviderClient):
    provider = "engagelab"
    backoff = 0.01


@pytest.fixture
def client(db):
    config = ProviderConfig(
        name="engagelab",
        base_url=BASE,
        sandbox=False,
        credentials={"api_user": "u", "api_key": "super-secret-key"},
    )
    return DemoClient(config, timeout=0.5)


@responses.activate
def test_get_is_retried_on_503_then_succeeds(client):
    responses.get(f"{BASE}/v1/things", status=503)
    responses.get(f"{BASE}/v1/things", json={"result": []})
    _, body = client.request("GET", "/v1/things")
    assert body == {"result": []}
    assert len(responses.calls) == 2


@responses.activate
def test_post_is_never_sent_twice(client):
    responses.post(f"{BASE}/v1/things", status=503)
    with pytest.raises(ProviderError) as info:
        client.request("POST", "/v1/things", json={"name": "x"})
    assert len(responses.calls) == 1
    assert info.value.status == 503
    assert "EngageLab is having trouble (HTTP 503)" in str(info.value)


@responses.activate
def test_a_post_marked_idempotent_may_be_retried(client):
    responses.post(f"{BASE}/search", status=502)
    responses.post(f"{BASE}/search", json={"ok": 1})
    _, body = client.request("POST", "/search", idempotent=True)
    assert body == {"ok": 1}


@responses.activate
def test_retry_after_is_honoured(client):
    responses.get(f"{BASE}/v1/things", status=429, headers={"Retry-After": "1"})
    responses.get(f"{BASE}/v1/things", json={"ok": True})
    started = time.monotonic()
    client.request("GET", "/v1/things")
    assert time.monotonic() - started >= 0.95


@responses.activate
def test_a_long_retry_after_is_reported_not_waited(client):
    responses.get(f"{BASE}/v1/things", status=429, headers={"Retry-After": "120"})
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        client.request("GET", "/v1/things")
    assert time.monotonic() - started < 1
    assert info.value.status == 429
    assert "Try again in 120 s" in str(info.value)


@responses.activate
def test_error_body_becomes_the_message_with_its_code(client):
    responses.put(
        f"{BASE}/v1/c/1", status=400, json={"code": 32110, "message": "campaign has started"}
    )
    with pytest.raises(ProviderError) as info:
        client.request("PUT", "/v1/c/1", json={})
    assert info.value.code == 32110
    assert str(info.value) == "EngageLab: campaign has started (code 32110)"
    assert len(responses.calls) == 1  # a 400 is not transient


@responses.activate
def test_timeout_is_a_clear_message(client):
    responses.post(f"{BASE}/slow", body=requests.Timeout())
    with pytest.raises(ProviderError, match="did not answer within 0.5 s"):
        client.request("POST", "/slow")


@responses.activate
def test_malformed_success_body_is_an_error(client):
    responses.get(f"{BASE}/v1/things", body='{"result": [', content_type="application/json")
    with pytest.raises(ProviderError, match="not JSON"):
        client.request("GET", "/v1/things")


def test_unreachable_provider_is_named():
    config = ProviderConfig(
        name="ccai", base_url="http://127.0.0.1:9", sandbox=False, credentials={}
    )

    class Ccai(ProviderClient):
        provider = "ccai"
        max_retries = 0

    with pytest.raises(ProviderError, match="CCAI Platform cannot be reached"):
        Ccai(config, timeout=0.5).request("GET", "/x")


@responses.activate
def test_every_call_is_logged_without_secrets(client, caplog):
    responses.get(f"{BASE}/v1/things", json={})
    client.session.auth = ("u", "super-secret-key")
    with caplog.at_level(logging.INFO, logger="switchboard.provider"):
        client.request("GET", "/v1/things?api_key=super-secret-key")
    record = caplog.records[-1]
    assert record.path == "/v1/things"
    assert record.status == 200
    assert "super-secret-key" not in caplog.text
    call = ProviderCall.objects.get()
    assert (call.provider, call.method, call.path, call.ok) == (
        "engagelab",
        "GET",
        "/v1/things",
        True,
    )


@responses.activate
def test_user_agent_and_timeout_on_every_call(client):
    responses.get(f"{BASE}/v1/things", json={})
    client.request("GET", "/v1/things")
    assert responses.calls[0].request.headers["User-Agent"].startswith("Switchboard/")
    assert responses.calls[0].request.req_kwargs["timeout"] == 0.5


def test_rate_limiter_spaces_calls(db):
    limiter = RateLimiter("demo", 10)
    started = time.monotonic()
    for _ in range(15):
        limiter.acquire()
    # 10 tokens of burst, then 5 more at 10/s
    assert 0.4 <= time.monotonic() - started < 1.0


def test_json_log_format_redacts_secret_keys():
    from dashboard.logs import JsonFormatter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", (), None)
    record.AuthKey = {"idKey": 1, "Key": "abc"}
    record.api_token = "t0ken"
    line = json.loads(JsonFormatter().format(record))
    assert line["AuthKey"] == "[redacted]"
    assert line["api_token"] == "[redacted]"
    assert line["message"] == "hello"


@responses.activate
@pytest.mark.parametrize(
    ("answer", "unknown"),
    [
        ({"body": requests.ReadTimeout()}, True),  # sent, no answer: it may have been done
        ({"body": '{"result": ', "content_type": "application/json"}, True),  # 2xx unreadable
        ({"body": requests.ConnectTimeout()}, False),  # never reached the provider
        ({"body": requests.ConnectionError()}, False),
        ({"status": 503}, False),  # refused
        ({"status": 400, "json": {"code": 32112, "message": "name cannot be empty"}}, False),
    ],
    ids=["timeout", "unreadable-2xx", "connect-timeout", "refused-connection", "503", "400"],
)
def test_error_says_whether_a_write_may_have_happened(client, answer, unknown):
    responses.post(f"{BASE}/v1/things", **answer)
    with pytest.raises(ProviderError) as info:
        client.request("POST", "/v1/things", json={})
    assert info.value.outcome_unknown is unknown


@responses.activate
def test_a_read_that_times_out_is_not_asked_again(client):
    responses.get(f"{BASE}/v1/things", body=requests.ReadTimeout())
    with pytest.raises(ProviderError, match="did not answer"):
        client.request("GET", "/v1/things")
    assert len(responses.calls) == 1


@responses.activate
def test_a_refused_connection_on_a_read_is_tried_again(client):
    responses.get(f"{BASE}/v1/things", body=requests.ConnectionError())
    responses.get(f"{BASE}/v1/things", json={"ok": True})
    _, body = client.request("GET", "/v1/things")
    assert body == {"ok": True} and len(responses.calls) == 2
