from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dashboard import context
from dashboard.models import AuditEvent
from dashboard.providers import ProviderError


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


@dataclass
class Audited:
    """One audit line of `audited`, recorded when its block ends. The block may fill in what
    it learns on the way: a created object's id and label, a detail."""

    user: Any
    provider: str
    object_type: str
    action: str
    object_id: Any = ""
    object_label: str = ""
    detail: str = ""

    def record(self, *, outcome: str = AuditEvent.Outcome.OK, detail: str = "") -> AuditEvent:
        return audit_record(
            user=self.user,
            provider=self.provider,
            object_type=self.object_type,
            action=self.action,
            object_id=self.object_id,
            object_label=self.object_label,
            outcome=outcome,
            detail=detail or self.detail,
        )


@contextmanager
def audited(**line: Any) -> Iterator[Audited]:
    """Record a provider write once, whatever its outcome (`line`: the fields of `Audited`).
    The block ending normally is a success; a `ProviderError` leaving it is recorded as an
    error with the provider's message, then raised again. Anything else leaves no line
    (nothing reached the provider, or Switchboard itself failed). A refusal the block handles
    itself (a 404 on a delete that counts as done) ends as a success.

        with audited(user=user, provider="engagelab", object_type="campaign",
                     action="created", object_label=name) as audit:
            created = client.campaign_create(payload)
            audit.object_id = created.campaign_id
    """
    entry = Audited(**line)
    try:
        yield entry
    except ProviderError as error:
        entry.record(outcome=AuditEvent.Outcome.ERROR, detail=str(error))
        raise
    entry.record()
