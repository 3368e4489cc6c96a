"""The sandboxes live apart from the product: mounted only while their provider runs on them,
never imported by the product, and idle (no URL, no task) in a production configuration."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve
from django.utils import timezone

from campaigns.sandbox.models import SandboxCampaign
from contacts.sandbox.models import SandboxBatch, SandboxMessage
from contacts.sandbox.rules import ensure_project
from dashboard.scheduler import enqueue_due, periodic_jobs
from dialer.sandbox.models import SandboxCampaign as CCAICampaign
from dialer.sandbox.models import SandboxContact as CCAIContact

LIVE = {
    "engagelab": {"ENGAGELAB_API_USER": "acme", "ENGAGELAB_API_KEY": "live-key"},
    "dialoginsight": {
        "DIALOG_INSIGHT_KEY_ID": "5",
        "DIALOG_INSIGHT_KEY": "live-key",
        "DIALOG_INSIGHT_PROJECT_ID": "7",
    },
    "ccai": {
        "CCAI_BASE_URL": "https://acme.ccai.example",
        "CCAI_USERNAME": "acme",
        "CCAI_API_TOKEN": "live-token",
    },
}
# One writing call per emulator, as an attacker would send it with the published words.
READS = {
    "engagelab": "/sandbox/engagelab/v1/marketing/senders",
    "dialoginsight": "/sandbox/dialoginsight/webservices/ofc4/projects.ashx?method=List",
    "ccai": "/sandbox/ccai/manager/api/v1/outbound_dialer/campaigns",
}


def go_live(settings, *providers: str) -> None:
    for provider in providers:
        for name, value in LIVE[provider].items():
            setattr(settings, name, value)


# --- Mounted only while the provider runs on its sandbox -----------------------------------------
def _sandbox_patterns() -> list[str]:
    import dashboard.urls

    importlib.reload(dashboard.urls)
    clear_url_caches()
    return [str(p.pattern) for p in dashboard.urls.urlpatterns if "sandbox" in str(p.pattern)]


@pytest.fixture
def fresh_urlconf():
    """Rebuild `dashboard.urls` under the test's settings; the suite's own afterwards."""
    yield _sandbox_patterns
    _sandbox_patterns()


def test_the_url_configuration_has_no_sandbox_without_sandboxes(fresh_urlconf):
    with override_settings(SANDBOX=True):
        assert fresh_urlconf() == ["sandbox/engagelab/", "sandbox/dialoginsight/", "sandbox/ccai/"]
    with override_settings(SANDBOX=None, **LIVE["dialoginsight"]):
        assert fresh_urlconf() == ["sandbox/engagelab/", "sandbox/ccai/"]
    with override_settings(SANDBOX=False, **LIVE["engagelab"], **LIVE["ccai"]):
        assert fresh_urlconf() == []
        for path in READS.values():
            with pytest.raises(Resolver404):
                resolve(path.split("?")[0])


# --- No sandbox work in production ---------------------------------------------------------
SANDBOX_TASKS = {
    "engagelab": "campaigns.sandbox.tasks.sandbox_tick",
    "dialoginsight": "contacts.sandbox.tasks.sandbox_tick",
    "ccai": "dialer.sandbox.tasks.sandbox_tick",
}


@pytest.mark.django_db
def test_the_scheduler_schedules_the_sandbox_tasks_of_sandboxed_providers_only(settings):
    settings.SANDBOX = True
    assert {path for path, _ in periodic_jobs()} >= set(SANDBOX_TASKS.values())
    settings.SANDBOX = None
    go_live(settings, "engagelab")
    scheduled = {path for path, _ in periodic_jobs() if "sandbox" in path}
    assert scheduled == {SANDBOX_TASKS["dialoginsight"], SANDBOX_TASKS["ccai"]}
    settings.SANDBOX = False
    assert not [path for path, _ in periodic_jobs() if "sandbox" in path]
    enqueued = enqueue_due()
    assert enqueued and not [path for path in enqueued if "sandbox" in path]


@pytest.mark.django_db
def test_a_sandbox_task_does_nothing_while_its_provider_is_live(settings):
    from django.utils.module_loading import import_string

    project = ensure_project()
    message = SandboxMessage.objects.create(project=project, name="M", subject="S", sender="a@b.c")
    due = SandboxBatch.objects.create(
        project=project, message=message, mode="All", launch_at=timezone.now()
    )
    dialing = CCAICampaign.objects.create(name="Live one", mode="predictive", status="dialing")
    CCAIContact.objects.create(campaign=dialing, phone_number="+15145550101", phone_key="1")
    SandboxCampaign.objects.create(
        campaign_type=2, name="Due", created_at=timezone.now(), updated_at=timezone.now()
    )
    settings.SANDBOX = False
    for path in SANDBOX_TASKS.values():
        assert import_string(path).func() == 0
    due.refresh_from_db()
    assert due.status == "Scheduled"
    assert CCAIContact.objects.get().status == "Upcoming"
    assert SandboxCampaign.objects.get().status == 0


# --- The product never imports an emulator -------------------------------------------------
PRODUCT_PACKAGES = ["dashboard", "campaigns", "contacts", "dialer"]


def _is_sandbox(module: str) -> bool:
    """An emulator (`<app>.sandbox…`) or the framework they share (`dashboard.sandbox`)."""
    return "sandbox" in module.split(".")


def _imports(path: Path, module: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package
                package = module.split(".")[: -node.level]
                base = ".".join([*package, base] if base else package)
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return found


def test_no_product_module_imports_a_sandbox():
    root = Path(django_settings.BASE_DIR)
    offenders, checked = [], 0
    for package in PRODUCT_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            module = ".".join(path.relative_to(root).with_suffix("").parts)
            if _is_sandbox(module) or path.stem.startswith("sandbox_"):
                continue  # the emulators, the framework and its commands (sandbox_fault, …)
            checked += 1
            found = [name for name in _imports(path, module) if _is_sandbox(name)]
            offenders += [f"{module} imports {name}" for name in found]
    assert checked > 50
    assert offenders == []


def test_the_import_check_sees_every_way_of_importing(tmp_path):
    source = tmp_path / "views.py"
    source.write_text(
        "import campaigns.sandbox.rules\n"
        "from dialer import sandbox\n"
        "from .sandbox.models import SandboxContact\n"
        "from contacts.client import DialogInsightClient\n"
    )
    found = {name for name in _imports(source, "contacts.views") if _is_sandbox(name)}
    assert found >= {"campaigns.sandbox.rules", "dialer.sandbox", "contacts.sandbox.models"}
    assert "contacts.client" not in found
