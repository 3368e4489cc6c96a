"""Where the unpublished calls live: `capabilities.py` builds on the provider HTTP base, which
never imports it back, and only the clients with calls their provider does not publish carry
the machinery for them."""

from __future__ import annotations

import ast
from pathlib import Path

from campaigns.client import EngageLabClient
from contacts.client import DialogInsightClient
from dashboard import capabilities, providers
from dialer.client import CCAIClient


def _imported(module) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text())
    found = set()
    for node in ast.walk(tree):  # at the top, inside a function, under TYPE_CHECKING alike
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found |= {node.module or "", *(f"{node.module}.{a.name}" for a in node.names)}
    return found


def test_the_http_base_does_not_import_the_capabilities_that_build_on_it():
    assert "dashboard.providers" in _imported(capabilities)
    assert not {name for name in _imported(providers) if "capabilities" in name}


def test_every_provider_has_a_registry_and_the_dialer_publishes_every_call():
    registry = capabilities.registry()
    assert set(registry) == set(providers.PROVIDER_NAMES)
    assert registry["ccai"] == []
    assert not issubclass(CCAIClient, capabilities.PartlyPublished)
    assert {c.name for c in registry["engagelab"]} == {"senders_list", "segments_list"}
    assert {c.name for c in registry["dialoginsight"]} == set(DialogInsightClient.UNPUBLISHED)
    for client in (EngageLabClient, DialogInsightClient):
        assert issubclass(client, providers.ProviderClient)
        assert all(c.provider == client.provider for c in client.UNPUBLISHED.values())
