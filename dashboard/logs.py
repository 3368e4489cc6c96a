from __future__ import annotations

import json
import logging
import re

from dashboard import context

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
_SECRET_KEYS = re.compile(r"(key|token|secret|password|authorization|authkey)", re.I)


def redact(value):
    if isinstance(value, dict):
        return {
            k: ("[redacted]" if _SECRET_KEYS.search(str(k)) else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = context.current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the record's extras; keys that look secret redacted."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(redact(data), default=str)


def expected(response):
    """Mark an answer Switchboard gives on purpose (`/readyz` saying "not ready", a sandbox
    emulating a provider's refusal) so that Django's `django.request` logger does not report
    it as a WARNING or an ERROR: what on-call alerts on stays what needs someone. The request
    line (`switchboard.request`, INFO) still records it."""
    response._has_been_logged = True  # what django.utils.log.log_response looks for
    return response
