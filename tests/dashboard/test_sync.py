from __future__ import annotations

import time

import pytest
from django.core.management import CommandError, call_command

from dashboard.models import SyncState
from dashboard.providers import ProviderError
from dashboard.sync import SyncResult, run_sync_job
from tests.concurrency import run_at_once


@pytest.mark.django_db
def test_a_sync_records_its_outcome():
    result = run_sync_job("ccai", "campaigns", lambda: SyncResult("campaigns", created=3))
    state = SyncState.objects.get(provider="ccai", object_type="campaigns")
    assert result.created == 3
    assert state.last_success_at is not None
    assert state.last_summary.startswith("campaigns: 3 created")
    assert state.lease_until is None


@pytest.mark.django_db
def test_a_failed_sync_records_the_error_and_frees_the_lease():
    def failing():
        raise ProviderError("CCAI Platform is having trouble (HTTP 503).", provider="ccai")

    with pytest.raises(ProviderError):
        run_sync_job("ccai", "contacts", failing)
    state = SyncState.objects.get(provider="ccai", object_type="contacts")
    assert "HTTP 503" in state.last_error
    assert state.lease_until is None and state.last_success_at is None


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_of_one_mirror_take_turns():
    inside, overlaps = [], []

    def job():
        if inside:
            overlaps.append(1)
        inside.append(1)
        time.sleep(0.3)
        inside.pop()
        return SyncResult("campaigns")

    assert run_at_once(lambda: run_sync_job("engagelab", "campaigns", job)) == []
    assert overlaps == []
    assert SyncState.objects.get(object_type="campaigns").lease_until is None


@pytest.mark.django_db
def test_sync_command_says_when_nothing_matches():
    with pytest.raises(CommandError, match="Nothing to sync"):
        call_command("sync", only="no-such-mirror")
