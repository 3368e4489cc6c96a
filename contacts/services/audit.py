"""The audit line of a Dialog Insight use case: who did what to which object, and how it went."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboard.audit import audit_record
from dashboard.providers import ProviderError
from dashboard.submissions import submission_claim, submission_done, submission_failed

PROVIDER = "dialoginsight"


def record(
    user: Any,
    object_type: str,
    action: str,
    object_id: Any = "",
    label: str = "",
    *,
    error: Exception | None = None,
    detail: str = "",
) -> None:
    audit_record(
        user=user,
        provider=PROVIDER,
        object_type=object_type,
        action=action,
        object_id=object_id,
        object_label=label,
        outcome="error" if error else "ok",
        detail=str(error) if error else detail,
    )


def once(
    *,
    token: str,
    call: Callable[[], int],
    user: Any,
    object_type: str,
    action: str,
    label: str,
    object_id: Any = "",
) -> int:
    """A create or send made at most once per form (its one-time token, see
    dashboard/submissions.py): the id Dialog Insight gave. A failure is audited; the token is
    released only when Dialog Insight certainly did nothing. The caller audits the success."""
    claim = submission_claim(token)
    try:
        new_id = call()
    except ProviderError as error:
        record(user, object_type, action, object_id, label, error=error)
        submission_failed(claim, error)
        raise
    submission_done(claim, new_id)
    return new_id
