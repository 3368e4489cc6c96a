"""The sandboxes live apart from the product: mounted only while their provider runs on them,
with credentials of this installation's own, announced on every page, never imported by the
product, and idle (no URL, no task) in a production configuration."""

from __future__ import annotations

import ast
import base64
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve
from django.utils import timezone

from campaigns.sandbox.models import SandboxCampaign, SandboxTag
from campaigns.sandbox.simulation import signed_headers, webhook_url
from contacts.sandbox.models import SandboxBatch, SandboxContact, SandboxMessage
from contacts.sandbox.rules import ensure_project
from dashboard.scheduler import enqueue_due, periodic_jobs
from dialer.sandbox.models import SandboxCampaign as CCAICampaign
from dialer.sandbox.models import SandboxContact as CCAIContact

PUBLISHED = {  # the words the README used to print
    "engagelab": ("sandbox", "sandbox-key"),
    "dialoginsight": ("1", "sandbox-key"),
    "ccai": ("sandbox", "sandbox-token"),
}
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
WRITES = {
    "engagelab": ("/sandbox/engagelab/v1/marketing/campaigns/tags", {"tag_names": ["pwned"]}),
    "dialoginsight": (
        "/sandbox/dialoginsight/webservices/ofc4/contacts.ashx?method=Merge",
        {
            "AuthKey": {"idKey": 1, "Key": "sandbox-key"},
            "idProject": 1,
            "Records": [{"ID": {"f_EMail": "pwned@example.com"}, "Data": {"f_LastName": "X"}}],
        },
    ),
    "ccai": (
        "/sandbox/ccai/apps/api/v1/outbound_dialer/campaigns/{campaign}/contacts",
        {"name": "X", "phone_number": "+15145550199", "email": "x@example.com"},
    ),
}
READS = {
    "engagelab": "/sandbox/engagelab/v1/marketing/senders",
    "dialoginsight": "/sandbox/dialoginsight/webservices/ofc4/projects.ashx?method=List",
    "ccai": "/sandbox/ccai/manager/api/v1/outbound_dialer/campaigns",
}


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def go_live(settings, *providers: str) -> None:
    for provider in providers:
        for name, value in LIVE[provider].items():
            setattr(settings, name, value)


def sandbox_rows() -> int:
    return sum(
        model.objects.count()
        for model in (SandboxTag, SandboxCampaign, SandboxContact, CCAIContact, CCAICampaign)
    )


# --- Mounted only while the provider runs on its sandbox -----------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("provider", sorted(WRITES))
def test_a_live_providers_sandbox_is_not_there_for_anyone(client, settings, provider):
    settings.SANDBOX = False
    go_live(settings, *LIVE)
    campaign = CCAICampaign.objects.create(name="Existing", mode="preview")  # to write into
    before = sandbox_rows()
    user, password = PUBLISHED[provider]
    auth = {"HTTP_AUTHORIZATION": basic(user, password)}
    path, body = WRITES[provider]
    path = path.format(campaign=campaign.pk)
    assert client.get(READS[provider], **auth).status_code == 404
    assert client.get(path, **auth).status_code == 404
    response = client.post(path, body, content_type="application/json", **auth)
    assert response.status_code == 404
    assert sandbox_rows() == before


@pytest.mark.django_db
def test_only_the_live_providers_sandbox_disappears(client, settings):
    settings.SANDBOX = None  # each provider on its sandbox unless it has credentials
    go_live(settings, "engagelab")
    credentials = settings.SANDBOX_CREDENTIALS
    engagelab = credentials["engagelab"]
    auth = basic(engagelab["api_user"], engagelab["api_key"])
    assert client.get(READS["engagelab"], HTTP_AUTHORIZATION=auth).status_code == 404
    ccai = credentials["ccai"]
    auth = basic(ccai["username"], ccai["api_token"])
    assert client.get(READS["ccai"], HTTP_AUTHORIZATION=auth).status_code == 200


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


