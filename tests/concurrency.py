from __future__ import annotations

import threading
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
