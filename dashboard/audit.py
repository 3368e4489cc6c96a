from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any

from dashboard import context
from dashboard.models import AuditEvent
from dashboard.providers import ProviderError


@dataclass
class Audited:
    """One line of the audit log: `user` did `action` to a provider object, and how it went.
    `user` may be None (a task or a command acting for the system).

    `record()` writes it now. Used as a context around a provider write, it is recorded once
    when the block ends, whatever the outcome: the block ending normally is a success (the
    block may fill in what it learns on the way: a created object's id and label, a detail);
    a `ProviderError` leaving it is recorded as an error with the provider's message, then
    raised again. Anything else leaves no line (nothing reached the provider, or Switchboard
    itself failed). A refusal the block handles itself ends as a success (a 404 on a delete
    that counts as done), unless the block says it failed (`failed`).

        with Audited(user=user, provider="engagelab", object_type="campaign",
                     action="created", object_label=name) as audit:
            created = client.campaign_create(payload)
            audit.object_id = created.campaign_id
    """

    user: Any
    provider: str
    object_type: str
    action: str
    object_id: Any = ""
    object_label: str = ""
    outcome: str = AuditEvent.Outcome.OK
    detail: str = ""

    def failed(self, reason: Any) -> None:
        """The write did not happen: recorded as an error, `reason` its detail."""
        self.outcome, self.detail = AuditEvent.Outcome.ERROR, str(reason)

    def record(self) -> AuditEvent:
        user = self.user
        authenticated = user is not None and getattr(user, "is_authenticated", False)
        return AuditEvent.objects.create(
            user=user if authenticated else None,
            username=user.get_username() if authenticated else (context.current_username() or ""),
            provider=self.provider,
            object_type=self.object_type,
            object_id=str(self.object_id or "")[:100],
            object_label=self.object_label[:200],
            action=self.action,
            outcome=self.outcome,
            detail=self.detail,
            request_id=context.current_request_id() or "",
        )

    def __enter__(self) -> Audited:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if isinstance(error, ProviderError):
            self.failed(error)
        elif error is not None:
            return  # Switchboard's own failure: nothing to say about the provider
        self.record()


def audit_record(**line: Any) -> AuditEvent:
    """Record one line now (`line`: the fields of `Audited`)."""
    return Audited(**line).record()
