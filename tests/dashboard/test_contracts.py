"""The provider contracts live in the repository (docs/providers/), each client points at its
own, and each names every call its provider does not publish."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

from dashboard import capabilities

DOCS = Path(settings.BASE_DIR) / "docs" / "providers"
CONTRACTS = {"engagelab": "engagelab", "dialoginsight": "dialog_insight", "ccai": "ccai_dialer"}
MODULES = {
    "campaigns/client.py": "engagelab",
    "contacts/client.py": "dialog_insight",
    "contacts/nomenclature.py": "dialog_insight",
    "dialer/client.py": "ccai_dialer",
    "dialer/statuses.py": "ccai_dialer",
}


def _contract(name: str) -> str:
    return (DOCS / f"{name}.md").read_text().replace("`", "")


@pytest.mark.parametrize(("module", "contract"), MODULES.items())
def test_each_module_points_at_its_contract_in_the_repository(module, contract):
    source = (Path(settings.BASE_DIR) / module).read_text()
    docstring = ast.get_docstring(ast.parse(source)) or ""
    assert f"docs/providers/{contract}.md" in docstring
    assert "shared/" not in source  # nothing outside the product
    assert "https://" in _contract(contract)  # the provider's public page is named


@pytest.mark.parametrize("provider", CONTRACTS)
def test_each_contract_names_every_call_its_provider_does_not_publish(provider):
    contract = _contract(CONTRACTS[provider])
    for capability in capabilities.registry()[provider]:
        assert capability.method.replace("`", "") in contract, capability.name
        assert str(capability.feature) in contract, capability.name  # translatable (lazy)
