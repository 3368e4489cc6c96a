"""An A/B campaign's test, judged as EngageLab judged it: the test share's numbers per variant
up to the moment EngageLab began sending the winner, measured on the win condition's metric,
Switchboard's reading of them, and which variant EngageLab then sent."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from campaigns import describe, stats
from campaigns.models import AbPhase, Campaign, CampaignStatus
from campaigns.significance import CLEAR, Arm, Result, compare, sizes_text, verdict

COUNTS = ("sent", "delivered", "opens", "unique_opens", "clicks", "unique_clicks")


def ab_reading(
    campaign: Campaign, summary: dict[str, Any], totals: list[dict[str, Any]]
) -> dict[str, Any]:
    """`summary` is `stats.campaign_summary()` (it knows the winner's send), `totals` the
    campaign's `stats.total_rows()`. Returns the variants' rows (for the chart, the table and
    the CSV), the metric and the sentence."""
    compare_key, metric = describe.win_metric(campaign.ab_test)
    dimension, values = describe.ab_dimension(campaign.ab_test)
    noun = describe.dimension_of(dimension)
    by_phase: dict[str, dict[str, dict[str, Any]]] = {}
    for row in stats.grouped([r for r in totals if r["variant"]], ("phase", "variant")):
        by_phase.setdefault(row["phase"], {})[row["variant"]] = row
    # Events that do not say their phase leave the test and the winner's send mixed.
    known = AbPhase.TEST in by_phase or AbPhase.NONE not in by_phase
    rows_by_variant = by_phase.get(AbPhase.TEST if known else AbPhase.NONE, {})
    letters = [chr(ord("A") + i) for i in range(len(values))]
    letters += sorted(v for v in rows_by_variant if v and v not in letters)
    rows, arms = [], []
    for letter in letters:
        row = rows_by_variant.get(letter, {})
        n = row.get(metric.denominator, 0)
        arm = Arm(letter, n, row.get(metric.numerator, 0), row.get(metric.squares, 0))
        arms.append(arm)
        rows.append(
            {
                "variant": letter,
                "label": f"{noun.label} {letter}",
                **{f: row.get(f, 0) for f in COUNTS},
                # A variant nothing was delivered to yet has no rate: "—", not 0%.
                "value": arm.rate if n else None,
                "error": 1.96 * (arm.variance / n) ** 0.5 if n else None,
            }
        )
    if not known:
        sentence = gettext(
            "EngageLab's events for this campaign do not say which sends were the test and "
            "which the winner's, so Switchboard cannot judge the test; the chart counts every "
            "send of each variant."
        )
    else:
        result = compare(arms, proportion=metric.per_recipient)
        sentence = " ".join(
            (
                _test_sentence(campaign, arms, result, noun, metric),
                _winner_sentence(campaign, arms, result, noun, metric, summary),
            )
        )
    return {
        "compare": compare_key,
        "metric": metric,
        "noun": noun,
        "rows": rows,
        "in_test": known,
        "sentence": sentence,
    }


def _unit(metric: describe.Metric) -> str:
    return metric.unit


def _test_sentence(
    campaign: Campaign,
    arms: list[Arm],
    result: Result | None,
    noun: describe.Dimension,
    metric: describe.Metric,
) -> str:
    if result is None:
        values = {"the_many": noun.the_many, "sizes": sizes_text(arms, _unit(metric))}
        if campaign.status == CampaignStatus.FINISHED:
            return gettext("The test has too few results to compare %(the_many)s (%(sizes)s).") % (
                values
            )
        return gettext("Not enough test results yet to compare %(the_many)s (%(sizes)s).") % values
    return verdict(result, noun=noun, metric=metric.full_name, unit=_unit(metric))


def _winner_sentence(
    campaign: Campaign,
    arms: list[Arm],
    result: Result | None,
    noun: describe.Dimension,
    metric: describe.Metric,
    summary: dict[str, Any],
) -> str:
    ab = campaign.ab_test or {}
    winner = summary.get("winner_variant")
    if winner:
        when = describe.local_time(summary.get("winner_sent_at"), campaign.time_zone)
        return _agreement(arms, result, winner, noun, metric) % {
            "winner": noun.named(winner),
            "when": when,
            "letter": winner,
            "leader": noun.named(arms[result.leader].label) if result else "",
            "metric": metric.name,
        }
    if int(ab.get("percent") or 0) >= 100:
        return gettext(
            "Everyone got the test, so there was nobody left to send a winning %(one)s to."
        ) % {"one": noun.one}
    if campaign.status == CampaignStatus.FINISHED:
        return gettext(
            "EngageLab has finished this campaign, but no event of the winner's send has "
            "reached Switchboard, so it cannot say which %(one)s EngageLab sent."
        ) % {"one": noun.one}
    win = ab.get("win_condition") or {}
    wait = describe.wait_text(win.get("time_unit") or "hour", int(win.get("after_time") or 0))
    return gettext(
        "EngageLab has not sent the winner yet: %(wait)s it sends %(the_one)s with the best "
        "%(metric)s to the rest of the list."
    ) % {"wait": wait, "the_one": noun.the_one, "metric": metric.name}


def _agreement(
    arms: list[Arm],
    result: Result | None,
    winner: str,
    noun: describe.Dimension,
    metric: describe.Metric,
) -> str:
    """The sentence naming the variant EngageLab sent (`%(winner)s`, from `%(when)s`), and
    whether Switchboard's reading agrees."""
    if result is None:
        return gettext(
            "EngageLab sent %(winner)s to the rest of the list from %(when)s; Switchboard has "
            "too few test results to say whether it agrees."
        )
    if result.level:
        return gettext(
            "EngageLab sent %(winner)s to the rest of the list from %(when)s; in Switchboard's "
            "reading the test was level."
        )
    leader = arms[result.leader].label
    clear = result.overall_p < CLEAR and all(p < CLEAR for p in result.against.values())
    if leader == winner and clear:
        return gettext(
            "EngageLab sent %(winner)s to the rest of the list from %(when)s; Switchboard's "
            "reading of the test agrees."
        )
    if leader == winner:
        return gettext(
            "EngageLab sent %(winner)s to the rest of the list from %(when)s; Switchboard's "
            "reading agrees that %(letter)s led, but the gap could be chance."
        )
    return gettext(
        "EngageLab sent %(winner)s to the rest of the list from %(when)s; Switchboard's "
        "reading of the test differs: %(leader)s led on %(metric)s."
    )
