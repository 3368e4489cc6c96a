"""CCAI Platform's rules as the emulator applies them: phone numbers, the documented rate limit,
what makes a contact valid, and import jobs that succeed or fail whole."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from typing import Any

from django.db import transaction

from dialer import statuses as st
from dialer.sandbox.models import SandboxCampaign, SandboxContact, SandboxImportJob

PROVIDER = "ccai"
_LOOSE = re.compile(r"[\s\-().]")
_E164ISH = re.compile(r"^\+\d{8,15}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMERGENCY = {"911", "112", "999", "000", "110", "119", "15", "17", "18", "100", "101", "102"}
DUPLICATE_ERROR = "NativePowerDial::ContactService::DuplicateContactPhoneOnCampaign"


# Documented: 10 requests per second per customer. A token bucket per customer and process,
# with a burst of two more than the rate so that network jitter alone never trips a client
# that keeps to 10 a second.
RATE_PER_SECOND = 10
_BURST = RATE_PER_SECOND + 2
_buckets: dict[str, tuple[float, float]] = {}
_buckets_lock = threading.Lock()


def over_rate(customer: str) -> bool:
    now = time.monotonic()
    with _buckets_lock:
        tokens, at = _buckets.get(customer, (float(_BURST), now))
        tokens = min(float(_BURST), tokens + (now - at) * RATE_PER_SECOND)
        if tokens < 1:
            _buckets[customer] = (tokens, now)
            return True
        _buckets[customer] = (tokens - 1, now)
        return False


def phone_problem(raw: Any) -> str | None:
    """The sandbox's reading of the contract's rule (looser than Switchboard's own check)."""
    if not isinstance(raw, str) or not raw.strip():
        return "Phone number is required"
    compact = _LOOSE.sub("", raw.strip())
    if compact.lstrip("+") in EMERGENCY:
        return "Emergency numbers cannot be dialed"
    if not _E164ISH.match(compact):
        return "Phone number is invalid"
    return None


def phone_key(raw: str) -> str:
    return re.sub(r"\D", "", raw or "")


def contact_problems(data: dict[str, Any], campaign: SandboxCampaign) -> list[str]:
    problems = []
    problem = phone_problem(data.get("phone_number"))
    if problem:
        problems.append(problem)
    elif SandboxContact.objects.filter(
        campaign=campaign, phone_key=phone_key(data["phone_number"])
    ).exists():
        problems.append("Phone number has already been taken")
    if not str(data.get("name") or "").strip():
        problems.append("Name is required")
    email = str(data.get("email") or "").strip()
    if not email:
        problems.append("Email is required")
    elif not EMAIL_RE.match(email):
        problems.append("Email is invalid")
    return problems


def new_contact(campaign: SandboxCampaign, data: dict[str, Any]) -> SandboxContact:
    phone = str(data["phone_number"]).strip()
    outbound = str(data.get("outbound_number") or "").strip()
    status = st.UPCOMING
    if phone_problem(phone):
        status = st.INVALID_NUMBER
    elif outbound and phone_problem(outbound):
        status = st.INVALID_OUTBOUND
    elif phone_key(phone).endswith("0000"):
        status = st.DO_NOT_CALL
    return SandboxContact(
        campaign=campaign,
        name=str(data.get("name") or "").strip(),
        email=str(data.get("email") or "").strip(),
        phone_number=phone,
        phone_key=phone_key(phone),
        outbound_number=outbound,
        external_unique_id=str(data.get("external_unique_id") or "").strip(),
        status=status,
    )


def run_import_job(job: SandboxImportJob) -> None:
    """Process one due job: all or nothing, as the provider does."""
    with transaction.atomic():
        claimed = SandboxImportJob.objects.filter(pk=job.pk, status="in_progress").update(
            status="running"
        )
        if not claimed:
            return
        contacts_in = json.loads(job.payload)
        keys = [phone_key(str(c.get("phone_number") or "")) for c in contacts_in]
        existing = set(
            SandboxContact.objects.filter(campaign_id=job.campaign_id, phone_key__in=set(keys))
            .values_list("phone_key", flat=True)
            .iterator(chunk_size=2000)
        )
        in_file = Counter(k for k in keys if k)
        if existing or any(n > 1 for n in in_file.values()):
            SandboxImportJob.objects.filter(pk=job.pk).update(
                status="failed",
                job_type="Jobs::Bulk::Campaign::StartImport",
                error_message="Internal Error",
                error_details=DUPLICATE_ERROR,
            )
            return
        campaign = SandboxCampaign.objects.get(pk=job.campaign_id)
        SandboxContact.objects.bulk_create(
            [new_contact(campaign, c) for c in contacts_in], batch_size=2000
        )
        SandboxImportJob.objects.filter(pk=job.pk).update(status="completed", payload="")
