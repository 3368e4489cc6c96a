"""The audit log names contacts, campaigns and phone numbers: each role reads only the lines
of the providers whose objects it may see, and its provider filter offers only those."""

from __future__ import annotations

import re

import pytest

from dashboard.audit import audit_record

LINES = {
    "engagelab": "Black Friday newsletter",
    "dialoginsight": "claire@example.com",
    "ccai": "Ana Lima +15145550101",
}
SEES = {
    "marketer": {"engagelab", "dialoginsight"},
    "manager": {"engagelab", "dialoginsight", "ccai"},
    "dialer": {"ccai"},
    "admin": {"engagelab", "dialoginsight", "ccai"},
}


@pytest.fixture
def events(marketer, dialer_staff):
    audit_record(
        user=marketer, provider="engagelab", object_type="campaign", action="created",
        object_id=12, object_label=LINES["engagelab"],
    )  # fmt: skip
    audit_record(
        user=marketer, provider="dialoginsight", object_type="contact", action="updated",
        object_id=7, object_label=LINES["dialoginsight"],
    )  # fmt: skip
    audit_record(
        user=dialer_staff, provider="ccai", object_type="dialer contact", action="deleted",
        object_id=3, object_label=LINES["ccai"], outcome="error", detail="CCAI said no",
    )  # fmt: skip


def shown(body: str) -> set[str]:
    """The providers whose line the results table shows (the search box may echo a label)."""
    results = body[body.index('id="results"') :]
    return {provider for provider, label in LINES.items() if label in results}


def provider_options(body: str) -> set[str]:
    select = re.search(r'<select name="provider".*?</select>', body, re.S).group(0)
    return set(re.findall(r'<option value="(\w+)"', select))


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_role_reads_only_its_providers_lines(client, role_users, events, role):
    client.force_login(role_users[role])
    body = client.get("/audit/").content.decode()
    assert shown(body) == SEES[role]
    assert provider_options(body) == SEES[role]
    # Searching, filtering on outcome, and the htmx fragment keep to the same lines.
    assert shown(client.get("/audit/", {"q": "e"}).content.decode()) == SEES[role]
    errors = client.get("/audit/", {"outcome": "error"}, HTTP_HX_REQUEST="true")
    assert shown(errors.content.decode()) == SEES[role] & {"ccai"}


@pytest.mark.parametrize("role", sorted(SEES))
def test_asking_for_another_providers_lines_shows_none_of_them(client, role_users, events, role):
    client.force_login(role_users[role])
    for provider in LINES:
        body = client.get("/audit/", {"provider": provider}).content.decode()
        if provider in SEES[role]:
            assert shown(body) == {provider}
        else:
            assert shown(body) <= SEES[role] and provider not in shown(body)
        assert shown(client.get("/audit/", {"q": LINES[provider]}).content.decode()) == (
            {provider} & SEES[role]
        )
