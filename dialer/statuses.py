"""The 21 contact statuses CCAI Platform reports, their board groups and help text.

Names are the provider's display names (the values it sends: data, filter keys, slugs); labels
are what Switchboard shows people, in their language. Descriptions are translated from the
provider's "Campaign contact status" table
(https://cloud.google.com/contact-center/ccai-platform/docs/apps-api-campaign); groups follow
docs/providers/ccai_dialer.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Status:
    name: str  # the provider's value
    group: str
    description: str | Promise
    slug: str
    label: str | Promise  # the name as people read it, in their language


@dataclass(frozen=True)
class Group:
    key: str
    label: str | Promise
    tone: str  # the badge/bar colour class


GROUPS: list[Group] = [
    Group("waiting", pgettext_lazy("dialer status group", "Waiting"), "waiting"),
    Group("live", pgettext_lazy("dialer status group", "Live"), "live"),
    Group("done", pgettext_lazy("dialer status group", "Done"), "done"),
    Group("unreached", pgettext_lazy("dialer status group", "Unreached"), "unreached"),
    Group("errors", pgettext_lazy("dialer status group", "Errors"), "errors"),
    Group("excluded", pgettext_lazy("dialer status group", "Excluded"), "excluded"),
]
GROUP_BY_KEY = {g.key: g for g in GROUPS}

UPCOMING = "Upcoming"
DIALING = "Dialing"
QUEUED = "Queued"
CONNECTED = "Connected"
FINISHED = "Finished"
TRANSFERRED = "Transferred"
TRANSFERRED_FINISHED = "Transferred and Finished"
NOT_PICKED_UP = "Not Picked Up"
NOT_REACHED = "Not Reached to Contact"
ABANDONED_CONTACT = "Abandoned by Contact"
SKIPPED = "Skipped"
SKIPPED_CLOSED = "Skipped & Closed"
INVALID_NUMBER = "Invalid Number"
CARRIER_ERROR = "Carrier Error"
ABANDONED_DIALER = "Abandoned by Dialer"
VOICEMAIL = "Voicemail Hung Up"
DIALER_ERROR = "Dialer General Error"
REDIAL_SCHEDULED = "Redial Scheduled"
DO_NOT_CALL = "Do Not Call"
INVALID_OUTBOUND = "Invalid Outbound Number"
BLOCKED = "Blocked Phone Number"

# What people read for each status (the names above are the provider's values).
_LABELS = {
    UPCOMING: pgettext_lazy("dialer contact status", "Upcoming"),
    DIALING: pgettext_lazy("dialer contact status", "Dialing"),
    QUEUED: pgettext_lazy("dialer contact status", "Queued"),
    CONNECTED: pgettext_lazy("dialer contact status", "Connected"),
    FINISHED: pgettext_lazy("dialer contact status", "Finished"),
    TRANSFERRED: pgettext_lazy("dialer contact status", "Transferred"),
    TRANSFERRED_FINISHED: pgettext_lazy("dialer contact status", "Transferred and Finished"),
    NOT_PICKED_UP: pgettext_lazy("dialer contact status", "Not Picked Up"),
    NOT_REACHED: pgettext_lazy("dialer contact status", "Not Reached to Contact"),
    ABANDONED_CONTACT: pgettext_lazy("dialer contact status", "Abandoned by Contact"),
    SKIPPED: pgettext_lazy("dialer contact status", "Skipped"),
    SKIPPED_CLOSED: pgettext_lazy("dialer contact status", "Skipped & Closed"),
    INVALID_NUMBER: pgettext_lazy("dialer contact status", "Invalid Number"),
    CARRIER_ERROR: pgettext_lazy("dialer contact status", "Carrier Error"),
    ABANDONED_DIALER: pgettext_lazy("dialer contact status", "Abandoned by Dialer"),
    VOICEMAIL: pgettext_lazy("dialer contact status", "Voicemail Hung Up"),
    DIALER_ERROR: pgettext_lazy("dialer contact status", "Dialer General Error"),
    REDIAL_SCHEDULED: pgettext_lazy("dialer contact status", "Redial Scheduled"),
    DO_NOT_CALL: pgettext_lazy("dialer contact status", "Do Not Call"),
    INVALID_OUTBOUND: pgettext_lazy("dialer contact status", "Invalid Outbound Number"),
    BLOCKED: pgettext_lazy("dialer contact status", "Blocked Phone Number"),
}

_TABLE: list[tuple[str, str, str | Promise]] = [
    (UPCOMING, "waiting", _("The contact is next in line to be called.")),
    (QUEUED, "waiting", _("The call for this contact is queued.")),
    (REDIAL_SCHEDULED, "waiting", _("Temporary state: a redial is scheduled for later.")),
    (DIALING, "live", _("The contact is being dialled.")),
    (CONNECTED, "live", _("The contact is connected to an agent.")),
    (TRANSFERRED, "live", _("The call was transferred.")),
    (FINISHED, "done", _("The call has ended.")),
    (TRANSFERRED_FINISHED, "done", _("The call was transferred, then ended.")),
    (NOT_PICKED_UP, "unreached", _("The person did not answer, or was never reached.")),
    (NOT_REACHED, "unreached", _("The call never reached the contact.")),
    (
        ABANDONED_CONTACT,
        "unreached",
        _(
            "Preview mode: the person hung up before being connected to an agent. Progressive and "
            "predictive modes: the person hung up within five seconds of being connected."
        ),
    ),
    (ABANDONED_DIALER, "unreached", _("The dialing system abandoned the contact.")),
    (
        VOICEMAIL,
        "unreached",
        _("Predictive mode: the dialer decided the other end is a machine (e.g. voicemail)."),
    ),
    (
        SKIPPED,
        "unreached",
        _("The agent skipped the contact; it stays available to another agent."),
    ),
    (
        SKIPPED_CLOSED,
        "unreached",
        _(
            "Preview mode: the agent skipped and closed the contact; it is now skipped for this "
            "campaign."
        ),
    ),
    (INVALID_NUMBER, "errors", _("The contact's phone number is not valid.")),
    (CARRIER_ERROR, "errors", _("An error on the carrier's side.")),
    (DIALER_ERROR, "errors", _("The call failed because of a dialer error.")),
    (INVALID_OUTBOUND, "errors", _("The contact's outbound (caller) number is not valid.")),
    (BLOCKED, "errors", _("The contact's international number is invalid or blocked.")),
    (DO_NOT_CALL, "excluded", _("The number was on the do-not-call list.")),
]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


STATUSES: list[Status] = [Status(n, g, d, _slug(n), _LABELS[n]) for n, g, d in _TABLE]
STATUS_BY_NAME = {s.name: s for s in STATUSES}
STATUS_BY_SLUG = {s.slug: s for s in STATUSES}
STATUS_NAMES = [s.name for s in STATUSES]
STATUS_CHOICES = [(s.name, s.label) for s in STATUSES]
assert len(STATUSES) == 21


def group_of(status: str) -> str:
    found = STATUS_BY_NAME.get(status)
    return found.group if found else "errors"


def status_label(status: str) -> str | Promise:
    """A contact's status as people read it; a value the provider added later, as it is."""
    found = STATUS_BY_NAME.get(status)
    return found.label if found else status


# A campaign's mode and status, as the provider sends them (lowercase values) and as people
# read them; a value not listed here is shown as the provider wrote it.
MODE_LABELS = {
    "preview": pgettext_lazy("dialer campaign mode", "Preview"),
    "progressive": pgettext_lazy("dialer campaign mode", "Progressive"),
    "predictive": pgettext_lazy("dialer campaign mode", "Predictive"),
}
CAMPAIGN_STATUS_LABELS = {
    "created": pgettext_lazy("dialer campaign status", "Created"),
    "started": pgettext_lazy("dialer campaign status", "Started"),
    "dialing": pgettext_lazy("dialer campaign status", "Dialing"),
    "running": pgettext_lazy("dialer campaign status", "Running"),
    "paused": pgettext_lazy("dialer campaign status", "Paused"),
    "completed": pgettext_lazy("dialer campaign status", "Completed"),
}
