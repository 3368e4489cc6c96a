from __future__ import annotations

import pytest

from contacts.client import DialogInsightClient


@pytest.fixture
def di(sandbox):
    """A Dialog Insight client pointed at the sandbox over real HTTP."""
    return DialogInsightClient()


def merge_one(client: DialogInsightClient, email: str, **data: str):
    result = client.contacts_merge([(email, data)])
    assert result.records[0].ok, result.records[0].message
    return result.records[0].id_record
