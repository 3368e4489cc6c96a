from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.checks import run_checks
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "SECURE_SSL_REDIRECT": "true",
    "SWITCHBOARD_URL": "https://switchboard.example.com",
    "ALLOWED_HOSTS": "switchboard.example.com",
}


def production_environment(**env: str) -> dict[str, str]:
    # The test run's own settings must not leak into the production process.
    leaked = {
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "SECURE_SSL_REDIRECT",
        "SWITCHBOARD_URL",
        "LOG_FORMAT",
    }
    return {**{k: v for k, v in os.environ.items() if k not in leaked}, **env}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def start(*command: str, **env: str) -> subprocess.Popen:
    """A long-running process (gunicorn, the worker) as production starts it."""
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=production_environment(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_check_deploy_reports_nothing_in_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_switchboard_url():
    """A default would make the worker and `sync` call whatever answers on 127.0.0.1:8000."""
    result = run_manage("check", **{**PRODUCTION, "SWITCHBOARD_URL": ""})
    assert result.returncode != 0
    assert "Set SWITCHBOARD_URL (required when DEBUG is off)" in result.stderr


def test_start_up_warns_when_ssl_redirect_meets_a_plain_http_switchboard_url():
    result = run_manage("check", **{**PRODUCTION, "SWITCHBOARD_URL": "http://127.0.0.1:8431"})
    assert "(switchboard.W001) SECURE_SSL_REDIRECT is on and SWITCHBOARD_URL" in result.stderr
    assert "X-Forwarded-Proto: https" in result.stderr


@pytest.mark.parametrize(
    ("redirect", "url", "sandbox", "warned"),
    [
        (True, "http://switchboard.example.com", None, {"switchboard.W001"}),
        (True, "https://switchboard.example.com", None, set()),
        (False, "http://switchboard.example.com", None, set()),
        (True, "http://127.0.0.1:8431", None, {"switchboard.W001", "switchboard.W002"}),
        (False, "http://127.0.0.1:8431", None, {"switchboard.W002"}),
        (True, "http://127.0.0.1:8431", False, set()),  # nothing calls SWITCHBOARD_URL
    ],
)
def test_start_up_checks_warn_only_when_calls_to_the_sandbox_would_fail(
    settings, redirect, url, sandbox, warned
):
    settings.ALLOWED_HOSTS = ["switchboard.example.com"]
    settings.SECURE_SSL_REDIRECT, settings.SWITCHBOARD_URL, settings.SANDBOX = (
        redirect,
        url,
        sandbox,
    )
    ids = {message.id for message in run_checks()}
    assert {i for i in ids if i.startswith("switchboard.")} == warned


def test_collectstatic_ships_plotlys_basic_bundle_compressed(settings, tmp_path):
    """Production's storage: the vendored basic bundle of plotly.js (lines and bars, not the
    full 4.8 MB one), fingerprinted, with a gzip copy whitenoise serves to browsers."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    bundle = tmp_path / manifest["vendor/plotly/plotly-basic.min.js"]
    assert bundle.stat().st_size <= 1_500_000
    assert bundle.with_name(bundle.name + ".gz").stat().st_size <= 500_000
    assert not list(tmp_path.rglob("plotly.min.js"))  # nothing of the plotly wheel


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_logs_json_and_keeps_its_pid_and_socket_where_configured(tmp_path):
    """`gunicorn -c dashboard/gunicorn.conf.py` with LOG_FORMAT=json: gunicorn's own lines
    (boot, reload, shutdown) are JSON like the app's, through a HUP reload."""
    port = free_port()
    server = start(
        str(Path(sys.executable).parent / "gunicorn"),
        *("-c", "dashboard/gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "-w", "1"),
        **{**PRODUCTION, "SECURE_SSL_REDIRECT": "false"},
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        LOG_FORMAT="json",
        SWITCHBOARD_RUN_DIR=str(tmp_path / "run"),
    )
    url = f"http://127.0.0.1:{port}/healthz"
    host = {"Host": PRODUCTION["ALLOWED_HOSTS"]}  # as the proxy passes it

    def answers(after: str) -> None:
        """Wait until /healthz answers 200 (a busy CI machine may take a while to boot or
        reload the worker), or fail with gunicorn's own words."""
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url, headers=host, timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"gunicorn did not answer {after}: {server.communicate()[1]}")
            time.sleep(0.3)

    try:
        answers("after starting")
        pid_file = tmp_path / "run" / "gunicorn.pid"
        assert int(pid_file.read_text()) == server.pid
        assert (tmp_path / "run" / "gunicorn.ctl").is_socket()
        os.kill(server.pid, signal.SIGHUP)
        time.sleep(2)
        answers("after a reload (HUP)")
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=60)
    lines = [json.loads(line) for line in errors.splitlines()]  # every line is JSON
    messages = {(line["logger"], line["message"].split(":")[0]) for line in lines}
    assert ("gunicorn.error", "Hang up") in messages
    assert ("gunicorn.error", "Shutting down") in messages
    assert any(line.get("path") == "/healthz" and line.get("status") == 200 for line in lines)
    assert all(line["time"].endswith("+00:00") for line in lines)


def test_env_example_copied_to_dot_env_gives_clean_values(monkeypatch):
    """django-environ keeps what follows a value on its line: an inline comment became part of
    DEBUG, SWITCHBOARD_URL or a base URL for whoever copied the example to `.env`."""
    import environ

    read: dict[str, str] = {}
    monkeypatch.setattr(environ.Env, "ENVIRON", read)
    environ.Env.read_env(ROOT / ".env.example")
    assert read["DEBUG"] == "true" and read["SWITCHBOARD_URL"] == "http://127.0.0.1:8000"
    assert {k: v for k, v in read.items() if "#" in v or v != v.strip()} == {}
