"""An audit line around a provider write says how the write went, once: a success, the
provider's refusal (raised, or handled by the block and said with `failed`), or nothing at all
when Switchboard itself failed before the provider could answer."""

from __future__ import annotations

import pytest

from dashboard.audit import Audited
from dashboard.models import AuditEvent
from dashboard.providers import ProviderError

pytestmark = pytest.mark.django_db


def _line(user) -> Audited:
    return Audited(user, "ccai", "dialer contact", "edit", 7, "Ana Lima")


def _recorded() -> list[tuple[str, str, str]]:
    return list(AuditEvent.objects.values_list("object_id", "outcome", "detail"))


def test_a_write_that_ends_normally_is_one_success_with_what_it_learned(dialer_staff):
    with _line(dialer_staff) as audit:
        audit.detail = "Was Ana; now Ana Lima"
    assert _recorded() == [("7", "ok", "Was Ana; now Ana Lima")]


def test_a_provider_refusal_is_one_error_with_its_message_and_is_raised(dialer_staff):
    with pytest.raises(ProviderError), _line(dialer_staff):
        raise ProviderError("CCAI said no", provider="ccai")
    assert _recorded() == [("7", "error", "CCAI said no")]


def test_a_refusal_the_block_handles_is_an_error_when_it_says_so(dialer_staff):
    with _line(dialer_staff) as audit:
        audit.failed("Nothing was deleted.")
    assert _recorded() == [("7", "error", "Nothing was deleted.")]


def test_switchboards_own_failure_leaves_no_line(dialer_staff):
    with pytest.raises(KeyError), _line(dialer_staff):
        raise KeyError("name")
    assert _recorded() == []
