"""`make bench`'s shared machinery: one entry per measurement by stable id, ratios measured in
the same run with their goals, and pages timed as a browser or a poller asks for them."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys

import pytest
from django.test import Client

from dashboard import bench
from dashboard.bench import Goal, Page, Ratio, figure, record
from dashboard.management.commands.bench import Command

BOARD = Ratio("dialer.board", "admin.dialer_contacts.changelist", goal=("<=", 0.5))
IMPORT = Ratio("dialer.import.rows_per_s", "dialer.import.floor_rows_per_s", on="rows_per_s")


@pytest.fixture
def results(tmp_path, monkeypatch):
    path = tmp_path / "bench-results.json"
    monkeypatch.setattr(bench, "RESULTS", path)
    return path


def test_entries_merge_by_id_and_ratios_are_recomputed(results):
    record([], fresh={"scale": 2})
    record([{"id": "dialer.board", "label": "Board", "p50_ms": 30.0}])
    record(
        [
            {"id": "admin.dialer_contacts.changelist", "label": "Admin", "p50_ms": 100.0},
            figure("dialer.import.rows_per_s", "Import", "rows_per_s", 900),
            figure("dialer.import.floor_rows_per_s", "Floor", "rows_per_s", 3000),
        ],
        [BOARD, IMPORT],
    )
    data = record([{"id": "dialer.board", "label": "Board", "p50_ms": 60.0}], [BOARD, IMPORT])
    assert data == json.loads(results.read_text())
    assert data["scale"] == 2 and data["database"] in ("sqlite", "postgresql")
    assert [r["id"] for r in data["results"]].count("dialer.board") == 1
    assert data["ratios"][BOARD.id] == {
        "value": 0.6,
        "on": "p50_ms",
        "goal": "<= 0.5",
        "met": False,
    }
    assert data["ratios"][IMPORT.id] == {"value": 0.3, "on": "rows_per_s"}
    assert "NOT MET" in "\n".join(bench.ratio_lines(data))


def test_a_ratio_waits_for_both_sides(results):
    data = record([{"id": "dialer.board", "label": "Board", "p50_ms": 30.0}], [BOARD])
    assert data["ratios"] == {}


def test_an_absolute_goal_is_judged_and_printed_in_its_own_unit(results):
    goal = Goal("campaigns.chart_data", "p95_ms", "<=", 10)
    assert record([], [goal])["ratios"] == {}  # not measured yet: nothing claimed
    data = record([{"id": "campaigns.chart_data", "label": "Chart data", "p95_ms": 12.5}], [goal])
    assert data["ratios"][goal.id] == {"value": 12.5, "on": "p95_ms", "goal": "<= 10", "met": False}
    (line,) = bench.ratio_lines(data)
    assert line.startswith("campaigns.chart_data p95_ms") and "12.50   goal <= 10: NOT MET" in line
    data = record([{"id": "campaigns.chart_data", "label": "Chart data", "p95_ms": 8.0}], [goal])
    assert bench.ratio_lines(data)[0].endswith("goal <= 10: met")


def test_the_table_says_how_fast_the_machine_was_before_and_after_the_pages(results):
    """Absolute goals (chart data ≤ 10 ms) move with a shared machine's speed: each run prints
    its yardstick beside them, so that two runs' milliseconds can be read side by side."""
    page = {"id": "dialer.board", "label": "Board", "status": 200, "p50_ms": 30.0}
    page |= {"p95_ms": 35.0, "queries": 4}
    machine = figure("machine.python_ms", "Machine", "ms", 41.234, after_ms=60.2)
    data = record([page, machine])
    out = io.StringIO()
    Command(stdout=out).print_table(data, "sqlite", 1)
    printed = out.getvalue()
    assert re.search(r"Machine\s+41\.23 ms\s+machine\.python_ms", printed)
    assert "the machine's speed: 41.23 ms before the pages, 60.2 ms after" in printed
    assert 0 < bench.machine_ms() < 10_000


