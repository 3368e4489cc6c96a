"""How sure an A/B difference is: a two-proportion z-test between the leader and the runner-up,
and each variant's probability to be the best (Beta posteriors, seeded so the page is stable)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class ZTest:
    z: float
    p_value: float  # two-sided


def two_proportion_z(successes_a: int, n_a: int, successes_b: int, n_b: int) -> ZTest:
    """Pooled two-proportion z-test of B against A."""
    if n_a <= 0 or n_b <= 0:
        return ZTest(0.0, 1.0)
    pooled = (successes_a + successes_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        return ZTest(0.0, 1.0)
    z = (successes_b / n_b - successes_a / n_a) / se
    return ZTest(z, math.erfc(abs(z) / math.sqrt(2)))


def probability_best(arms: list[tuple[int, int]], draws: int = 20000, seed: int = 7) -> list[float]:
    """P(each arm has the highest rate), with a uniform Beta(1, 1) prior on each rate."""
    if not arms:
        return []
    rng = random.Random(seed)
    wins = [0] * len(arms)
    params = [(1 + s, 1 + max(0, n - s)) for s, n in arms]
    for _ in range(draws):
        samples = [rng.betavariate(a, b) for a, b in params]
        wins[samples.index(max(samples))] += 1
    return [w / draws for w in wins]


def verdict(labels: list[str], arms: list[tuple[int, int]], metric: str) -> str:
    """ "Subject B leads, 96% likely to be better." — in words, with the test behind it."""
    if len(arms) < 2 or any(n == 0 for _, n in arms):
        return "Not enough data yet to compare the variants."
    rates = [s / n for s, n in arms]
    order = sorted(range(len(arms)), key=lambda i: rates[i], reverse=True)
    lead, second = order[0], order[1]
    best = probability_best(arms)
    test = two_proportion_z(arms[second][0], arms[second][1], arms[lead][0], arms[lead][1])
    sure = ">99" if best[lead] >= 0.995 else str(round(best[lead] * 100))
    if rates[lead] == rates[second]:
        return f"{labels[lead]} and {labels[second]} are level on {metric} so far."
    p_text = "<0.001" if test.p_value < 0.001 else f"{test.p_value:.3f}"
    strength = "a clear difference" if test.p_value < 0.05 else "not yet a reliable difference"
    return (
        f"{labels[lead]} leads on {metric} ({rates[lead]:.1%} against {rates[second]:.1%} for "
        f"{labels[second]}), {sure}% likely to be the best; {strength} "
        f"(two-proportion test, p = {p_text})."
    )
