"""Campaign statistics as CSV files for spreadsheets: every stored count, and each rate as a
share precise enough that it rounds to what the page shows."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpResponse

from campaigns import stats
from campaigns.models import Campaign
from dashboard.csvsafe import spreadsheet_safe

COUNTS = stats.COUNT_FIELDS  # every stored count, in the same order
TABLES = ("timeline", "domain", "variant")


def _csv(filename: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv.writer(response)


def rate_cell(value: float | None) -> str:
    """A rate with six decimals, or an empty cell where there is none (nothing delivered)."""
    return "" if value is None else f"{value:.6f}"


def campaign_csv(campaign: Campaign, table: str) -> HttpResponse:
    """One of the detail page's tables: `domain`, `variant` (one row per variant and A/B
    phase: the test share, what the test is judged on; the test share after the winner's send
    began; the winner's send), or anything else the cumulative timeline."""
    table = table if table in TABLES else "timeline"  # never a raw value in the header
    cid = campaign.provider_id
    response, writer = _csv(f"campaign-{cid}-{table}.csv")
    if table == "timeline":
        writer.writerow(["minute_utc", *(f"cumulative_{f}" for f in COUNTS)])
        for r in stats.campaign_timeline(cid):
            writer.writerow([r["start"].isoformat(), *(r[f"cum_{f}"] for f in COUNTS)])
        return response
    if table == "domain":
        keys = ("domain",)
        rates = ("delivered_rate", "unique_open_rate", "unique_click_rate")
        rows = stats.campaign_totals(cid, by="domain")
    else:
        keys = ("variant", "phase")
        rates = ("delivered_rate", "open_rate", "unique_open_rate", "click_rate")
        rates += ("unique_click_rate",)
        rows = stats.campaign_totals(cid, by=keys)
    writer.writerow([*keys, *COUNTS, *rates])
    for r in rows:
        writer.writerow(
            [*(r[k] for k in keys), *(r[f] for f in COUNTS), *(rate_cell(r[k]) for k in rates)]
        )
    return response


def overview_csv(period: str, data: dict[str, Any]) -> HttpResponse:
    """The overview's lines, one row per campaign and point in time."""
    response, writer = _csv(f"campaign-rates-{period}.csv")
    writer.writerow(
        ["campaign_id", "campaign", "time_utc", "unique_open_rate", "unique_click_rate"]
    )
    for s in data["series"]:
        name = spreadsheet_safe(s["name"])
        for x, o, c in zip(s["x"], s["open_rate"], s["click_rate"], strict=True):
            writer.writerow([s["campaign_id"], name, x, rate_cell(o), rate_cell(c)])
    return response
