from __future__ import annotations

import json
import logging
import re
import time

from django.contrib import messages

from dashboard import context

log = logging.getLogger("switchboard.request")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Gives every request an id (the load balancer's `X-Request-ID` when sane), makes it and
    the user available to provider call logs, and logs one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else context.new_request_id()
        request.request_id = request_id
        context.set_request(request_id)
        context.set_username(None)
        started = time.monotonic()
        response = self.get_response(request)
        duration = (time.monotonic() - started) * 1000
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        username = user.get_username() if user is not None and user.is_authenticated else None
        if not request.path.startswith("/static/"):
            log.info(
                "request %s %s %s %.0fms",
                request.method,
                request.path,
                response.status_code,
                duration,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(duration, 1),
                    "user": username,
                },
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context.set_username(user.get_username())


class HtmxMessagesMiddleware:
    """For htmx requests that do not swap the whole page, hand queued messages to the page's
    toast area through an `HX-Trigger` event instead of leaving them for the next page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if (
            not htmx
            or htmx.boosted
            or "HX-Redirect" in response
            or response.status_code
            in (
                301,
                302,
            )
        ):
            return response
        queued = [{"message": str(m), "tags": m.tags} for m in messages.get_messages(request)]
        if queued:
            triggers = {}
            if "HX-Trigger" in response:
                try:
                    triggers = json.loads(response["HX-Trigger"])
                except ValueError:
                    triggers = {response["HX-Trigger"]: None}
            triggers["toasts"] = queued
            response["HX-Trigger"] = json.dumps(triggers)
        return response
