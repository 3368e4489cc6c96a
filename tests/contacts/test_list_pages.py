"""The head every Dialog Insight list page shares (segments, mailings, messages): its heading
and lead, the form that refreshes the mirror from Dialog Insight, the "New …" action for who
may use it, the sub-nav naming the page as the current one, and what this account does not
offer. The lists read Switchboard's mirror: no provider is asked to show them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.client import DialogInsightClient
from dashboard.models import ProviderCapability
from dashboard.providers import provider_config

pytestmark = pytest.mark.django_db

# page: (heading, lead, refresh URL, the "New …" action and its URL, the call whose absence
# the page notes)
PAGES = {
    "contacts:segment_list": (
        "Segments",
        "Dialog Insight segments (filters) used to target mailings.",
        "contacts:segment_list_refresh",
        ("New segment", "contacts:segment_create"),
        "segment_list",
    ),
    "contacts:mailing_list": (
        "Mailings",
        "Dialog Insight sendings, newest first, with their latest statistics.",
        "contacts:mailing_list_refresh",
        ("Schedule a sending", "contacts:mailing_send"),
        "mailing_statistics_get",
    ),
    "contacts:message_list": (
        "Messages",
        "Dialog Insight email messages that mailings and triggers send.",
        "contacts:mailing_list_refresh",
        ("New message", "contacts:message_create"),
        "message_list",
    ),
}


def _page(client, user, name: str) -> str:
    client.force_login(user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    return unescape(response.content.decode())


@pytest.mark.parametrize("name", PAGES)
def test_a_list_page_heads_its_list_with_a_refresh_and_its_place_in_the_sub_nav(
    client, marketer, name
):
    heading, lead, refresh, (action, action_url), _call = PAGES[name]
    html = _page(client, marketer, name)
    assert f"<title>{heading} · Switchboard</title>" in html
    assert f"<h1>{heading}</h1><p>{lead}</p>" in html
    assert re.search(
        rf'<form method="post" action="{reverse(refresh)}">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="\w+">'
        r'<button type="submit" class="secondary outline">Refresh from Dialog Insight</button>'
        r"</form>",
        html,
    )
    assert f'<a role="button" href="{reverse(action_url)}">{action}</a>' in html
    current = re.findall(r'<nav class="subnav"[^>]*>.*?</nav>', html, re.S)[0]
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', current) == [reverse(name)]
    assert "Switchboard asks again every six hours." not in html


@pytest.mark.parametrize("name", PAGES)
def test_a_list_page_offers_its_new_action_only_to_who_may_use_it(client, manager, name):
    heading, _lead, refresh, (action, action_url), _call = PAGES[name]
    html = _page(client, manager, name)
    assert f"<h1>{heading}</h1>" in html
    assert f'action="{reverse(refresh)}"' in html  # who may read a list may refresh it
    assert action not in html and reverse(action_url) not in html


@pytest.mark.parametrize("name", PAGES)
def test_a_list_page_says_what_this_account_does_not_offer(client, manager, name):
    *_, call = PAGES[name]
    capability = DialogInsightClient.UNPUBLISHED[call]
    ProviderCapability.objects.create(
        provider="dialoginsight",
        name=call,
        base_url=provider_config("dialoginsight").base_url,
        available=False,
        tried_at=timezone.now(),
    )
    html = _page(client, manager, name)
    assert re.search(
        rf'<div class="actions">.*</div>\s*</div>\s*<nav class="subnav".*?</nav>\s*'
        rf'<p class="warning-box" role="status">{re.escape(capability.sentence())} '
        r"Switchboard asks again every six hours.</p>",
        html,
        re.S,
    )
