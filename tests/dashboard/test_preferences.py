"""Each user's language and time zone: the browser's language until they choose, their choice
afterwards on every device (it is theirs, not the browser's), and a time zone that Django puts
in force for each of their requests."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.models import Preferences

pytestmark = pytest.mark.django_db


def test_the_browsers_language_until_the_user_chooses(client, marketer):
    client.force_login(marketer)
    page = client.get(reverse("preferences"), HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9").content
    assert b'<html lang="fr"' in page and "Préférences".encode() in page
    page = client.get(reverse("preferences"), HTTP_ACCEPT_LANGUAGE="en-US").content
    assert b'<html lang="en"' in page and b"<h1>Preferences</h1>" in page


def test_the_switcher_keeps_the_choice_for_the_user_on_another_device(client, marketer):
    client.force_login(marketer)
    page = client.get(reverse("preferences"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="language" value="fr" lang="fr"' in page  # the other language, one click
    response = client.post(
        reverse("language_choose"), {"language": "fr", "next": "/preferences/?x=1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/preferences/?x=1"
    assert Preferences.objects.get(user=marketer).language == "fr"
    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="en-US")
    elsewhere.force_login(marketer)
    assert "<h1>Préférences</h1>" in elsewhere.get(reverse("preferences")).content.decode()


def test_the_switcher_goes_back_only_to_switchboard(client, marketer):
    client.force_login(marketer)
    response = client.post(
        reverse("language_choose"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("overview")
    response = client.post(reverse("language_choose"), {"language": "de", "next": "/"})
    assert response["Location"] == reverse("preferences")
    assert not Preferences.objects.filter(user=marketer, language="de").exists()


def test_a_time_zone_is_in_force_for_the_users_requests(client, marketer):
    client.force_login(marketer)
    response = client.post(reverse("preferences"), {"language": "", "time_zone": "Asia/Shanghai"})
    assert response.status_code == 302
    response = client.get(reverse("preferences"))
    assert response.context["TIME_ZONE"] == "Asia/Shanghai"
    assert timezone.get_current_timezone_name() != "Asia/Shanghai"  # only for their requests


def test_an_unknown_time_zone_is_refused_at_its_field_keeping_the_rest(client, marketer):
    client.force_login(marketer)
    page = client.post(
        reverse("preferences"), {"language": "fr", "time_zone": "Mars/Olympus"}
    ).content.decode()
    assert "Select a valid choice" in page or "Sélectionnez un choix valide" in page
    assert '<option value="fr" selected>' in page
    assert not Preferences.objects.filter(user=marketer, time_zone="Mars/Olympus").exists()
