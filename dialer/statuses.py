"""The 21 contact statuses CCAI Platform reports, their board groups and help text.

Names are the provider's display names (the values it sends). Descriptions are translated from
the provider's "Campaign contact status" table
(https://cloud.google.com/contact-center/ccai-platform/docs/apps-api-campaign); groups follow
docs/providers/ccai_dialer.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    name: str
    group: str
    description: str
    slug: str


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    tone: str  # the badge/bar colour class


GROUPS: list[Group] = [
    Group("waiting", "Waiting", "waiting"),
    Group("live", "Live", "live"),
    Group("done", "Done", "done"),
    Group("unreached", "Unreached", "unreached"),
    Group("errors", "Errors", "errors"),
    Group("excluded", "Excluded", "excluded"),
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

_TABLE: list[tuple[str, str, str]] = [
    (UPCOMING, "waiting", "The contact is next in line to be called."),
    (QUEUED, "waiting", "The call for this contact is queued."),
    (REDIAL_SCHEDULED, "waiting", "Temporary state: a redial is scheduled for later."),
    (DIALING, "live", "The contact is being dialled."),
    (CONNECTED, "live", "The contact is connected to an agent."),
    (TRANSFERRED, "live", "The call was transferred."),
    (FINISHED, "done", "The call has ended."),
    (TRANSFERRED_FINISHED, "done", "The call was transferred, then ended."),
    (NOT_PICKED_UP, "unreached", "The person did not answer, or was never reached."),
    (NOT_REACHED, "unreached", "The call never reached the contact."),
    (
        ABANDONED_CONTACT,
        "unreached",
        "Preview mode: the person hung up before being connected to an agent. Progressive and "
        "predictive modes: the person hung up within five seconds of being connected.",
    ),
    (ABANDONED_DIALER, "unreached", "The dialing system abandoned the contact."),
    (
        VOICEMAIL,
        "unreached",
        "Predictive mode: the dialer decided the other end is a machine (e.g. voicemail).",
    ),
    (
        SKIPPED,
        "unreached",
        "The agent skipped the contact; it stays available to another agent.",
    ),
    (
        SKIPPED_CLOSED,
        "unreached",
        "Preview mode: the agent skipped and closed the contact; it is now skipped for this "
        "campaign.",
    ),
    (INVALID_NUMBER, "errors", "The contact's phone number is not valid."),
    (CARRIER_ERROR, "errors", "An error on the carrier's side."),
    (DIALER_ERROR, "errors", "The call failed because of a dialer error."),
    (INVALID_OUTBOUND, "errors", "The contact's outbound (caller) number is not valid."),
    (BLOCKED, "errors", "The contact's international number is invalid or blocked."),
    (DO_NOT_CALL, "excluded", "The number was on the do-not-call list."),
]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


STATUSES: list[Status] = [Status(n, g, d, _slug(n)) for n, g, d in _TABLE]
STATUS_BY_NAME = {s.name: s for s in STATUSES}
STATUS_BY_SLUG = {s.slug: s for s in STATUSES}
STATUS_NAMES = [s.name for s in STATUSES]
STATUS_CHOICES = [(s.name, s.name) for s in STATUSES]
assert len(STATUSES) == 21


def group_of(status: str) -> str:
    found = STATUS_BY_NAME.get(status)
    return found.group if found else "errors"
