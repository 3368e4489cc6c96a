from __future__ import annotations

from typing import Any

from dashboard import context
from dashboard.models import AuditEvent


def audit_record(
    *,
    user: Any,
    provider: str,
    object_type: str,
    action: str,
    object_id: Any = "",
    object_label: str = "",
    outcome: str = AuditEvent.Outcome.OK,
    detail: str = "",
) -> AuditEvent:
    """Record that `user` did `action` to a provider object. `user` may be None (a task or a
    command acting for the system)."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else (context.current_username() or ""),
        provider=provider,
        object_type=object_type,
        object_id=str(object_id or "")[:100],
        object_label=object_label[:200],
        action=action,
        outcome=outcome,
        detail=detail,
        request_id=context.current_request_id() or "",
    )
