"""Health as a load balancer and on-call read it: `/readyz` is about the web process alone
(database, migrations); the task workers are reported on their own."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from dashboard import health
from dashboard.models import WorkerHeartbeat
from dashboard.scheduler import beat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_migrations_check(monkeypatch):
    monkeypatch.setattr(health, "_migrations_checked", None)


def test_readyz_is_ready_without_any_worker(client):
    assert not WorkerHeartbeat.objects.exists()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_sees_a_migration_that_went_missing_after_it_said_ready(client):
    with time_machine.travel("2026-12-01 18:00:00Z", tick=False) as traveller:
        assert client.get("/readyz").status_code == 200
        MigrationRecorder.Migration.objects.filter(app="dashboard").order_by("-id")[
            :1
        ].get().delete()
        # Cached for a few seconds: a load balancer's poll costs no migration graph.
        assert client.get("/readyz").status_code == 200
        traveller.shift(timedelta(seconds=health.MIGRATIONS_CHECK_SECONDS + 1))
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "migrations": "pending"}


def test_workers_endpoint_reports_a_missing_worker_without_login(client):
    response = client.get("/healthz/workers")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "workers_seen": 0, "last_seen": None}
    beat("w1")
    beat("w2")
    response = client.get("/healthz/workers")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["workers_seen"] == 2


def test_a_worker_silent_for_a_minute_is_reported_everywhere(client, manager):
    beat("w1")
    # Stopped, not ticking: on a busy machine the pages below can take a second to render.
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        assert client.get("/readyz").status_code == 200  # the web tier stays in the pool
        assert client.get("/healthz/workers").status_code == 503
        with pytest.raises(CommandError, match=r"No task worker seen in the last 60 s"):
            call_command("check_workers")
        client.force_login(manager)
        page = client.get("/providers/").content.decode()
    assert "No task worker seen in the last 60 s (last one 61 s ago)" in page


def test_check_workers_is_quiet_about_a_live_worker(capsys):
    beat("w1")
    call_command("check_workers")
    assert "1 task worker seen in the last 60 s" in capsys.readouterr().out


def test_expected_unavailable_answers_are_not_logged_as_errors(client, caplog):
    """A 503 from /readyz or /healthz/workers is the answer doing its job: the request line
    says it (INFO); django.request does not raise an ERROR on-call would be paged for."""
    MigrationRecorder.Migration.objects.filter(app="dashboard").delete()
    with caplog.at_level(logging.INFO):
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz/workers").status_code == 503
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    lines = [r.getMessage() for r in caplog.records if r.name == "switchboard.request"]
    assert lines[0].startswith("request GET /readyz 503")
    assert lines[1].startswith("request GET /healthz/workers 503")
