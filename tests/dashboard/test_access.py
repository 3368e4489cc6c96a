"""Every page needs a login; each role sees and may do what it should."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# What may be reached without logging in: the login page, the load balancer's health checks,
# the provider emulators (an API checking its own credentials), provider webhooks and the icon.
PUBLIC_PREFIXES = (
    "login/",
    "healthz",
    "readyz",
    "sandbox/",
    "campaigns/webhooks/",
    "favicon.ico",
)


def walk(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def sample_path(route: str) -> str:
    import re

    path = re.sub(r"<int:[^>]+>", "1", route)
    path = re.sub(r"<(str:|slug:)?[^>]+>", "x", path)
    path = path.replace("^", "").replace("$", "")
    return "/" + path


def app_routes():
    for route, pattern in walk(get_resolver()):
        if route.startswith("admin/"):
            continue  # Django's admin does its own login redirect
        yield route, pattern


@pytest.mark.django_db
def test_every_page_sends_an_anonymous_visitor_to_login(client):
    checked = 0
    for route, _pattern in app_routes():
        if route.startswith(PUBLIC_PREFIXES):
            continue
        path = sample_path(route)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code == 302, (method, path, response.status_code)
            assert response["Location"].startswith("/login/?next="), (method, path)
        checked += 1
    assert checked >= 5


def test_only_the_expected_views_skip_login():
    exempt = {
        route
        for route, pattern in app_routes()
        if getattr(pattern.callback, "login_required", True) is False
    }
    assert exempt, "login, health checks and sandbox should be exempt"
    unexpected = {r for r in exempt if not r.startswith(PUBLIC_PREFIXES)}
    assert unexpected == set()


NAV = {
    "marketer": {"Overview", "Campaigns", "Contacts", "Audit"},
    "manager": {"Overview", "Campaigns", "Contacts", "Dialer", "Audit", "Providers"},
    "dialer": {"Overview", "Dialer", "Audit"},
    "admin": {"Overview", "Campaigns", "Contacts", "Dialer", "Audit", "Providers"},
}

PAGES = {
    "/campaigns/": {"marketer", "manager", "admin"},
    "/contacts/": {"marketer", "manager", "admin"},
    "/dialer/": {"dialer", "manager", "admin"},
    "/audit/": {"marketer", "manager", "dialer", "admin"},
    "/providers/": {"manager", "admin"},
}


@pytest.mark.parametrize("role", sorted(NAV))
def test_each_role_reaches_its_pages_and_no_others(client, role_users, role):
    client.force_login(role_users[role])
    for path, allowed in PAGES.items():
        response = client.get(path)
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, (role, path)


@pytest.mark.parametrize("role", sorted(NAV))
def test_navigation_shows_what_the_role_may_open(client, role_users, role):
    client.force_login(role_users[role])
    response = client.get("/")
    labels = {item["label"] for item in response.context["nav_items"]}
    assert labels == NAV[role]


def test_forbidden_page_explains_itself(client, dialer_staff):
    client.force_login(dialer_staff)
    response = client.get("/campaigns/")
    assert response.status_code == 403
    assert b"Your role does not let you do this" in response.content


def test_login_rejects_a_wrong_password_and_keeps_the_username(client, marketer):
    response = client.post("/login/", {"username": marketer.username, "password": "nope"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please enter a correct username and password" in body
    assert f'value="{marketer.username}"' in body


def test_logout_needs_post_with_csrf(marketer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(marketer)
    assert client.post("/logout/").status_code == 403  # no CSRF token
    assert client.get("/").status_code == 200
