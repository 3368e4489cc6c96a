"""The A/B comparison judges the test as EngageLab did: the test share alone, before the
winner's send began, every variant with its size, on the win condition's metric; then it says
which variant EngageLab sent and whether Switchboard's reading agrees."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from scipy import stats as scipy_stats

from campaigns.models import CampaignStatus
from campaigns.significance import Arm, compare, holm, verdict
from dashboard.numbers import rate
from tests.campaigns.test_charts import deliver, ev, mirror
from tests.campaigns.test_sync import FROZEN_INSTANTS
from tests.conftest import living_in
from tests.pages import csv_rows, figures, tables

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_sandbox(settings):
    settings.SANDBOX = True


def ab_mirror(
    compare_on="uni_open_percent", percent=20, status=CampaignStatus.RUNNING, variants=3, **extra
):
    return mirror(
        campaign_type=1,
        status=status,
        time_zone="-5",
        ab_test={
            "percent": percent,
            "subjects": ["Hello", "Hi", "Hey"][:variants],
            "win_condition": {"time_unit": "hour", "after_time": 12, "compare": compare_on},
        },
        **extra,
    )


def share(variant, phase, first, delivered, openers, minute, opens_each=1):
    """`delivered` recipients numbered from `first`, the first `openers` of whom open."""
    events = []
    for n in range(first, first + delivered):
        events += [
            ev(n, "sent", minute, variant=variant, phase=phase),
            ev(n, "delivered", minute, variant=variant, phase=phase),
        ]
        if n < first + openers:
            events += [
                ev(n, "open", minute + 1, variant=variant, phase=phase) for _ in range(opens_each)
            ]
    # Re-sent opens have their own time: one open a minute apart each.
    for e in events:
        if e.get("event") == "open":
            e["itime"] += events.index(e) % 50
    return events


# --- the statistics ---------------------------------------------------------------------------
def test_proportions_against_known_values():
    two = compare([Arm("A", 1000, 200, 200), Arm("B", 1000, 250, 250)], proportion=True)
    assert two.leader == 1
    assert two.overall_p == pytest.approx(0.00742, abs=1e-5)  # z = 2.6774, two-sided
    # Three variants: Pearson's chi-square by hand; with 2 degrees of freedom p = e^(−x/2).
    counts = [(200, 1000), (250, 1000), (210, 1000)]
    total = sum(s for s, _ in counts) / sum(n for _, n in counts)
    chi2 = sum(
        (observed - expected) ** 2 / expected
        for s, n in counts
        for observed, expected in ((s, n * total), (n - s, n * (1 - total)))
    )
    three = compare(
        [Arm(label, n, s, s) for label, (s, n) in zip("ABC", counts, strict=True)], proportion=True
    )
    assert three.overall_p == pytest.approx(math.exp(-chi2 / 2), rel=1e-9)
    assert three.leader == 1 and set(three.against) == {0, 2}  # the leader against each other
    assert holm({0: 0.01, 1: 0.04, 2: 0.03}) == pytest.approx({0: 0.03, 1: 0.06, 2: 0.06})


def test_every_open_counted_uses_each_variants_spread():
    rng = random.Random(4)
    raw = {
        label: [rng.choice([0, 0, 0, 1, 1, 2, 3 if label == "B" else 1]) for _ in range(400)]
        for label in "ABC"
    }
    arms = [Arm(k, len(v), sum(v), sum(x * x for x in v)) for k, v in raw.items()]
    result = compare(arms, proportion=False)
    assert result.leader == 1
    assert result.overall_p == pytest.approx(scipy_stats.f_oneway(*raw.values()).pvalue)
    raw_p = {
        i: scipy_stats.ttest_ind(raw["B"], raw[k], equal_var=False).pvalue
        for i, k in enumerate("ABC")
        if k != "B"
    }
    assert result.against == pytest.approx(holm(raw_p))


def test_the_sentence_a_marketer_reads():
    arms = [Arm("A", 2000, 540, 540), Arm("B", 2000, 624, 624), Arm("C", 2000, 522, 522)]
    text = verdict(
        compare(arms, proportion=True),
        noun="subject",
        metric="unique open rate, over delivered",
        unit="delivered",
    )
    assert text == (
        "In the test (2,000 delivered each), subject B's unique open rate, over delivered, "
        "31.2%, beats A's 27.0% and C's 26.1%; that gap is very unlikely to be chance "
        "(p < 0.01)."
    )
    close = [Arm("A", 100, 20, 20), Arm("B", 98, 22, 22)]
    assert verdict(compare(close, proportion=True), noun="subject", metric="m", unit="sent") == (
        "In the test (A 100 and B 98 sent), subject B's m, 22.4%, is ahead of A's 20.0%, but "
        "a gap this size could well be chance (p = 0.67)."
    )


# --- the campaign page ----------------------------------------------------------------------
def _variant_numbers(page_html, csv_text):
    rows = tables(page_html)["table-variants"]
    figure = figures(page_html)["fig-variants"]
    test_rows = {r["variant"]: r for r in csv_rows(csv_text) if r["phase"] == "test"}
    return rows, figure, test_rows


@pytest.mark.parametrize("instant", FROZEN_INSTANTS)
def test_the_test_share_alone_is_compared_then_engagelabs_pick_is_named(instant, client, manager):
    with time_machine.travel(instant, tick=False):
        ab_mirror()
        events = (
            share("A", "test", 0, 100, 10, 0)
            + share("B", "test", 1000, 100, 30, 0)
            + share("C", "test", 2000, 100, 12, 0)
        )
        # EngageLab sends A, which opens far better with the rest of the list; a recipient of
        # the test opens only after that send began: EngageLab picked without it.
        events += share("A", "winner", 5000, 400, 200, 10)
        events += [ev(1050, "open", 12, variant="B", phase="test")]
        deliver(client, events)
        client.force_login(living_in(manager, "Asia/Shanghai"))
        page = client.get("/campaigns/42/").content.decode()
        csv = client.get("/campaigns/42/stats.csv?table=variant").content.decode()
        winner_at = datetime.fromisoformat(instant).replace(second=0) - timedelta(minutes=20)
    local = winner_at.astimezone(dt_timezone(timedelta(hours=-5)))
    shanghai = winner_at.astimezone(ZoneInfo("Asia/Shanghai"))  # the manager's: UTC+8
    assert (
        "In the test (100 delivered each), subject B's unique open rate, over delivered, "
        "30.0%, beats C's 12.0% and A's 10.0%; that gap is very unlikely to be chance "
        f"(p &lt; 0.01). EngageLab sent subject A to the rest of the list from "
        f"{shanghai:%Y-%m-%d %H:%M} CST ({local:%Y-%m-%d %H:%M} UTC−5 at EngageLab); "
        "Switchboard's reading of the test differs: subject B "
        "led on unique open rate."
    ) in page.replace("&#x27;", "'")
    rows, figure, test_rows = _variant_numbers(page, csv)
    assert [r[:3] for r in rows] == [
        ["Subject A", "100", "100"],
        ["Subject B", "100", "100"],
        ["Subject C", "100", "100"],
    ]
    [bars] = figure["data"]
    assert bars["x"] == ["Subject A", "Subject B", "Subject C"]
    for row, value, variant in zip(rows, bars["y"], "ABC", strict=True):
        assert row[-1] == rate(value) == rate(test_rows[variant]["unique_open_rate"])
    assert [row[-1] for row in rows] == ["10.0%", "30.0%", "12.0%"]
    assert "in the test on unique open rate, over delivered" in figure["layout"]["title"]["text"]


def test_one_metric_per_claim_on_an_every_open_win_condition(client, manager):
    """Headline, sentence, variant chart and table each name their metric; the chart and the
    sentence use the win condition's (every open counted)."""
    ab_mirror(compare_on="open_percent", variants=2)
    events = share("A", "test", 0, 200, 40, 0, opens_each=1)
    events += share("B", "test", 1000, 200, 40, 0, opens_each=3)
    deliver(client, events)
    client.force_login(manager)
    page = client.get("/campaigns/42/").content.decode().replace("&#x27;", "'")
    assert (
        "subject B's open rate (every open counted), over delivered, 60.0%, beats A's 20.0%" in page
    )
    [bars] = figures(page)["fig-variants"]["data"]
    assert [rate(y) for y in bars["y"]] == ["20.0%", "60.0%"]
    assert "on open rate (every open counted), over delivered" in page
    assert "Open rate (every open counted), over delivered (the win condition)" in page
    # Every rate label on the page says what it counts and over what.
    import re

    labels = re.findall(r"<(?:dt|th)[^>]*>(.*?)</(?:dt|th)>", page, flags=re.S)
    rate_labels = [re.sub(r"<[^>]+>", "", lab) for lab in labels if "rate" in lab.lower()]
    assert rate_labels and all(" over " in lab for lab in rate_labels), rate_labels


