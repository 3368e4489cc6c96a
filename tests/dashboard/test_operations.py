"""The Providers page's connection checks and the operators' commands, against the sandboxes
over real HTTP, with each injected fault."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import replace
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import CommandError, call_command

from campaigns.client import EngageLabClient
from contacts.client import DialogInsightClient
from dashboard.checks import check_connection
from dashboard.models import SandboxFault
from dashboard.providers import provider_config
from dashboard.sandbox import set_fault
from dialer.client import CCAIClient
from tests.concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)
PROVIDERS = ["engagelab", "dialoginsight", "ccai"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_check_passes_against_the_sandbox(sandbox, provider):
    result = check_connection(provider)
    assert result.ok, result.message
    assert result.duration_ms < 2000


FAULTS = [
    ({"kind": SandboxFault.Kind.ERROR, "status": 503}, "is having trouble (HTTP 503)"),
    ({"kind": SandboxFault.Kind.RATE_LIMIT, "retry_after": 60}, "rate limiting"),
    ({"kind": SandboxFault.Kind.MALFORMED}, "not JSON"),
]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(("fault", "said"), FAULTS, ids=["5xx", "429", "malformed"])
def test_check_says_plainly_what_is_wrong(sandbox, provider, fault, said):
    set_fault(provider, **fault)
    result = check_connection(provider)
    assert not result.ok
    assert said in result.message


def test_check_reports_a_timeout(sandbox):
    # One provider is enough: each attempt waits out the 2 s test timeout.
    set_fault("dialoginsight", SandboxFault.Kind.TIMEOUT)
    result = check_connection("dialoginsight")
    assert not result.ok and "did not answer within 2 s" in result.message


@pytest.mark.parametrize("provider", PROVIDERS)
def test_check_reports_slowness(sandbox, provider):
    set_fault(provider, SandboxFault.Kind.LATENCY, latency_ms=1100, remaining=1)
    result = check_connection(provider)
    assert result.ok and result.message.startswith("Works, but slow")


CLIENTS = {"engagelab": EngageLabClient, "dialoginsight": DialogInsightClient, "ccai": CCAIClient}
SECRETS = {"engagelab": "api_key", "dialoginsight": "key", "ccai": "api_token"}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_check_names_bad_credentials(sandbox, monkeypatch, provider):
    """The provider refusing Switchboard's key (here the sandbox, sent a wrong one)."""
    config = provider_config(provider)
    wrong = replace(config, credentials={**config.credentials, SECRETS[provider]: "wrong"})
    client, built = CLIENTS[provider], CLIENTS[provider].__init__
    monkeypatch.setattr(client, "__init__", lambda self, *args, **kwargs: built(self, wrong))
    result = check_connection(provider)
    assert not result.ok
    assert "refused the credentials" in result.message
    if provider == "engagelab":
        assert "other data center" in result.message


def test_check_names_an_unreachable_provider(settings, db):
    settings.SANDBOX = False
    settings.CCAI_BASE_URL = "http://127.0.0.1:9"
    settings.CCAI_USERNAME, settings.CCAI_API_TOKEN = "acme", "token"
    result = check_connection("ccai")
    assert not result.ok and "cannot be reached" in result.message


@pytest.fixture
def redirecting_switchboard(settings):
    """Switchboard served over plain HTTP with SECURE_SSL_REDIRECT on, as gunicorn serves it
    behind a TLS proxy: a call that does not come through the proxy is redirected to https."""
    settings.SECURE_SSL_REDIRECT = True

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_check_explains_that_ssl_redirect_breaks_calls_to_the_sandbox(
    settings, redirecting_switchboard
):
    settings.SANDBOX, settings.SWITCHBOARD_URL = True, redirecting_switchboard
    result = check_connection("ccai")
    assert not result.ok
    assert "Check the base URL" not in result.message
    assert (
        f"SECURE_SSL_REDIRECT is on and SWITCHBOARD_URL ({redirecting_switchboard}) is plain "
        "HTTP" in result.message
    )
    assert "X-Forwarded-Proto: https" in result.message


def test_check_explains_a_switchboard_url_outside_allowed_hosts(sandbox, settings):
    settings.ALLOWED_HOSTS = ["switchboard.example.com"]
    result = check_connection("engagelab")
    assert not result.ok
    assert result.message.startswith("EngageLab answered HTTP 400.")
    assert "SWITCHBOARD_URL's host (localhost) is not in ALLOWED_HOSTS" in result.message


def test_check_providers_command_exits_non_zero_on_a_failure(sandbox, capsys):
    call_command("check_providers")
    out = capsys.readouterr().out
    assert out.count(" ok ") == 3 and "sandbox" in out
    set_fault("ccai", SandboxFault.Kind.ERROR, status=502)
    with pytest.raises(CommandError, match="1 provider connection"):
        call_command("check_providers")
    assert "CCAI Platform is having trouble (HTTP 502)" in capsys.readouterr().out


def test_providers_page_check_button(sandbox, client, manager):
    client.force_login(manager)
    response = client.post("/providers/ccai/check", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Connected" in response.content.decode()
    marketer_page = client.get("/providers/")
    assert "CCAI Platform" in marketer_page.content.decode()


def test_provider_call_log_line_carries_the_request_id(sandbox, settings, client, manager, caplog):
    client.force_login(manager)
    with caplog.at_level(logging.INFO, logger="switchboard"):
        response = client.post("/providers/engagelab/check", HTTP_X_REQUEST_ID="req-42")
    assert response["X-Request-ID"] == "req-42"
    calls = [r for r in caplog.records if r.name == "switchboard.provider"]
    assert calls and all(r.request_id == "req-42" and r.user == manager.username for r in calls)
    from dashboard.logs import JsonFormatter

    line = json.loads(JsonFormatter().format(calls[0]))
    assert line["request_id"] == "req-42" and line["provider"] == "engagelab"
    assert settings.SANDBOX_CREDENTIALS["engagelab"]["api_key"] not in json.dumps(line)


def _mirror():
    from campaigns.models import Campaign

    return sorted(Campaign.objects.values_list("provider_id", "name", "status"))


def test_sync_command_summarises_and_fails_loudly(sandbox, capsys):
    from campaigns.sandbox import demo

    demo.seed()
    call_command("sync", provider="engagelab", only="campaigns")
    out = capsys.readouterr().out
    assert "EngageLab campaigns" in out and "30 created" in out
    set_fault("engagelab", SandboxFault.Kind.ERROR, status=500)
    with pytest.raises(CommandError, match="1 of 1 syncs failed"):
        call_command("sync", provider="engagelab", only="campaigns")
    assert "having trouble (HTTP 500)" in capsys.readouterr().out


def test_two_overlapping_sync_runs_leave_the_mirror_as_one_run_would(sandbox):
    from campaigns.models import Campaign
    from campaigns.sandbox import demo
    from dashboard.models import SyncState

    demo.seed()
    # Slow every listing down so that the two runs really overlap.
    set_fault("engagelab", SandboxFault.Kind.LATENCY, latency_ms=300)
    assert run_at_once(lambda: call_command("sync", provider="engagelab", only="campaigns")) == []
    overlapped = _mirror()
    Campaign.objects.all().delete()
    call_command("sync", provider="engagelab", only="campaigns")
    assert overlapped == _mirror() and len(overlapped) == 30
    state = SyncState.objects.get(provider="engagelab", object_type="campaigns")
    assert state.lease_until is None and state.last_error == ""
