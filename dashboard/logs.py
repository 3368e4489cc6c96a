from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

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
    """One JSON object per line, with the record's extras; keys that look secret redacted.
    `time` is ISO 8601 in UTC to the millisecond, with its offset, whatever the host's zone."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
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


def logging_config(*, fmt: str, level: str, tasks_level: str) -> dict:
    """The one logging configuration, for Django's LOGGING and for gunicorn's own loggers
    (dashboard/gunicorn.conf.py), so that every line of a process has the same shape."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "dashboard.logs.RequestContextFilter"}},
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "dashboard.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if fmt == "json" else "text",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.server": {"level": "WARNING"},
            "django.db.backends": {"level": "WARNING"},
            # One line per task run drowns the demo's console; failures still show.
            # (`manage.py worker` keeps these levels: django-tasks' own worker resets them.)
            "django_tasks": {"level": tasks_level},
            "django_tasks_db": {"level": tasks_level},
            # Gunicorn's master and workers: boots, reloads, worker timeouts. Its access log
            # stays off: the request line of dashboard.middleware already says it all.
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            # Python warnings, once captured (dashboard/settings.py), as lines of the same shape.
            "py.warnings": {"handlers": ["console"], "propagate": False},
        },
    }


def expected(response):
    """Mark an answer Switchboard gives on purpose (`/readyz` saying "not ready", a sandbox
    emulating a provider's refusal) so that Django's `django.request` logger does not report
    it as a WARNING or an ERROR: what on-call alerts on stays what needs someone. The request
    line (`switchboard.request`, INFO) still records it."""
    response._has_been_logged = True  # what django.utils.log.log_response looks for
    return response