def test_a_page_without_an_id_gets_one_from_its_label():
    page = Page.of("campaigns", ("Campaigns, sorted by name", "/campaigns/?sort=name"))
    assert page.id == "campaigns.campaigns_sorted_by_name"
    assert Page.of("dialer", page) is page


def test_a_conditional_page_is_timed_as_the_unchanged_poll(superuser, frozen_clock):
    # The overview's ETag names the minute: the clock starts at one's beginning, not at a
    # minute's last instant, when the polls would see a new version.
    client = Client()
    client.force_login(superuser)
    url = "/campaigns/overview/data.json?period=24h"
    polled, full = Command().measure(
        client,
        [Page("x.poll", "Poll", url, conditional=True), Page("x.full", "Full", url, uncached=True)],
        runs=3,
    )
    assert polled["status"] == 304
    assert full["status"] == 200 and full["queries"] >= polled["queries"]
    assert {"p50_ms", "p95_ms", "queries", "id", "label", "url"} <= polled.keys()


def test_the_load_test_refuses_a_page_that_sends_its_session_to_the_login(live_server, superuser):
    """wrk counts a redirect as a success: each page of the mix is first checked to answer
    200 to the load test's session."""
    from django.core.management.base import CommandError

    from dashboard.management.commands.loadtest import Command as LoadTest

    client = Client()
    client.force_login(superuser)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    LoadTest()._preflight(live_server.url, "/campaigns/", cookie, "Campaign list")
    LoadTest()._preflight(live_server.url, "hx:/dialer/", cookie, "Dialer, htmx")
    with pytest.raises(CommandError, match="answered 302"):
        LoadTest()._preflight(live_server.url, "/campaigns/", "sessionid=stale", "Campaign list")


def test_the_bench_refuses_to_time_a_page_that_answers_an_error(superuser):
    """The dialer board's bench URL named a campaign by Switchboard's id after its URLs moved to
    CCAI's: it timed a fast 404 for a whole session and its ratios looked excellent."""
    from django.core.management.base import CommandError

    client = Client()
    client.force_login(superuser)
    with pytest.raises(CommandError, match=r"Board \(/dialer/987654/\) answered 404, not 200"):
        Command().measure(client, [Page("x.board", "Board", "/dialer/987654/")], runs=1)


def test_the_dialer_pages_of_the_bench_open_the_seeded_board(superuser):
    from dialer import bench as dialer_bench
    from dialer.models import DialerCampaign

    big = DialerCampaign.objects.create(provider_id=900_001, name=dialer_bench.BIG)
    client = Client()
    client.force_login(superuser)
    board = f"/dialer/{big.provider_id}/"
    assert client.get(board).status_code == 200
    assert board in dialer_bench.board_url(big)


def test_a_cached_page_is_timed_as_its_second_reader_even_beside_a_page_rendered_afresh(
    superuser,
):
    """A page timed rendered afresh empties the cache: the shared board timed in the same
    rounds must still be timed as read from it (fewer queries), not as a first reader."""
    from dialer.models import DialerCampaign

    DialerCampaign.objects.create(provider_id=4242, name="Bench board")
    client = Client()
    client.force_login(superuser)
    shared, fresh = Command().measure(
        client,
        [
            Page("x.board", "Board", "/dialer/4242/"),
            Page("x.fresh", "Fresh", "/dialer/4242/?status=finished", uncached=True),
        ],
        runs=3,
    )
    assert shared["queries"] < fresh["queries"]


CHILD_PEAK = (
    "import django; django.setup(); from dialer.bench import peak_rss_mb; print(peak_rss_mb())"
)


def test_the_imports_process_reports_its_own_peak_memory_not_the_benchs(settings):
    """The import is timed in a process of its own so that its peak memory is its own. The
    bench that starts it holds far more (here, 160 MB more): that must not be reported as
    the import's."""
    ballast = b"x" * (160 * 2**20)  # written, so resident in this (the parent) process
    child = subprocess.run(
        [sys.executable, "-c", CHILD_PEAK],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    peak = float(child.stdout.strip().splitlines()[-1])
    assert len(ballast) == 160 * 2**20
    assert 20 < peak < 140  # a Django process's own start-up, nowhere near its parent's 160 MB
