"""Time as each user sees it. Every time Switchboard shows is in the user's own zone (put in
force for their request by `dashboard.preferences.PreferencesMiddleware`), in one format
(`2026-03-09 09:30`) followed by the zone's abbreviation (`EDT`); templates write the same with
`|date:"Y-m-d H:i T"`. A time a user types is a wall time in a named zone (America/Toronto):
`instant()` turns it into an instant, refusing a time the clocks skip."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

DATE = "%Y-%m-%d"
DATETIME = "%Y-%m-%d %H:%M"
CHART_X = "%Y-%m-%d %H:%M:%S"


def zone_name() -> str:
    """The user's zone (America/Toronto), or the installation's."""
    return timezone.get_current_timezone_name()


@cache
def time_zone_names() -> list[str]:
    """Every IANA zone a user may live in (America/Toronto, Europe/Paris…), sorted."""
    return sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    ) + ["UTC"]


def zone_choices() -> list[tuple[str, str]]:
    """The zones a form offers (every IANA zone a user may live in), the user's among them."""
    yours, zones = zone_name(), time_zone_names()
    return [(z, z) for z in (zones if yours in zones else [yours, *zones])]


def shown(value: datetime | None) -> str:
    """An instant as the user reads it: `2026-03-09 09:30 EDT`, in their zone."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{local:{DATETIME}} {local:%Z}"


def chart_x(value: datetime | str) -> str:
    """An instant (or its ISO 8601 text) as a chart's x value: the wall time in the user's
    zone, since plotly.js draws every date as a wall time and ignores any offset."""
    return chart_xs([value])[0]


def chart_xs(values: Iterable[datetime | str]) -> list[str]:
    """`chart_x()` of each of `values`, the user's zone looked up once (a chart has hundreds
    of points)."""
    zone = timezone.get_current_timezone()
    return [
        (datetime.fromisoformat(v) if isinstance(v, str) else v).astimezone(zone).strftime(CHART_X)
        for v in values
    ]


def time_axis_title() -> str:
    return gettext("Time (%(zone)s)") % {"zone": zone_name()}


def offset_label(offset: timedelta | None) -> str:
    """`UTC−05:00`, `UTC+05:30`, `UTC+00:00`."""
    minutes = int((offset or timedelta()).total_seconds()) // 60
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class WallTimeField(forms.DateTimeField):
    """A date and time as typed, in the zone a field beside it names (not the user's): read
    without any zone, so that a wall time the user's own clocks skip is not refused here.
    `instant()` then reads it in the zone chosen."""

    def to_python(self, value):
        with timezone.override(UTC):  # no gap, no fold: the wall time comes through unchanged
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result else result


def instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The instant (in UTC) of a wall time typed in `zone`. A wall time the clocks skip (02:30
    when they go forward) is refused; one they pass twice (01:30 when they go back) is the first
    of the two, and the offset shown beside the form says which."""
    local = local.replace(tzinfo=None)
    try:
        at = local.replace(tzinfo=zone).astimezone(UTC)
        if at.astimezone(zone).replace(tzinfo=None) != local:
            raise ValidationError(
                gettext(
                    "%(time)s does not exist in %(zone)s: the clocks go forward at that time. "
                    "Choose another time."
                )
                % {"time": f"{local:{DATETIME}}", "zone": zone.key}
            )
    except OverflowError:  # 9999-12-31 23:00 west of UTC is past the last date Python knows
        raise ValidationError(
            gettext("%(time)s is too far ahead. Choose a date within the next few years.")
            % {"time": f"{local:{DATETIME}}"}
        ) from None
    return at
