from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


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
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="true",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_collectstatic_copies_only_the_plotly_file_pages_load(settings, tmp_path, client):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", "--noinput", verbosity=0)
    assert sorted(p.name for p in (tmp_path / "plotly").iterdir()) == ["plotly.min.js"]
    assert client.get("/static/plotly/plotly.min.js").status_code == 200
