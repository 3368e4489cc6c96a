"""Each user's language and time zone (`Preferences`): chosen on the Preferences page or with
the language switcher in the navigation, kept in the database, copied into the session at
login and when changed, and put in force for each of their requests by the middleware below
(which reads the session only: no query per request)."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dashboard.clock import time_zone_names
from dashboard.models import Preferences

LANGUAGE = "switchboard_language"
TIME_ZONE = "switchboard_time_zone"


def remember(request, preferences: Preferences) -> None:
    """The user's choices, into their session (and so into force from the next request)."""
    request.session[LANGUAGE] = preferences.language
    request.session[TIME_ZONE] = preferences.time_zone


@receiver(user_logged_in)
def _load_at_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        remember(request, Preferences.objects.filter(user=user).first() or Preferences())


class PreferencesMiddleware:
    """After LocaleMiddleware (which read the language cookie, then Accept-Language): the
    user's own language, when they chose one, and their time zone (else the installation's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        language = session.get(LANGUAGE) if session is not None else None
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        zone = session.get(TIME_ZONE) if session is not None else None
        try:
            tzinfo = zoneinfo.ZoneInfo(zone) if zone else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tzinfo = None  # a zone this machine's tzdata no longer knows
        # For this request only: nothing else served by this thread inherits it.
        with timezone.override(tzinfo):
            return self.get_response(request)


class PreferencesForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("My browser's language"))] + list(settings.LANGUAGES),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Every time Switchboard shows you, and every time you type, is in this zone."),
    )

    class Meta:
        model = Preferences
        fields = ["language", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = _("The installation's (%(zone)s)") % {"zone": settings.TIME_ZONE}
        self.fields["time_zone"].choices = [("", default)] + [(z, z) for z in time_zone_names()]


class LanguageForm(forms.Form):
    """The navigation's switcher: one language, kept for the user (and in a cookie, for the
    login page after they log out)."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
