"""Who is asking and which request it is, carried into provider call logs and audit events
without threading them through every function (a view, a task and a command all set it)."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_username: contextvars.ContextVar[str | None] = contextvars.ContextVar("username", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def current_username() -> str | None:
    return _username.get()


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


@contextmanager
def acting(username: str | None, request_id: str | None = None) -> Iterator[str]:
    """Run a block on behalf of `username` (a task, a command) with its own request id."""
    rid = request_id or new_request_id()
    t1 = _request_id.set(rid)
    t2 = _username.set(username)
    try:
        yield rid
    finally:
        _request_id.reset(t1)
        _username.reset(t2)


def set_request(request_id: str) -> None:
    _request_id.set(request_id)


def set_username(username: str | None) -> None:
    _username.set(username)
