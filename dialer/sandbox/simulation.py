"""CCAI's dialer at work, emulated: each tick moves the contacts of running campaigns through
plausible call outcomes (per dialing mode), schedules redials, completes campaigns with nobody
left to call, and runs due import jobs."""

from __future__ import annotations

import random
from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dialer import statuses as st
from dialer.sandbox.models import SandboxCampaign, SandboxContact, SandboxImportJob
from dialer.sandbox.rules import run_import_job

RUNNING = ("started", "dialing")  # the campaign statuses in which calls go on

# (from, [(to, weight), ...]) per mode: what a call in one state becomes a few seconds later.
_COMMON = {
    st.DIALING: [
        (st.CONNECTED, 55),
        (st.NOT_PICKED_UP, 15),
        (st.NOT_REACHED, 5),
        (st.ABANDONED_CONTACT, 5),
        (st.INVALID_NUMBER, 3),
        (st.CARRIER_ERROR, 2),
        (st.BLOCKED, 1),
        (st.DIALER_ERROR, 1),
    ],
    st.QUEUED: [(st.CONNECTED, 70), (st.ABANDONED_DIALER, 30)],
    st.CONNECTED: [(st.FINISHED, 70), (st.TRANSFERRED, 20), (st.CONNECTED, 10)],
    st.TRANSFERRED: [(st.TRANSFERRED_FINISHED, 100)],
}
_BY_MODE = {
    "preview": {st.DIALING: [(st.SKIPPED, 8), (st.SKIPPED_CLOSED, 4)]},
    "progressive": {st.DIALING: [(st.QUEUED, 10)]},
    "predictive": {st.DIALING: [(st.QUEUED, 15), (st.VOICEMAIL, 10)]},
}
_PACE = {"preview": 1, "progressive": 3, "predictive": 6}
_REDIALABLE = (st.NOT_PICKED_UP, st.VOICEMAIL, st.NOT_REACHED)


def _next_status(rng: random.Random, mode: str, status: str) -> str:
    options = _COMMON.get(status, []) + _BY_MODE.get(mode, {}).get(status, [])
    if not options:
        return status
    targets, weights = zip(*options, strict=True)
    return rng.choices(targets, weights)[0]


def tick(rng: random.Random | None = None) -> int:
    """Advance every running campaign by one step; returns how many contacts changed. Due
    import jobs run too, so that imports finish even when nobody asks for their status."""
    rng = rng or random.Random()
    for job in SandboxImportJob.objects.filter(status="in_progress", run_after__lte=timezone.now()):
        run_import_job(job)
    changed = 0
    for campaign in SandboxCampaign.objects.filter(status__in=RUNNING):
        changed += _advance(campaign, rng)
    return changed


def _advance(campaign: SandboxCampaign, rng: random.Random) -> int:
    pace = _PACE.get(campaign.mode, 2)
    moves: dict[str, list[int]] = defaultdict(list)
    redials: list[int] = []
    with transaction.atomic():
        live = SandboxContact.objects.filter(
            campaign=campaign, status__in=[st.DIALING, st.QUEUED, st.CONNECTED, st.TRANSFERRED]
        ).values_list("id", "status")
        for cid, status in live[: pace * 4]:
            target = _next_status(rng, campaign.mode, status)
            if target != status:
                moves[target].append(cid)
        # Unanswered calls come back for another try while redials remain.
        for cid in SandboxContact.objects.filter(
            campaign=campaign, status__in=_REDIALABLE, redials__lt=campaign.max_redial_count
        ).values_list("id", flat=True)[:pace]:
            if rng.random() < 0.5:
                moves[st.REDIAL_SCHEDULED].append(cid)
                redials.append(cid)
        for cid in SandboxContact.objects.filter(
            campaign=campaign, status=st.REDIAL_SCHEDULED
        ).values_list("id", flat=True)[:pace]:
            if rng.random() < 0.5:
                moves[st.UPCOMING].append(cid)
        upcoming = SandboxContact.objects.filter(campaign=campaign, status=st.UPCOMING)
        for cid in upcoming.order_by("id").values_list("id", flat=True)[:pace]:
            moves[st.DIALING].append(cid)
        now = timezone.now()
        changed = 0
        for target, ids in moves.items():
            changed += SandboxContact.objects.filter(pk__in=ids).update(
                status=target, updated_at=now
            )
        if redials:
            SandboxContact.objects.filter(pk__in=redials).update(redials=F("redials") + 1)
        if (
            not moves
            and not SandboxContact.objects.filter(
                campaign=campaign,
                status__in=[st.UPCOMING, st.DIALING, st.QUEUED, st.CONNECTED, st.TRANSFERRED]
                + [st.REDIAL_SCHEDULED],
            ).exists()
        ):
            campaign.status = "completed"
            campaign.ends_at = now
            campaign.save(update_fields=["status", "ends_at", "updated_at"])
        elif changed:
            SandboxCampaign.objects.filter(pk=campaign.pk).update(updated_at=now)
    return changed


_C = "manager/api/v1/outbound_dialer/campaigns"
