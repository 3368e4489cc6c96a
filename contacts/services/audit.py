"""The audit line of a Dialog Insight use case: who did what to which object, and how it went."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboard.audit import Audited
from dashboard.providers import ProviderError
from dashboard.submissions import submission_claim, submission_done, submission_failed

PROVIDER = "dialoginsight"


def event(
    user: Any, object_type: str, action: str, object_id: Any = "", label: str = "", detail: str = ""
) -> Audited:
    """The audit line of a write to Dialog Insight: recorded when the `with` block around
    the write ends, or now with `.record()` (see `dashboard.audit.Audited`)."""
    return Audited(user, PROVIDER, object_type, action, object_id, label, detail=detail)


def once(*, token: str, call: Callable[[], int]) -> int:
    """A create or send made at most once per form (its one-time token, see
    dashboard/submissions.py): the id Dialog Insight gave. The token is released only when
    Dialog Insight certainly did nothing."""
    claim = submission_claim(token)
    try:
        new_id = call()
    except ProviderError as error:
        submission_failed(claim, error)
        raise
    submission_done(claim, new_id)
    return new_id
