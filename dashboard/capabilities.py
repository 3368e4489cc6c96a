"""What a provider does not publish, and how Switchboard lives without it.

Some calls follow no public page of their provider: Dialog Insight methods that its overview
lists as capabilities without naming them, EngageLab listings whose GET is inferred. A real
account may not know them. Such a client is also a `PartlyPublished`: it declares them in one
marked registry (`UNPUBLISHED`, with the documented alternative when there is one) and makes
them inside `self.unpublished(name)`, that is `unpublished(client, capability)`.

When the provider refuses such a method as unknown or unsupported
(`ProviderClient.refuses_method`), Switchboard remembers it for `RETRY_AFTER` and does not
ask meanwhile: the call raises `Unavailable`, whose sentence says plainly that the feature is
not available on this account, and the page shows it where the feature would be. Everything
that uses documented methods keeps working. A failure that says nothing about the method (a
timeout, a 503, a 429) is not remembered. The Providers page lists every capability as
available, not available or not tried yet, with when it was last tried.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.providers import PROVIDER_NAMES, ProviderError, provider_config

if TYPE_CHECKING:
    from dashboard.models import ProviderCapability
    from dashboard.providers import ProviderClient

# A refusal is believed for this long, then the method is tried again (the account may have
# been given it meanwhile).
RETRY_AFTER = timedelta(hours=6)
# "Last tried" is kept to the minute: a burst of calls (a sync) writes it once.
TOUCH_EVERY = timedelta(minutes=1)

AVAILABLE, UNAVAILABLE, UNTRIED = "available", "not available", "not tried yet"


@dataclass(frozen=True)
class Unpublished:
    """One call its provider does not document publicly."""

    provider: str
    name: str  # its key in the store
    # What users lose without it, as a singular subject: "Listing segments" (gettext_lazy).
    feature: str
    method: str  # what Switchboard calls
    alternative: str = ""  # the documented way to the same, when there is one
    # Words (lower case) of an error the provider gives for this call when it does not
    # understand it, beyond the ones every method shares (see the client's refuses_method).
    refusals: tuple[str, ...] = ()

    def refused_by(self, client: ProviderClient, error: ProviderError, *, known: bool) -> bool:
        """Whether `error` refuses this call as unknown. Once the account has answered it
        (`known`), an HTTP error status is a failure of that one call, not a refusal."""
        said = f"{error.code or ''} {error.provider_message or ''}".lower()
        if any(word in said for word in self.refusals):
            return True
        return client.refuses_method(error) and not (known and error.status != 200)

    def sentence(self) -> str:
        return _("%(feature)s is not available on this %(provider)s account.") % {
            "feature": self.feature,
            "provider": PROVIDER_NAMES[self.provider],
        }


class Unavailable(ProviderError):
    """An unpublished call this account refused: nothing was done, and it is not asked
    again before `retry_at`."""

    def __init__(self, capability: Unpublished, *, tried_at: datetime, detail: str = "") -> None:
        super().__init__(
            capability.sentence(), provider=capability.provider, provider_message=detail or None
        )
        self.capability = capability
        self.tried_at = tried_at
        self.retry_at = tried_at + RETRY_AFTER

    @property
    def outcome_unknown(self) -> bool:
        return False  # refused as unknown: certainly not done


@dataclass(frozen=True)
class Status:
    capability: Unpublished
    state: str  # AVAILABLE | UNAVAILABLE | UNTRIED
    tried_at: datetime | None = None
    detail: str = ""


def _row(capability: Unpublished, base_url: str) -> ProviderCapability | None:
    """What was learnt of `capability` on the account at `base_url` (None: not tried)."""
    from dashboard.models import ProviderCapability

    row = ProviderCapability.objects.filter(
        provider=capability.provider, name=capability.name
    ).first()
    return row if row is not None and row.base_url == base_url else None


def _learn(capability: Unpublished, base_url: str, *, available: bool, detail: str = "") -> None:
    from dashboard.models import ProviderCapability

    ProviderCapability.objects.update_or_create(
        provider=capability.provider,
        name=capability.name,
        defaults={
            "base_url": base_url,
            "available": available,
            "tried_at": timezone.now(),
            "detail": detail[:500],
        },
    )


class PartlyPublished:
    """Mixed into a `ProviderClient` whose provider does not document some of its calls."""

    # The calls this provider does not document publicly, by name, each with what users lose
    # without it: kept in one marked place of each client.
    UNPUBLISHED: ClassVar[dict[str, Unpublished]]

    def unpublished(self, name: str) -> AbstractContextManager[None]:
        """The block in which to make the calls of the unpublished capability `name`."""
        return unpublished(self, self.UNPUBLISHED[name])


@contextmanager
def unpublished(client: ProviderClient, capability: Unpublished) -> Iterator[None]:
    """Make the calls of `capability` inside this block: refused before any call while the
    account is known not to offer it; a refusal is remembered, an answer too."""
    row = _row(capability, client.base_url)
    now = timezone.now()
    if row is not None and not row.available and row.tried_at > now - RETRY_AFTER:
        raise Unavailable(capability, tried_at=row.tried_at, detail=row.detail)
    try:
        yield
    except ProviderError as error:
        known = row is not None and row.available
        if isinstance(error, Unavailable) or not capability.refused_by(client, error, known=known):
            raise
        _learn(capability, client.base_url, available=False, detail=str(error))
        raise Unavailable(capability, tried_at=now, detail=str(error)) from error
    if row is None or not row.available or row.tried_at < now - TOUCH_EVERY:
        _learn(capability, client.base_url, available=True)


def status(capability: Unpublished) -> Status:
    """What is known of `capability` on the account its provider points at now."""
    return _status(capability, _row(capability, provider_config(capability.provider).base_url))


def _status(capability: Unpublished, row: ProviderCapability | None) -> Status:
    if row is None:
        return Status(capability, UNTRIED)
    return Status(capability, AVAILABLE if row.available else UNAVAILABLE, row.tried_at, row.detail)


def statuses() -> dict[str, list[Status]]:
    """{provider: the status of each of its unpublished calls}, for the Providers page."""
    from dashboard.models import ProviderCapability

    rows = {(r.provider, r.name): r for r in ProviderCapability.objects.all()}
    found: dict[str, list[Status]] = {}
    for provider, capabilities in registry().items():
        base_url = provider_config(provider).base_url
        for capability in capabilities:
            row = rows.get((provider, capability.name))
            mine = row if row is not None and row.base_url == base_url else None
            found.setdefault(provider, []).append(_status(capability, mine))
    return found


def forget(provider: str, name: str) -> bool:
    """Ask again at the next call (e.g. once the account has been given the method)."""
    from dashboard.models import ProviderCapability

    return ProviderCapability.objects.filter(provider=provider, name=name).delete()[0] > 0


def unavailable_sentence(capability: Unpublished) -> str:
    """The sentence a page shows where the feature would be, or "" while it may work."""
    return capability.sentence() if status(capability).state == UNAVAILABLE else ""


def registry() -> dict[str, list[Unpublished]]:
    """{provider: its unpublished calls}, from each client's marked registry (none for a
    client that is not `PartlyPublished`)."""
    from campaigns.client import EngageLabClient
    from contacts.client import DialogInsightClient
    from dialer.client import CCAIClient

    return {
        client.provider: (
            list(client.UNPUBLISHED.values()) if issubclass(client, PartlyPublished) else []
        )
        for client in (EngageLabClient, DialogInsightClient, CCAIClient)
    }
