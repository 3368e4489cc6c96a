"""Plotly figures for Dialog Insight mailings, from the mirrored statistics snapshots."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext

from dashboard import clock

# Colour-blind-safe (Okabe–Ito), told apart by dash and marker too.
OPENS, CLICKS = "#0072B2", "#D55E00"


def mailing_rates_figure(points: list[tuple]) -> dict[str, Any] | None:
    """Unique open and click rates (over delivered) each time the numbers changed.
    `points` are (at, delivered, unique opens, unique clicks); None when there is nothing."""
    points = [p for p in points if p[1]]
    if not points:
        return None
    x = clock.chart_xs(p[0] for p in points)
    fig = go.Figure(
        layout={
            "title": {"text": gettext("Open and click rates over time (over delivered)"), "x": 0},
            "yaxis": {
                "tickformat": ".0%",
                "rangemode": "tozero",
                "title": {"text": gettext("Rate")},
            },
            "xaxis": {"title": {"text": clock.time_axis_title()}},
            "legend": {"orientation": "h", "y": -0.25},
            "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
            "height": 340,
            "hovermode": "x unified",
            "uirevision": "keep",
            "template": "plotly_white",
        }
    )
    for name, index, colour, dash, symbol in (
        (gettext("Unique open rate"), 2, OPENS, "solid", "circle"),
        (gettext("Unique click rate"), 3, CLICKS, "dash", "diamond"),
    ):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[p[index] / p[1] for p in points],
                name=name,
                mode="lines+markers",
                line={"color": colour, "dash": dash, "width": 2},
                marker={"symbol": symbol, "size": 6},
            )
        )
    return json.loads(fig.to_json())
