"""The overview's cross-provider figure: the latest sendings of EngageLab and Dialog Insight
side by side. Colour-blind-safe colours, and bar patterns, so colour is never the only cue."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

OPENS, CLICKS = "#0072B2", "#D55E00"


def latest_sendings_figure(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    rows = [r for r in rows if r["open_rate"] is not None]
    if not rows:
        return None
    ordered = list(reversed(rows))  # newest at the top of a horizontal bar chart
    # Two sendings may share a name (a monthly newsletter): the date keeps the bars apart.
    labels = [
        f"{r['name'][:28]} · {r['provider']}"
        + (f" · {r['launched']:%b %d %H:%M}" if r["launched"] else f" · #{i}")
        for i, r in enumerate(ordered)
    ]
    fig = go.Figure(
        data=[
            go.Bar(
                name="Unique open rate",
                y=labels,
                x=[r["open_rate"] for r in ordered],
                orientation="h",
                marker={"color": OPENS},
                texttemplate="%{x:.1%}",
                textposition="outside",
            ),
            go.Bar(
                name="Unique click rate",
                y=labels,
                x=[r["click_rate"] for r in ordered],
                orientation="h",
                marker={"color": CLICKS, "pattern": {"shape": "/"}},
                texttemplate="%{x:.1%}",
                textposition="outside",
            ),
        ],
        layout={
            "title": {"text": "Latest sendings, both providers: rates over delivered", "x": 0},
            "barmode": "group",
            "xaxis": {"tickformat": ".0%", "rangemode": "tozero", "title": {"text": "Rate"}},
            "legend": {"orientation": "h", "y": -0.2},
            "margin": {"l": 260, "r": 40, "t": 50, "b": 60},
            "height": 120 + 45 * len(rows),
            "uirevision": "keep",
            "template": "plotly_white",
        },
    )
    return json.loads(fig.to_json())
