from __future__ import annotations

import pytest

from tests.dashboard.test_access import NAV

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("role", sorted(NAV))
def test_each_role_logs_in_and_sees_its_navigation(role, role_users, login):
    page = login(role_users[role])
    nav = page.get_by_role("navigation", name="Main")
    everyone = {"Switchboard", "Preferences"}  # the brand and each user's own preferences
    links = {t.strip() for t in nav.get_by_role("link").all_inner_texts()} - everyone
    assert links == NAV[role]
    assert page.get_by_role("heading", name="Overview").is_visible()
    page.get_by_role("button", name=f"Log out {role_users[role].username}").click()
    page.wait_for_url("**/login/")
