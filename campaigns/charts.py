"""Plotly figures for campaigns, from stored statistics (never raw events), written directly as
plotly.js JSON: plotly's Python figure classes validate every attribute, which cost more than
the rest of a chart's answer.

Every figure has a title (its accessible name too), and tells series apart by line dash and
marker shape or bar pattern as well as colour. `uirevision` keeps a user's zoom when the data
refresh. Every rate names its metric and what it is over.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.utils.text import capfirst
from django.utils.translation import gettext

from campaigns import stats
from campaigns.abtest import ab_reading
from dashboard import clock
from dashboard.numbers import number, rate

if TYPE_CHECKING:
    from campaigns.models import CampaignStats

# Colour-blind-safe (Okabe–Ito) palette.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash"]
SYMBOLS = ["circle", "diamond", "square", "triangle-up", "x"]
PATTERNS = ["", "/", "x", ".", "+"]
Figure = dict[str, Any]


def _layout(title: str, *, y_title: str, percent: bool = False, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0, "font": {"size": 16}},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
        "uirevision": "keep",
        "height": 360,
        "font": {"family": "system-ui, sans-serif"},
    }
    if percent:
        layout["yaxis"]["tickformat"] = ".0%"
    layout.update(extra)
    return layout


@functools.cache
def _template() -> dict[str, Any]:
    import plotly.io as pio  # plotly's Python side, only for this one look, loaded once

    return pio.templates["plotly_white"].to_plotly_json()


def with_template(fig: Figure) -> Figure:
    """The figure as the page embeds it: with plotly's "plotly_white" look (built once). The
    data endpoint sends only the traces."""
    return {"data": fig["data"], "layout": {**fig["layout"], "template": _template()}}


def cumulative_figure(curve: list[dict[str, Any]]) -> Figure:
    x = clock.chart_xs(row["x"] for row in curve)
    traces = [
        {
            "type": "scatter",
            "x": x,
            "y": [row[key] for row in curve],
            "name": name,
            "mode": "lines+markers",
            "line": {"color": COLOURS[colour], "dash": dash, "width": 2},
            "marker": {"symbol": symbol, "size": 5, "maxdisplayed": 40},
        }
        for name, key, colour, dash, symbol in (
            (gettext("Unique opens"), "unique_opens", 0, "solid", "circle"),
            (gettext("Total opens"), "opens", 0, "dash", "circle-open"),
            (gettext("Unique clicks"), "unique_clicks", 1, "solid", "diamond"),
            (gettext("Total clicks"), "clicks", 1, "dash", "diamond-open"),
        )
    ]
    layout = _layout(
        gettext("Opens and clicks over time (cumulative)"),
        y_title=gettext("Count"),
        hovermode="x unified",
        xaxis={"title": {"text": clock.time_axis_title()}},
    )
    return {"data": traces, "layout": layout}


def domain_figure(rows: list[dict[str, Any]], warm_domains: set[str]) -> Figure:
    rows = [r for r in rows if r.get("domain")]
    warm = gettext("(warm-up)")
    labels = [
        f"<b>{r['domain']}</b><br>{warm}" if r["domain"] in warm_domains else r["domain"]
        for r in rows
    ]
    traces = [
        {
            "type": "bar",
            "x": labels,
            "y": [r[key] for r in rows],
            "name": name,
            "marker": {
                "color": COLOURS[i],
                "pattern": {"shape": PATTERNS[i]},
                "line": {
                    "width": [3 if r["domain"] in warm_domains else 0 for r in rows],
                    "color": "#000",
                },
            },
            "text": [rate(r[key]) for r in rows],
            "textposition": "outside",
            "hovertemplate": gettext("%(domain)s: %(rate)s of %(count)s delivered")
            % {"domain": "%{x}", "rate": "%{text}", "count": "%{customdata}"}
            + f"<extra>{name}</extra>",
            "customdata": [number(r["delivered"]) for r in rows],
        }
        for i, (name, key) in enumerate(
            (
                (gettext("Unique open rate"), "unique_open_rate"),
                (gettext("Unique click rate"), "unique_click_rate"),
            )
        )
    ]
    layout = _layout(
        gettext("Unique open and click rates by recipient domain, over delivered"),
        y_title=gettext("Rate, over delivered"),
        percent=True,
        barmode="group",
    )
    return {"data": traces, "layout": layout}


def deliverability_figure(rows: list[dict[str, Any]], warm_up: list[dict[str, Any]]) -> Figure:
    by_domain = {r["domain"]: r for r in rows}
    domains = [w["domain"] for w in warm_up]
    delivered = [by_domain.get(d, {}).get("delivered_rate") for d in domains]
    traces: list[dict[str, Any]] = [
        {
            "type": "bar",
            "x": domains,
            "name": gettext("Delivery rate, over sent"),
            "y": delivered,
            "marker": {"color": COLOURS[0]},
            "text": [rate(v) for v in delivered],
            "textposition": "inside",
        }
    ]
    for name, hover, key, symbol, colour in (
        (
            gettext("Raise the rate at"),
            gettext("%(domain)s: raise the rate at %(threshold)s"),
            "upgrade_value",
            "triangle-up",
            COLOURS[2],
        ),
        (
            gettext("Lower the rate below"),
            gettext("%(domain)s: lower the rate below %(threshold)s"),
            "downgrade_value",
            "triangle-down",
            COLOURS[1],
        ),
    ):
        traces.append(
            {
                "type": "scatter",
                "x": domains,
                "y": [float(w[key]) for w in warm_up],
                "name": name,
                "mode": "markers",
                "marker": {
                    "symbol": symbol,
                    "size": 16,
                    "color": colour,
                    "line": {"width": 1, "color": "#000"},
                },
                "hovertemplate": hover % {"domain": "%{x}", "threshold": "%{y:.0%}"}
                + "<extra></extra>",
            }
        )
    layout = _layout(
        gettext("Delivery rate per warm-up domain against its thresholds"),
        y_title=gettext("Delivery rate, over sent"),
        percent=True,
    )
    layout["yaxis"]["range"] = [0, 1.08]
    return {"data": traces, "layout": layout}


def variant_figure(reading: dict[str, Any]) -> Figure:
    """The variants on the win condition's metric, in the test (with 95% error bars)."""
    rows, metric = reading["rows"], reading["metric"]
    name = capfirst(metric.name)
    values = [r["value"] for r in rows]
    bars = {
        "type": "bar",
        "x": [r["label"] for r in rows],
        "y": values,
        "name": name,
        "marker": {
            "color": [COLOURS[i % len(COLOURS)] for i in range(len(rows))],
            "pattern": {"shape": [PATTERNS[i % len(PATTERNS)] for i in range(len(rows))]},
        },
        "error_y": {
            "type": "data",
            "array": [r["error"] for r in rows],
            # a rate cannot go below 0
            "arrayminus": [
                None if r["value"] is None else min(r["error"], r["value"]) for r in rows
            ],
            "visible": True,
        },
        "text": [rate(v) for v in values],
        "textposition": "outside",
        "customdata": [number(r[metric.denominator]) for r in rows],
        "hovertemplate": gettext("%(variant)s: %(rate)s ± %(error)s (95%%) of %(count)s %(unit)s")
        % {
            "variant": "%{x}",
            "rate": "%{text}",
            "error": "%{error_y.array:.1%}",
            "count": "%{customdata}",
            "unit": metric.unit,
        }
        + "<extra></extra>",
    }
    values = {"many": capfirst(reading["noun"].many), "metric": metric.full_name}
    if reading["in_test"]:
        title = gettext("%(many)s compared in the test on %(metric)s (the win condition)")
    else:
        title = gettext("%(many)s compared over every send on %(metric)s (the win condition)")
    layout = _layout(title % values, y_title=capfirst(metric.full_name), percent=True)
    return {"data": [bars], "layout": layout}


