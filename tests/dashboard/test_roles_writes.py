"""Roles decide who may change what: every write endpoint of every app refuses the roles that
may not change that app's objects, before anything reaches a provider."""

from __future__ import annotations

import pytest

from dashboard.models import AuditEvent, ProviderCall
from tests.dashboard.test_access import app_routes, sample_path

# Who may change each app's provider objects (superusers always may).
WRITERS = {"campaigns/": {"marketer"}, "contacts/": {"marketer"}, "dialer/": {"dialer"}}
# Reads that use POST (a refresh of the local mirror changes nothing at the provider).
READ_ONLY_POSTS = ("refresh/",)


def write_routes():
    for route, _pattern in app_routes():
        app = next((a for a in WRITERS if route.startswith(a)), None)
        if app is None or route.startswith("campaigns/webhooks/"):
            continue
        if route.endswith(READ_ONLY_POSTS) or "/refresh" in route:
            continue
        yield app, route


def test_there_are_write_routes_to_check():
    assert len(list(write_routes())) >= 20


@pytest.mark.parametrize("role", ["marketer", "manager", "dialer"])
def test_roles_without_the_change_permission_are_refused_every_write(client, role_users, role):
    client.force_login(role_users[role])
    refused = 0
    for app, route in write_routes():
        if role in WRITERS[app]:
            continue
        response = client.post(sample_path(route), {"name": "x", "confirm": "1"})
        assert response.status_code in (403, 405), (role, route, response.status_code)
        refused += 1
    assert refused > 0
    assert not AuditEvent.objects.exists()
    assert not ProviderCall.objects.exists()
