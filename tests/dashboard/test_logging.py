"""Logs an on-call engineer can alert on: a failed provider call is a WARNING that says what
the provider answered, an ERROR once its retries are exhausted; answers Switchboard gives on
purpose are not warnings; JSON lines carry an unambiguous time."""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import time
from datetime import UTC, datetime

import pytest
from django_tasks_db.models import DBTaskResult

from campaigns.client import EngageLabClient
from dashboard.logs import JsonFormatter
from dashboard.models import SandboxFault
from dashboard.providers import ProviderError
from dashboard.sandbox import set_fault
from tests.dashboard.test_deploy import run_manage, start

pytestmark = pytest.mark.django_db(transaction=True)


def provider_lines(caplog):
    return [r for r in caplog.records if r.name == "switchboard.provider"]


def test_a_refusal_is_a_warning_with_the_providers_code_and_message(sandbox, caplog):
    with caplog.at_level(logging.INFO), pytest.raises(ProviderError):
        EngageLabClient().campaign_get(999)
    (line,) = provider_lines(caplog)
    assert line.levelno == logging.WARNING
    text = line.getMessage()
    assert text.startswith("provider call engagelab GET /v1/marketing/campaigns/999 404 ")
    assert "campaign 999 does not exist" in text and "code 32111" in text
    as_json = json.loads(JsonFormatter().format(line))
    assert (as_json["level"], as_json["code"], as_json["provider_message"]) == (
        "WARNING",
        32111,
        "campaign 999 does not exist",
    )
    # The sandbox answering 404 is the emulated provider doing its job, not a server warning.
    assert not [r for r in caplog.records if r.name == "django.request"]
    assert "sandbox-key" not in caplog.text


def test_a_read_that_fails_after_its_retries_is_an_error(sandbox, caplog):
    set_fault("engagelab", SandboxFault.Kind.ERROR, status=503)
    with caplog.at_level(logging.INFO), pytest.raises(ProviderError):
        EngageLabClient().campaign_get(1)
    lines = provider_lines(caplog)
    assert [r.levelname for r in lines] == ["WARNING", "WARNING", "WARNING", "ERROR"]
    assert all(" 503 " in r.getMessage() for r in lines[:3])
    assert lines[-1].getMessage() == (
        "provider call engagelab GET /v1/marketing/campaigns/1 gave up after 3 attempts: "
        "EngageLab is having trouble (HTTP 503). Nothing was changed; try again."
    )
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_a_write_that_fails_once_is_a_warning_not_an_error(sandbox, caplog):
    set_fault("engagelab", SandboxFault.Kind.ERROR, status=503)
    with caplog.at_level(logging.INFO), pytest.raises(ProviderError):
        EngageLabClient().tag_create(["spring"])
    assert [r.levelname for r in provider_lines(caplog)] == ["WARNING"]


def test_a_successful_call_stays_at_info(sandbox, caplog):
    with caplog.at_level(logging.INFO):
        EngageLabClient().campaign_list_page(limit=1)
    assert [r.levelname for r in provider_lines(caplog)] == ["INFO"]


def test_json_time_is_utc_iso_8601_with_milliseconds_and_offset(monkeypatch):
    monkeypatch.setenv("TZ", "America/Montreal")
    time.tzset()
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", (), None)
        record.created = datetime(2026, 12, 1, 18, 7, 18, 123456, tzinfo=UTC).timestamp()
        line = json.loads(JsonFormatter().format(record))
    finally:
        monkeypatch.undo()
        time.tzset()
    assert line["time"] == "2026-12-01T18:07:18.123+00:00"


def test_the_icon_is_served_and_linked(client, marketer):
    body = client.get("/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg"' in body
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and b"<svg" in b"".join(icon.streaming_content)


def test_a_browser_asking_for_favicon_ico_is_sent_to_the_icon_without_a_warning(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.svg"
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_tasks_log_level_quiets_the_worker(tmp_path):
    """`make run` printed a line per task run whatever TASKS_LOG_LEVEL said: the worker of
    django-tasks reset its loggers to INFO. Run the real worker for a few seconds."""
    database = tmp_path / "worker.sqlite3"
    env = {
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "SWITCHBOARD_URL": "http://127.0.0.1:9",
        "SANDBOX": "false",  # no provider configured: the periodic sync runs and calls nobody
        "TASKS_LOG_LEVEL": "WARNING",
    }
    assert run_manage("migrate", "--noinput", **env).returncode == 0
    worker = start(
        sys.executable, "manage.py", "worker", "--tick", "0.5", "--interval", "0.1", **env
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _finished_tasks(database) < 1:
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = "".join(worker.communicate(timeout=30))
    assert _finished_tasks(database) >= 1, output
    assert "state=RUNNING" not in output and "state=SUCCESSFUL" not in output, output


def _finished_tasks(database) -> int:
    try:
        with sqlite3.connect(database) as db:
            (count,) = db.execute(
                f"SELECT count(*) FROM {DBTaskResult._meta.db_table} WHERE finished_at IS NOT NULL"
            ).fetchone()
    except sqlite3.OperationalError:
        return 0
    return count