# --- Credentials of this installation --------------------------------------------------------
def test_the_sandboxes_refuse_the_published_credentials_and_accept_their_own(sandbox, settings):
    base = sandbox.url
    el, di, ccai = (settings.SANDBOX_CREDENTIALS[p] for p in ("engagelab", "dialoginsight", "ccai"))

    def get(path, auth):
        return requests.get(base + path, auth=auth, timeout=10)

    assert get(READS["engagelab"], PUBLISHED["engagelab"]).status_code == 401
    assert get(READS["engagelab"], (el["api_user"], el["api_key"])).status_code == 200
    assert get(READS["ccai"], PUBLISHED["ccai"]).status_code == 401
    assert get(READS["ccai"], (ccai["username"], ccai["api_token"])).status_code == 200

    def di_call(key):
        body = {"AuthKey": {"idKey": 1, "Key": key}}
        return requests.post(base + READS["dialoginsight"], json=body, timeout=10).json()

    assert di_call("sandbox-key")["ErrorCode"] == "InvalidAuthKey"
    assert di_call(di["key"])["Success"] is True

    # The webhook receiver, while EngageLab is on its sandbox, takes only this sandbox's secret.
    event = {
        "message_id": "m1",
        "itime": 1_700_000_000_000,
        "custom_args": {"campaign_id": 7, "variant": ""},
        "event": "open",
        "response_data": {"email_id": "m1", "email": "a@gmail.com"},
    }
    refused = requests.post(webhook_url(), json=event, headers=signed_headers("sandbox"))
    assert refused.status_code == 401
    assert requests.post(webhook_url(), json=event, headers=signed_headers()).status_code == 200


def test_the_credentials_are_derived_from_this_installations_secret_key(capsys):
    secrets = [
        value
        for creds in django_settings.SANDBOX_CREDENTIALS.values()
        for name, value in creds.items()
        if name in {"api_key", "webhook_secret", "key", "api_token"}
    ]
    assert len(set(secrets)) == 4 and all(len(s) == 32 for s in secrets)
    assert not {"sandbox", "sandbox-key", "sandbox-token"} & set(secrets)
    call_command("sandbox_credentials")
    printed = capsys.readouterr().out
    assert all(s in printed for s in secrets)
    assert "curl -u sandbox:" + django_settings.SANDBOX_CREDENTIALS["ccai"]["api_token"] in printed
    # Another installation (another SECRET_KEY) has other credentials.
    other = subprocess.run(
        [sys.executable, "manage.py", "sandbox_credentials"],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "SECRET_KEY": "another-installation"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "api_key" in other and not any(s in other for s in secrets)
    # Where no provider is on its sandbox, there are none to print.
    with override_settings(SANDBOX=False, **LIVE["ccai"]):
        call_command("sandbox_credentials")
    printed = capsys.readouterr().out
    assert "EngageLab: not configured, no sandbox is served." in printed
    assert "CCAI Platform: live, no sandbox is served." in printed
    assert not any(s in printed for s in secrets)


# --- The banner ------------------------------------------------------------------------------
BANNER = "nothing here reaches a real account"


@pytest.mark.django_db
def test_every_page_names_the_providers_on_their_sandbox(client, settings, marketer):
    settings.SANDBOX = None
    go_live(settings, "dialoginsight")
    login_page = client.get("/login/").content.decode()
    expected = "EngageLab and CCAI Platform are sandboxes: nothing here reaches a real account."
    assert f'<p class="sandbox-banner" role="status">{expected}</p>' in login_page
    client.force_login(marketer)
    assert expected in client.get("/").content.decode()
    assert expected in client.get("/campaigns/").content.decode()
    go_live(settings, "ccai")
    assert "EngageLab is a sandbox: nothing here" in client.get("/").content.decode()
    settings.SANDBOX = True
    all_three = "EngageLab, Dialog Insight and CCAI Platform are sandboxes"
    assert all_three in client.get("/").content.decode()


@pytest.mark.django_db
def test_no_banner_when_every_provider_is_live(client, settings, marketer):
    settings.SANDBOX = None
    go_live(settings, *LIVE)
    client.force_login(marketer)
    assert BANNER not in client.get("/").content.decode()
    assert BANNER not in client.get("/login/").content.decode()


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_banner_is_readable_on_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/login/")
    banner = page.get_by_role("status").filter(has_text=BANNER)
    assert banner.is_visible()
    box = banner.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    style = banner.evaluate(
        "e => { const s = getComputedStyle(e);"
        " return {color: s.color, background: s.backgroundColor, size: s.fontSize}; }"
    )
    text, background = _luminance(style["color"]), _luminance(style["background"])
    light, dark = max(text, background), min(text, background)
    assert (light + 0.05) / (dark + 0.05) >= 7  # WCAG AAA for normal text
    assert float(style["size"].removesuffix("px")) >= 14


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