def overview_figure(series: list[dict[str, Any]]) -> Figure:
    layout = _layout(
        gettext("Unique open and click rates of the latest campaigns, over delivered"),
        y_title=gettext("Rate, over delivered"),
        percent=True,
        hovermode="x unified",
        height=380,
        xaxis={"title": {"text": clock.time_axis_title()}},
        # Below the axis title, not over it: plotly makes room for a legend outside the plot.
        legend={"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0},
    )
    return {"data": overview_traces(series), "layout": layout}


def overview_traces(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Just the data of the overview figure: what a refresh sends."""
    traces = []
    for i, s in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        for name, dash, symbol, key in (
            (gettext("%(campaign)s — opens"), "solid", SYMBOLS[i % len(SYMBOLS)], "open_rate"),
            (
                gettext("%(campaign)s — clicks"),
                "dash",
                SYMBOLS[i % len(SYMBOLS)] + "-open",
                "click_rate",
            ),
        ):
            traces.append(
                {
                    "type": "scatter",
                    "x": clock.chart_xs(s["x"]),
                    "y": s[key],
                    "name": name % {"campaign": s["name"]},
                    "legendgroup": str(s["campaign_id"]),
                    "mode": "lines+markers",
                    "line": {"color": colour, "dash": dash, "width": 2},
                    "marker": {"symbol": symbol, "size": 6, "maxdisplayed": 12},
                    "hovertemplate": "%{y:.1%}",
                }
            )
    return traces


def campaign_charts(campaign: Any, row: CampaignStats | None) -> dict[str, Any]:
    """Everything the detail page's charts need, from stored rollups (a few hundred rows
    whatever the campaign's age): the figures, the A/B verdict in words, the numbers behind
    them (for the table view and the CSV). `row` is `stats.campaign_stats()`."""
    cid = campaign.provider_id
    summary = stats.campaign_summary(cid, row)
    curve = stats.campaign_curve(summary)
    totals = {k: summary[k] for k in (*stats.COUNT_FIELDS, *stats.rates(summary))}
    warm_up = list(campaign.warm_up or [])
    result: dict[str, Any] = {
        "has_data": bool(curve),
        "totals": totals,
        "numbers": format_numbers(totals),
        "domains": [],
        "warm_domains": {w["domain"] for w in warm_up},
        "variants": [],
        "verdict": "",
        "figures": {},
    }
    if not curve:
        return result
    totals_rows = stats.total_rows(cid)
    domains = result["domains"] = stats.grouped(totals_rows, "domain")
    figures = result["figures"]
    figures["cumulative"] = cumulative_figure(curve)
    figures["domains"] = domain_figure(domains, result["warm_domains"])
    if warm_up:
        figures["deliverability"] = deliverability_figure(domains, warm_up)
        result["deliverability_notes"] = deliverability_notes(domains, warm_up)
    if campaign.is_ab:
        reading = ab_reading(campaign, summary, totals_rows)
        result["variants"] = reading["rows"]
        result["variant_metric"] = reading["metric"]
        result["variants_in_test"] = reading["in_test"]
        result["verdict"] = reading["sentence"]
        figures["variants"] = variant_figure(reading)
    return result


def format_numbers(totals: dict[str, Any]) -> dict[str, str]:
    """Key numbers as shown on the page (and sent to it on refresh)."""
    counts = ("sent", "delivered", "unique_opens", "opens", "unique_clicks", "clicks")
    shares = ("delivered_rate", "unique_open_rate", "unique_click_rate")
    return {
        **{k: number(totals.get(k, 0) or 0) for k in counts},
        **{k: rate(totals.get(k)) for k in shares},
    }


def deliverability_notes(rows: list[dict[str, Any]], warm_up: list[dict[str, Any]]) -> list[str]:
    """Each warm-up domain's delivery rate against its thresholds, in words."""
    by_domain = {r["domain"]: r for r in rows}
    notes = []
    for w in warm_up:
        row = by_domain.get(w["domain"])
        if not row or not row.get("sent"):
            notes.append(gettext("%(domain)s: nothing sent yet.") % {"domain": w["domain"]})
            continue
        delivered, up, down = (
            row["delivered_rate"],
            float(w["upgrade_value"]),
            float(w["downgrade_value"]),
        )
        if delivered >= up:
            note = gettext(
                "%(domain)s: %(rate)s delivered, at or above %(up)s: EngageLab raises the "
                "sending rate."
            )
        elif delivered < down:
            note = gettext(
                "%(domain)s: %(rate)s delivered, below %(down)s: EngageLab lowers the sending rate."
            )
        else:
            note = gettext(
                "%(domain)s: %(rate)s delivered, between its thresholds (%(down)s–%(up)s): the "
                "rate stays."
            )
        notes.append(
            note
            % {
                "domain": w["domain"],
                "rate": rate(delivered),
                "up": rate(up, 0),
                "down": rate(down, 0),
            }
        )
    return notes
