from __future__ import annotations

import pytest
from django.test import RequestFactory

from dashboard.audit import audit_record
from dashboard.models import AuditEvent, SandboxFault
from dashboard.sandbox import sandbox_endpoint, set_fault


def test_audit_log_lists_and_filters_events(client, marketer, manager):
    audit_record(
        user=marketer,
        provider="engagelab",
        object_type="campaign",
        action="created",
        object_id=12,
        object_label="Black Friday",
    )
    audit_record(
        user=manager,
        provider="ccai",
        object_type="contact",
        action="deleted",
        object_id=7,
        outcome=AuditEvent.Outcome.ERROR,
        detail="CCAI said no",
    )
    client.force_login(manager)
    body = client.get("/audit/").content.decode()
    assert "Black Friday" in body and "CCAI said no" in body
    filtered = client.get("/audit/", {"provider": "ccai"}).content.decode()
    assert "Black Friday" not in filtered and "CCAI said no" in filtered
    searched = client.get("/audit/", {"q": "black"}).content.decode()
    assert "Black Friday" in searched and "CCAI said no" not in searched


def test_audit_filters_answer_htmx_with_the_results_fragment_only(client, manager):
    client.force_login(manager)
    response = client.get("/audit/", {"outcome": "error"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="results"' in body and "<html" not in body


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_sandbox_faults_apply_then_run_out():
    calls = []

    @sandbox_endpoint("ccai")
    def view(request):
        from django.http import JsonResponse

        calls.append(1)
        return JsonResponse({"ok": True})

    rf = RequestFactory()
    set_fault("ccai", SandboxFault.Kind.RATE_LIMIT, retry_after=3, remaining=2)
    first, second, third = (view(rf.get("/x")) for _ in range(3))
    assert (first.status_code, first["Retry-After"]) == (429, "3")
    assert second.status_code == 429
    assert third.status_code == 200 and calls == [1]
    assert not SandboxFault.objects.exists()

    set_fault("ccai", SandboxFault.Kind.ERROR, status=502)
    assert view(rf.get("/x")).status_code == 502
    set_fault("ccai", SandboxFault.Kind.MALFORMED)
    assert view(rf.get("/x")).content.startswith(b'{"result": [')
