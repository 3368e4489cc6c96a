from __future__ import annotations

import contextlib
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from dashboard.roles import DIALER_STAFF, MANAGERS, MARKETERS, ensure_roles
from dashboard.sandbox import clear_faults

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct-horse-battery"


def make_user(username: str, role: str | None = None, *, superuser: bool = False):
    ensure_roles()  # transactional tests flush the groups the migration made
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_superuser=superuser, is_staff=superuser
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def frozen_clock():
    """A fixed clock, ticking from 23:45 in UTC+8 (EngageLab's statistics day), 15:45 UTC: a
    test that uses it does not depend on the hour it runs, and one that counts the half hour
    before it crosses a day in UTC+8 but not in UTC."""
    import time_machine

    with time_machine.travel("2026-12-01T15:45:00+00:00", tick=True):
        yield


def living_in(user, zone: str):
    """The user's time zone, as chosen on the Preferences page: in force from their next login
    (`client.force_login` included)."""
    from dashboard.models import Preferences

    Preferences.objects.update_or_create(user=user, defaults={"time_zone": zone})
    return user


@pytest.fixture(scope="session", autouse=True)
def urlconf_built_at_start_up():
    """The root URLconf mounts the sandboxes of the providers on their sandbox when it is
    built, which a server does at start-up and Django otherwise on the first request: build it
    now, under the suite's settings, so that the first test to make a provider live does not
    unmount its sandbox for every test after it."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A request in French activates French in the thread that handled it (LocaleMiddleware
    does not deactivate it afterwards), and the test client handles requests in the test's own
    thread: start every test in English, as a management command run by cron would."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Pages cached per version of what they show (the dialer board, the overview's data):
    a test's campaign may reuse an id and version an earlier test cached."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def marketer(db):
    return make_user("mia.marketer", MARKETERS)


@pytest.fixture
def manager(db):
    return make_user("max.manager", MANAGERS)


@pytest.fixture
def dialer_staff(db):
    return make_user("dana.dialer", DIALER_STAFF)


@pytest.fixture
def superuser(db):
    return make_user("root", superuser=True)


@pytest.fixture
def role_users(marketer, manager, dialer_staff, superuser):
    return {"marketer": marketer, "manager": manager, "dialer": dialer_staff, "admin": superuser}


@pytest.fixture
def sandbox(live_server, settings):
    """Every provider on its sandbox, served over real HTTP by the live server."""
    settings.SWITCHBOARD_URL = live_server.url
    settings.SANDBOX = True
    clear_faults()
    yield live_server
    clear_faults()


# --- Browser (Playwright driving Debian's Chromium) ---------------------------------------
@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Watches every document the browser opens: a Content-Security-Policy violation (an inline
# script, an inline handler, a style or a source the policy refuses) and, once the document has
# loaded and settled, axe-core's serious and critical accessibility violations. Both are
# reported to Python through a binding; the test fails at its end if any came.
AXE_RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                   "wcag22aa", "best-practice"]},
             "resultTypes": ["violations"]}  # fmt: skip
WATCH = """
(() => {
  const report = (kind, detail) => window.__switchboardReport(kind, detail);
  document.addEventListener("securitypolicyviolation", (e) => report("csp", {
    url: location.pathname, directive: e.violatedDirective, blocked: e.blockedURI,
    sample: e.sample, source: e.sourceFile + ":" + e.lineNumber,
  }));
  if (window !== window.top || location.protocol === "about:") return;
  // axe on each document once it has loaded and the page is quiet (htmx's first fetches in).
  let runs = Promise.resolve();
  window.__switchboardAxe = () => {
    runs = runs.then(() => window.axe.run(document, RULES)).then((results) => {
      for (const v of results.violations) {
        if (v.impact !== "serious" && v.impact !== "critical") continue;
        report("axe", { url: location.pathname + location.search, id: v.id, impact: v.impact,
          help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) });
      }
    }, () => {});
    return runs;
  };
  addEventListener("load", () => setTimeout(window.__switchboardAxe, 300));
})();
"""


@pytest.fixture
def page(browser, sandbox):
    from axe_playwright_python.base import AXE_SCRIPT

    context = browser.new_context(base_url=sandbox.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    problems = {"csp": [], "axe": []}

    def record(source, kind, detail):
        if detail not in problems[kind]:
            problems[kind].append(detail)

    context.expose_binding("__switchboardReport", record)
    context.add_init_script(AXE_SCRIPT)
    context.add_init_script(WATCH.replace("RULES", json.dumps(AXE_RULES)))
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            "Content Security Policy" in m.text
            and record(None, "csp", {"url": page.url, "console": m.text})
        ),
    )
    yield page
    # The page as the test left it, after its last clicks and swaps (unless it went away).
    with contextlib.suppress(Exception):
        page.evaluate("window.__switchboardAxe && window.__switchboardAxe()")
    context.close()
    for kind, what in (
        ("csp", "Content-Security-Policy violations"),
        ("axe", "serious or critical accessibility violations (axe-core)"),
    ):
        assert not problems[kind], what + ":\n" + "\n".join(map(json.dumps, problems[kind]))


@pytest.fixture
def login(page):
    """Log in through the real form as `user`; returns the page."""

    def _login(user):
        page.goto("/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        # The page after login is there once its document is; its charts' scripts (the
        # overview's) may still be loading on a busy machine, which no test waits for here.
        page.wait_for_url(lambda url: "/login/" not in url, wait_until="domcontentloaded")
        return page

    return _login