RUNNING, FINISHED = CampaignStatus.RUNNING, CampaignStatus.FINISHED
SAID = [
    (RUNNING, 20, False, "test", "EngageLab has not sent the winner yet: after 12 hours it sends "
     "the subject with the best unique open rate to the rest of the list."),
    (FINISHED, 100, False, "test", "Everyone got the test, so there was nobody left to send a "
     "winning subject to."),
    (FINISHED, 20, False, "test", "EngageLab has finished this campaign, but no event of the "
     "winner's send has reached Switchboard, so it cannot say which subject EngageLab sent."),
    (FINISHED, 20, True, "test", "EngageLab sent subject B to the rest of the list from"),
    (FINISHED, 20, False, None, "EngageLab's events for this campaign do not say which sends "
     "were the test and which the winner's, so Switchboard cannot judge the test"),
]  # fmt: skip


@pytest.mark.parametrize("status, percent, winner_events, phase, expected", SAID)
def test_what_is_said_of_engagelabs_pick(
    status, percent, winner_events, phase, expected, client, manager
):
    ab_mirror(percent=percent, status=status, variants=2)
    events = share("A", phase, 0, 50, 5, 0) + share("B", phase, 1000, 50, 20, 0)
    if winner_events:
        events += share("B", "winner", 5000, 100, 30, 5)
    deliver(client, events)
    client.force_login(manager)
    page = client.get("/campaigns/42/").content.decode().replace("&#x27;", "'")
    assert expected in page
    if status == CampaignStatus.FINISHED:
        assert "not yet" not in page.lower()


