"""Commands that cannot hurt production: `seed_demo` fills a demo database only and never
changes an existing user; the commands that write say what they touch and refuse what makes
no sense in the configuration they run in."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from dashboard.models import ProviderCall, SandboxFault
from dashboard.roles import MARKETERS
from dashboard.scheduler import periodic_jobs
from dashboard.targets import describe_database

pytestmark = pytest.mark.django_db
User = get_user_model()
LIVE_ENGAGELAB = {"ENGAGELAB_API_USER": "acme", "ENGAGELAB_API_KEY": "live-key"}


def database() -> str:
    """How the commands name the database they write to: its engine and name (the test
    database, SQLite or PostgreSQL)."""
    name = str(connection.settings_dict["NAME"])
    described = describe_database()
    assert name in described and connection.display_name in described
    return described


def printed_logins(out: str) -> dict[str, str]:
    return dict(re.findall(r"^  (admin|marketer|manager|dialer) +(\S+) ", out, re.M))


def test_seed_demo_fills_a_fresh_database_then_leaves_its_users_alone(capsys):
    """`make run` on a fresh database, then again on the seeded one."""
    call_command("seed_demo")
    first = capsys.readouterr().out
    assert f"Seeding demo data into {database()}." in first
    logins = printed_logins(first)
    assert sorted(logins) == ["admin", "dialer", "manager", "marketer"]
    assert all(authenticate(username=u, password=p) for u, p in logins.items())

    call_command("seed_demo")
    again = capsys.readouterr().out
    assert again.count("exists, left unchanged") == 4
    assert all(authenticate(username=u, password=p) for u, p in logins.items())
    assert User.objects.count() == 4


def test_seed_demo_refuses_a_database_with_someone_elses_users(capsys):
    User.objects.create_superuser("admin", password="the-real-one")
    User.objects.create_user("alice", password="hers")
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo")
    message = str(refused.value)
    assert message.startswith(f"Refusing to seed demo data into {database()}, which has")
    assert "user accounts seed_demo did not make: admin, alice" in message
    assert authenticate(username="admin", password="the-real-one")
    assert sorted(User.objects.values_list("username", flat=True)) == ["admin", "alice"]
    assert "Switchboard demo logins" not in capsys.readouterr().out


def test_seed_demo_refuses_while_a_provider_is_live(settings):
    for name, value in LIVE_ENGAGELAB.items():
        setattr(settings, name, value)
    with pytest.raises(CommandError, match=r"EngageLab live at https://email\.api\.engagelab\.cc"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_refuses_a_database_that_called_a_live_provider():
    ProviderCall.objects.create(
        provider="ccai", method="GET", path="/x", status=200, duration_ms=5, ok=True, sandbox=False
    )
    with pytest.raises(CommandError, match="1 recorded calls to live providers"):
        call_command("seed_demo")


def test_seed_demo_force_is_refused_without_debug():
    User.objects.create_user("alice")
    with pytest.raises(CommandError, match="--force is accepted only with DEBUG on"):
        call_command("seed_demo", force=True)
    assert User.objects.count() == 1


def test_seed_demo_forced_in_debug_still_changes_no_existing_user(settings, capsys):
    settings.DEBUG = True
    User.objects.create_superuser("admin", password="the-real-one")
    marketer = User.objects.create_user("marketer", password="mine", is_staff=True)
    call_command("seed_demo", force=True)
    out = capsys.readouterr().out
    assert re.search(r"^  admin +exists, left unchanged", out, re.M)
    assert re.search(r"^  marketer +exists, left unchanged", out, re.M)
    assert authenticate(username="admin", password="the-real-one")
    marketer.refresh_from_db()
    assert marketer.is_staff and not marketer.groups.filter(name=MARKETERS).exists()
    assert sorted(printed_logins(out)) == ["admin", "dialer", "manager", "marketer"]
    assert authenticate(username="dialer", password=printed_logins(out)["dialer"])


def test_sandbox_fault_is_refused_when_the_provider_is_not_on_its_sandbox(settings):
    settings.SANDBOX = False
    with pytest.raises(CommandError, match="CCAI Platform not configured .SANDBOX=false., not on"):
        call_command("sandbox_fault", "ccai", "error")
    for name, value in LIVE_ENGAGELAB.items():
        setattr(settings, name, value)
    settings.SANDBOX = None
    with pytest.raises(CommandError, match="EngageLab live at https://.*not on its sandbox"):
        call_command("sandbox_fault", "engagelab", "timeout")
    assert not SandboxFault.objects.exists()


def test_sandbox_fault_says_which_sandbox_and_database(settings, capsys):
    settings.SANDBOX, settings.SWITCHBOARD_URL = True, "http://127.0.0.1:8431"
    call_command("sandbox_fault", "ccai", "rate_limit", "--times", "2")
    out = capsys.readouterr().out
    assert out.startswith("ccai: HTTP 429 with Retry-After on the next 2 calls: ")
    assert "CCAI Platform on its sandbox at http://127.0.0.1:8431/sandbox/ccai" in out
    assert f"set in {database()}." in out


def test_sync_refuses_a_provider_that_is_not_configured(settings):
    settings.SANDBOX = False
    with pytest.raises(CommandError, match="CCAI Platform not configured: nothing to sync from"):
        call_command("sync", provider="ccai")


def test_sync_says_what_it_touches_and_skips_what_is_not_configured(settings, capsys):
    settings.SANDBOX = False  # no credentials anywhere: nothing to call
    with pytest.raises(CommandError, match="No provider is configured"):
        call_command("sync")
    out = capsys.readouterr().out
    assert out.startswith(f"Syncing into {database()} from:")
    assert "  EngageLab not configured (skipped)" in out
    assert "  CCAI Platform not configured (skipped)" in out
    assert not ProviderCall.objects.exists()


def test_the_worker_schedules_nothing_for_a_provider_that_is_not_configured(settings):
    settings.SANDBOX = False
    settings.CCAI_BASE_URL = "https://acme.uc1.ccaiplatform.com"
    settings.CCAI_USERNAME, settings.CCAI_API_TOKEN = "acme", "token"
    paths = [path for path, _ in periodic_jobs()]
    assert any(path.startswith("dialer.") for path in paths)
    assert not any(path.startswith(("campaigns.", "contacts.")) for path in paths)
