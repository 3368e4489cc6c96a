"""`make bench`: what each page costs at scale, beside anchors measured in the same run.

Each app may provide `<app>/bench.py` with `seed(scale: int) -> None` (synthetic mirror rows),
`pages() -> list[Page | tuple[str, str]]` (what to measure once seeded; a `(label, URL)` pair
gets the id `<app>.<slug of the label>`) and `RATIOS` (`Ratio`s between two measurements).
Every measurement lands in `bench-results.json` under a stable `id`, whichever command took it
(`record()` merges by id), so that runs can be compared. The dashboard's own pages are here.
"""

from __future__ import annotations

import json
import operator
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from dashboard.models import AuditEvent

RESULTS = Path("bench-results.json")


@dataclass(frozen=True)
class Page:
    """One page to time: `id` is stable across runs and scales, `label` is for people."""

    id: str
    label: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    # Send back the ETag of a first answer: what an unchanged poll costs (a 304).
    conditional: bool = False
    # Empty Django's cache before each request: what the first poller after a change pays.
    uncached: bool = False

    @classmethod
    def of(cls, app: str, item: Page | tuple[str, str]) -> Page:
        if isinstance(item, Page):
            return item
        label, url = item
        return cls(f"{app}.{slugify(label).replace('-', '_')}", label, url)


@dataclass(frozen=True)
class Ratio:
    """`numerator ÷ denominator` on `on` (p50_ms for pages), with the goal it is held to."""

    numerator: str
    denominator: str
    on: str = "p50_ms"
    goal: tuple[str, float] | None = None  # ("<=", 0.5) or (">=", 0.35)

    @property
    def id(self) -> str:
        return f"{self.numerator} / {self.denominator}"

    def compute(self, by_id: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
        top, bottom = by_id.get(self.numerator), by_id.get(self.denominator)
        if not top or not bottom or not bottom.get(self.on) or self.on not in top:
            return None
        value = round(top[self.on] / bottom[self.on], 3)
        result: dict[str, Any] = {"value": value, "on": self.on}
        if self.goal:
            op, target = self.goal
            result["goal"] = f"{op} {target:g}"
            result["met"] = {"<=": operator.le, ">=": operator.ge}[op](value, target)
        return result


@dataclass(frozen=True)
class Goal:
    """A measurement held to an absolute goal (`campaigns.chart_data` p95_ms <= 10); listed
    with the app's `RATIOS` and printed with them."""

    measurement: str
    on: str
    op: str  # "<=" or ">="
    target: float

    @property
    def id(self) -> str:
        return f"{self.measurement} {self.on}"

    def compute(self, by_id: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
        found = by_id.get(self.measurement)
        if not found or self.on not in found:
            return None
        value = found[self.on]
        met = {"<=": operator.le, ">=": operator.ge}[self.op](value, self.target)
        return {"value": value, "on": self.on, "goal": f"{self.op} {self.target:g}", "met": met}


def machine_ms() -> float:
    """How long this machine takes, now, for a fixed piece of pure Python (the best of three):
    the yardstick beside absolute times, which move with a shared machine's speed (the same
    page measured 2 to 3 times slower a few minutes apart), where ratios taken in one run
    do not."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def figure(id: str, label: str, unit: str, value: float, **extra: Any) -> dict[str, Any]:
    """A measurement that is not a page time: the value under its unit's key (`rows_per_s`,
    `mb`, `req_s`, `ms`, `count`)."""
    return {"id": id, "label": label, unit: round(value, 2), **extra}


def record(
    entries: list[dict[str, Any]],
    ratios: list[Ratio | Goal] = (),
    *,
    fresh: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Merge `entries` (by id) into the results file (`RESULTS`, which `manage.py bench
    --output` moves), recompute `ratios` over everything it holds, and return the file's
    content. `fresh` starts a new file with that header."""
    path = RESULTS
    if fresh is not None or not path.exists():
        data: dict[str, Any] = {**(fresh or {}), "results": [], "ratios": {}}
    else:
        data = json.loads(path.read_text())
    data.setdefault("database", connection.vendor)
    data.setdefault("settings", settings.SETTINGS_MODULE)
    results = {r["id"]: r for r in data.get("results", [])}
    results.update({e["id"]: e for e in entries})
    data["results"] = list(results.values())
    for ratio in ratios:
        computed = ratio.compute(results)
        if computed is not None:
            data.setdefault("ratios", {})[ratio.id] = computed
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return data


def ratio_lines(data: dict[str, Any], ids: list[str] | None = None) -> list[str]:
    """'a / b = 0.31 (goal ≤ 0.5: met)' for each ratio (or those in `ids`)."""
    lines = []
    for rid, r in data.get("ratios", {}).items():
        if ids is not None and rid not in ids:
            continue
        goal = ""
        if "goal" in r:
            goal = f"   goal {r['goal']}: {'met' if r['met'] else 'NOT MET'}"
        unit = "×" if " / " in rid else ""  # a ratio, or a value in its own unit (in the id)
        lines.append(f"{rid:<72}{r['value']:>8.2f}{unit}{goal}")
    return lines


def seed(scale: int) -> None:
    now = timezone.now()
    providers = ["engagelab", "dialoginsight", "ccai"]
    actions = ["created", "updated", "deleted", "imported", "sent"]
    rng = random.Random(1)
    batch = []
    for i in range(50_000 * scale):
        batch.append(
            AuditEvent(
                username=f"user{i % 40}",
                provider=providers[i % 3],
                object_type="contact",
                object_id=str(i),
                object_label=f"Object {i}",
                action=rng.choice(actions),
                outcome="ok" if i % 17 else "error",
            )
        )
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    AuditEvent.objects.update(at=now - timedelta(minutes=1))


def rate_limit_benchmark(calls: int = 300) -> None:
    """What the shared rate limit adds to each provider call: one short transaction on the
    bucket's row (a bucket that never makes anyone wait, so that only the bookkeeping counts)."""
    from dashboard.models import RateBucket
    from dashboard.providers import RateLimiter

    limiter = RateLimiter("bench probe", rate=1e9)
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        limiter.acquire()
        timings.append((time.perf_counter() - started) * 1000)
    RateBucket.objects.filter(name=limiter.name).delete()
    p50 = statistics.median(timings)
    print(f"shared rate limit: {p50:.2f} ms a provider call (p50 of {calls})", flush=True)
    record([figure("providers.rate_limit.acquire_ms", "Shared rate limit, per call", "ms", p50)])


def pages() -> list[Page | tuple[str, str]]:
    rate_limit_benchmark()
    return [
        ("Overview", "/"),
        ("Audit log", "/audit/"),
        ("Audit log, filtered", "/audit/?provider=ccai&outcome=error"),
        ("Audit log, search", "/audit/?q=Object+4242"),
        ("Audit log, page 100", "/audit/?page=100"),
        ("Providers", "/providers/"),
        ("Preferences (every time zone offered)", "/preferences/"),
        ("Health /readyz", "/readyz"),
    ]
