"""The sandbox framework: what the three provider emulators share.

Each emulator (`campaigns/sandbox/`, `contacts/sandbox/`, `dialer/sandbox/`, each a small app)
serves the provider's own paths under `/sandbox/<provider>/`, checks credentials as the provider
does and keeps its state in the database. This module gives them the endpoint decorator (no
such page unless the provider runs on its sandbox; injected faults), Basic-auth parsing, and the
switches a test or an operator uses to break a provider. Each emulator's app config subclasses
`dashboard.apps.SandboxAppConfig` (there, not here: an app's config is loaded before any model,
and this module reads the database).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from dashboard.logs import expected
from dashboard.models import SandboxFault
from dashboard.providers import provider_config


def json_response(data: Any, status: int = 200, **kwargs: Any) -> JsonResponse:
    return JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}, **kwargs
    )


def read_json(request: HttpRequest) -> Any:
    """The request's JSON body, or None when it is absent or not JSON."""
    if not request.body:
        return None
    try:
        return json.loads(request.body)
    except ValueError:
        return None


def basic_auth(request: HttpRequest) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        user, sep, password = base64.b64decode(value).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def credentials(provider: str) -> dict[str, str]:
    return settings.SANDBOX_CREDENTIALS[provider]


def timeout_seconds() -> float:
    # Long enough that Switchboard's client gives up first.
    return settings.PROVIDER_TIMEOUT + 1.0


def _take_fault(provider: str, request: HttpRequest) -> SandboxFault | None:
    fault = SandboxFault.objects.filter(provider=provider).first()
    if fault is None or (
        fault.path_contains and fault.path_contains not in request.get_full_path()
    ):
        return None
    if fault.body_contains and fault.body_contains not in request.body.decode(errors="replace"):
        return None
    if fault.remaining is not None:
        with transaction.atomic():
            taken = SandboxFault.objects.filter(pk=fault.pk, remaining__gt=0).update(
                remaining=F("remaining") - 1
            )
            SandboxFault.objects.filter(pk=fault.pk, remaining=0).delete()
        if not taken:
            return None
    return fault


def _fault_response(fault: SandboxFault) -> HttpResponse | None:
    kind = SandboxFault.Kind
    if fault.kind == kind.LATENCY:
        time.sleep(fault.latency_ms / 1000)
        return None
    if fault.kind == kind.ERROR:
        return HttpResponse(
            f"<html><body><h1>{fault.status} Service Unavailable</h1></body></html>",
            status=fault.status,
            content_type="text/html",
        )
    if fault.kind == kind.UNKNOWN_METHOD:
        # How an OFC4 method this key does not know is refused: inside an HTTP 200.
        return json_response(
            {
                "Success": False,
                "ErrorCode": "UnknownMethod",
                "ErrorMessage": "This method is unknown or not available to this key.",
                "idRequest": 0,
            }
        )
    if fault.kind == kind.RATE_LIMIT:
        response = json_response({"code": 429, "message": "Too Many Requests"}, status=429)
        response["Retry-After"] = str(fault.retry_after)
        return response
    if fault.kind == kind.TIMEOUT:
        time.sleep(timeout_seconds())
        return HttpResponse(status=504)
    if fault.kind == kind.MALFORMED:
        return HttpResponse('{"result": [{"id": 1, "na', content_type="application/json")
    return None


def sandbox_endpoint(provider: str) -> Callable:
    """Mark a view as one of `provider`'s emulated endpoints: no login, no CSRF (it is an
    API), nothing at all (404) unless `provider` runs on its sandbox at this moment, and the
    provider's injected fault, if any, applied before the view runs."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # The URLs are mounted at start-up; settings can change after (tests do), and a
            # live provider's emulator must never answer, whatever the credentials.
            if not provider_config(provider).sandbox:
                raise Http404
            fault = _take_fault(provider, request)
            # The emulated provider's refusals and injected faults are the sandbox doing its
            # job (Switchboard's client logs the failed call): no django.request warning.
            if fault is not None:
                response = _fault_response(fault)
                if response is not None:
                    return expected(response)
            return expected(view(request, *args, **kwargs))

        return csrf_exempt(login_not_required(wrapper))

    return decorator


def set_fault(provider: str, kind: str, **options: Any) -> SandboxFault:
    """Make `provider`'s sandbox misbehave (replacing any fault it had)."""
    fault, _ = SandboxFault.objects.update_or_create(
        provider=provider, defaults={"kind": kind, **options}
    )
    return fault


def clear_faults(provider: str | None = None) -> None:
    qs = SandboxFault.objects.all()
    if provider:
        qs = qs.filter(provider=provider)
    qs.delete()
