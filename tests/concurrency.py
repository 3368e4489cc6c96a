from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection


def run_at_once(target: Callable[[], object], times: int = 2) -> list[BaseException]:
    """Run `target` in `times` threads at once, each with its own database connection, and
    return what they raised."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported to the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def eventually(check: Callable[[], object], seconds: float = 5.0) -> None:
    """Wait until `check()` is true: work another thread finishes (the live server still
    answering a call the client gave up on)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"Still not true after {seconds} s.")
        time.sleep(0.1)