@pytest.mark.django_db(transaction=True)
def test_a_test_the_sandbox_sent_is_judged_on_its_test_share(engagelab, client, manager):
    """Over real HTTP: the sandbox sends the test share (20% of 900: 60 per subject), then the
    winner to the other 720; the page compares the 60s and names the winner EngageLab sent."""
    from campaigns.sandbox.models import SandboxCampaign
    from tests.campaigns.conftest import ab_payload, send_to_the_end

    created = engagelab.campaign_create(ab_payload(send_time="2020-01-01 00:00:00"))
    SandboxCampaign.objects.filter(pk=created.campaign_id).update(audience=900)
    send_to_the_end()
    sandbox = SandboxCampaign.objects.get(pk=created.campaign_id)
    assert sandbox.status == CampaignStatus.FINISHED
    winner = sandbox.data["_winner"]

    client.force_login(manager)
    page = client.get(f"/campaigns/{created.campaign_id}/").content.decode()
    page = page.replace("&#x27;", "'")
    rows = tables(page)["table-variants"]
    assert [(r[0], r[1]) for r in rows] == [(f"Subject {v}", "60") for v in "ABC"]
    assert f"EngageLab sent subject {winner} to the rest of the list from" in page
    assert "In the test (A " in page or "delivered each)" in page
    assert "not yet" not in page.lower()
    csv = csv_rows(
        client.get(f"/campaigns/{created.campaign_id}/stats.csv?table=variant").content.decode()
    )
    assert [(r["variant"], r["sent"]) for r in csv if r["phase"] == "winner"] == [(winner, "720")]


def test_a_variant_nothing_was_delivered_to_has_no_rate_yet(client, manager):
    """Subject C not delivered yet: its rate is "—" in the table and a missing bar, not a 0%
    that reads as a subject nobody opened."""
    ab_mirror(variants=3)
    deliver(client, share("A", "test", 0, 100, 10, 0) + share("B", "test", 1000, 100, 30, 0))
    client.force_login(manager)
    page = client.get("/campaigns/42/").content.decode()
    csv = client.get("/campaigns/42/stats.csv?table=variant").content.decode()
    rows, figure, test_rows = _variant_numbers(page, csv)
    assert [(r[0], r[2], r[-1]) for r in rows] == [
        ("Subject A", "100", "10.0%"),
        ("Subject B", "100", "30.0%"),
        ("Subject C", "0", "—"),
    ]
    [bars] = figure["data"]
    assert bars["y"] == [0.1, 0.3, None] and bars["text"][-1] == "—"
    assert "C" not in test_rows  # nothing counted for it: no row in the CSV either
