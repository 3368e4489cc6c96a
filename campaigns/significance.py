"""Is an A/B test's gap more than chance? SciPy's tests on the test's counts, and the answer in
one sentence a marketer reads.

- A rate that counts each recipient once (unique opens, unique clicks, deliveries) is a
  proportion: a chi-square test of independence over every variant, then the leader against
  each other variant (a 2×2 chi-square, the two-proportion test).
- A rate that counts every open or click is a mean count per recipient, spread unevenly (some
  open three times): a one-way analysis of variance over every variant from each variant's
  count and sum of squares, then Welch's t-test of the leader against each other variant.

With more than two variants the leader's comparisons are several tests at once: their p-values
are adjusted with Holm's method, so "unlikely to be chance" keeps its meaning."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext
from scipy import stats as scipy_stats

from campaigns.describe import and_list, dimension_of
from dashboard.numbers import number, rate

CLEAR = 0.05  # below this, a gap is "unlikely to be chance"
VERY_CLEAR = 0.01


@dataclass(frozen=True)
class Arm:
    """One variant in the test: `n` recipients (the rate's denominator), the sum of the counts
    the rate adds up and the sum of their squares."""

    label: str
    n: int
    total: int
    squares: int

    @property
    def rate(self) -> float:
        return self.total / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        """Per recipient (n − 1 in the denominator)."""
        if self.n < 2:
            return 0.0
        return max(0.0, (self.squares - self.total**2 / self.n) / (self.n - 1))


@dataclass(frozen=True)
class Result:
    arms: list[Arm]
    leader: int
    overall_p: float  # every variant at once
    against: dict[int, float]  # other variant → the leader's adjusted p-value against it

    @property
    def level(self) -> bool:
        return all(a.rate == self.arms[self.leader].rate for a in self.arms)


def compare(arms: list[Arm], *, proportion: bool) -> Result | None:
    """The test's reading, or None while a variant has fewer than two recipients."""
    if len(arms) < 2 or any(a.n < 2 for a in arms):
        return None
    leader = max(range(len(arms)), key=lambda i: (arms[i].rate, -i))
    raw = {i: _pair_p(arms[leader], arm, proportion) for i, arm in enumerate(arms) if i != leader}
    overall = raw[next(iter(raw))] if len(arms) == 2 else _overall_p(arms, proportion)
    return Result(arms, leader, overall, holm(raw))


def _chi_square_p(arms: list[Arm]) -> float:
    table = [[a.total, a.n - a.total] for a in arms]
    try:
        return float(scipy_stats.chi2_contingency(table, correction=False).pvalue)
    except ValueError:  # nobody (or everybody) did it: no gap at all
        return 1.0


def _overall_p(arms: list[Arm], proportion: bool) -> float:
    if proportion:
        return _chi_square_p(arms)
    # One-way analysis of variance from each variant's count, sum and sum of squares.
    n = sum(a.n for a in arms)
    grand = sum(a.total for a in arms) / n
    between = sum(a.n * (a.rate - grand) ** 2 for a in arms)
    within = sum(a.variance * (a.n - 1) for a in arms)
    if within <= 0:
        return 1.0 if between == 0 else 0.0
    k = len(arms)
    f = (between / (k - 1)) / (within / (n - k))
    return float(scipy_stats.f.sf(f, k - 1, n - k))


def _pair_p(a: Arm, b: Arm, proportion: bool) -> float:
    if proportion:
        return _chi_square_p([a, b])
    test = scipy_stats.ttest_ind_from_stats(
        a.rate, math.sqrt(a.variance), a.n, b.rate, math.sqrt(b.variance), b.n, equal_var=False
    )
    return 1.0 if math.isnan(test.pvalue) else float(test.pvalue)


def holm(p_values: dict[int, float]) -> dict[int, float]:
    """Holm's step-down adjustment: the smallest p-value times m, the next times m − 1…, never
    decreasing, at most 1."""
    adjusted, running = {}, 0.0
    ordered = sorted(p_values, key=p_values.get)
    for rank, key in enumerate(ordered):
        running = max(running, min(1.0, (len(ordered) - rank) * p_values[key]))
        adjusted[key] = running
    return adjusted


def p_text(p: float) -> str:
    if p < 0.001:
        return f"p < {number_format(Decimal('0.001'))}"
    if p < VERY_CLEAR:
        return f"p < {number_format(Decimal('0.01'))}"
    return f"p = {number_format(Decimal(f'{p:.2g}'))}"


def sizes_text(arms: list[Arm], unit: str) -> str:
    """ "2,000 delivered each" or "A 1,012, B 1,007 and C 998 delivered"."""
    if len({a.n for a in arms}) == 1:
        return gettext("%(count)s %(unit)s each") % {"count": number(arms[0].n), "unit": unit}
    sizes = and_list([f"{a.label} {number(a.n)}" for a in arms])
    return gettext("%(sizes)s %(unit)s") % {"sizes": sizes, "unit": unit}


def _rates(arms: list[Arm], indexes: list[int], p_values: dict[int, float] | None = None) -> str:
    """ "A's 27.0% and C's 26.1%", each with its p-value when given."""
    if p_values is None:
        items = [
            gettext("%(variant)s's %(rate)s")
            % {"variant": arms[i].label, "rate": rate(arms[i].rate)}
            for i in indexes
        ]
    else:
        items = [
            gettext("%(variant)s's %(rate)s (%(p)s)")
            % {"variant": arms[i].label, "rate": rate(arms[i].rate), "p": p_text(p_values[i])}
            for i in indexes
        ]
    return and_list(items)


def verdict(result: Result, *, noun: Any, metric: str, unit: str) -> str:
    """ "In the test (2,000 delivered each), subject B's unique open rate, over delivered, 31.2%
    beats A's 27.0% and C's 26.1%; that gap is very unlikely to be chance (p < 0.01)."
    `noun` is what the test compares (a `describe.Dimension`, its key or its English noun)."""
    arms = result.arms
    dimension = dimension_of(noun)
    values: dict[str, Any] = {"sizes": sizes_text(arms, unit), "metric": metric}
    if result.level:
        values.update(the_many=dimension.the_many, rate=rate(arms[0].rate))
        return (
            gettext("In the test (%(sizes)s), %(the_many)s are level on %(metric)s (%(rate)s).")
            % values
        )
    lead = arms[result.leader]
    others = sorted(result.against, key=lambda i: arms[i].rate, reverse=True)
    values.update(leader=dimension.named(lead.label), rate=rate(lead.rate))
    if result.overall_p >= CLEAR:
        values.update(others=_rates(arms, others), p=p_text(result.overall_p))
        return (
            gettext(
                "In the test (%(sizes)s), %(leader)s's %(metric)s, %(rate)s, is ahead of "
                "%(others)s, but a gap this size could well be chance (%(p)s)."
            )
            % values
        )
    beaten = [i for i in others if result.against[i] < CLEAR]
    unclear = [i for i in others if result.against[i] >= CLEAR]
    if not unclear:
        worst = max(result.against.values())
        values.update(others=_rates(arms, others), p=p_text(worst))
        if worst < VERY_CLEAR:
            sentence = gettext(
                "In the test (%(sizes)s), %(leader)s's %(metric)s, %(rate)s, beats %(others)s; "
                "that gap is very unlikely to be chance (%(p)s)."
            )
        else:
            sentence = gettext(
                "In the test (%(sizes)s), %(leader)s's %(metric)s, %(rate)s, beats %(others)s; "
                "that gap is unlikely to be chance (%(p)s)."
            )
        return sentence % values
    values["unclear"] = _rates(arms, unclear, result.against)
    if beaten:
        values["beaten"] = _rates(arms, beaten, result.against)
        return (
            gettext(
                "In the test (%(sizes)s), %(leader)s's %(metric)s, %(rate)s, beats %(beaten)s but "
                "not clearly %(unclear)s."
            )
            % values
        )
    return (
        gettext(
            "In the test (%(sizes)s), %(leader)s's %(metric)s, %(rate)s, is ahead, but not clearly "
            "ahead of %(unclear)s."
        )
        % values
    )
