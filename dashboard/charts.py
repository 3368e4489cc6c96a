"""The overview's cross-provider figure: the latest sendings of EngageLab and Dialog Insight
side by side. Colour-blind-safe colours, and bar patterns, so colour is never the only cue.
Built as plain plotly.js JSON: plotly's Python validators would cost more than the page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dashboard import clock

OPENS, CLICKS = "#0072B2", "#D55E00"


def _bars(name: str, labels: list[str], values: list[float], marker: dict) -> dict[str, Any]:
    return {
        "type": "bar",
        "orientation": "h",
        "name": name,
        "y": labels,
        "x": values,
        "marker": marker,
        "texttemplate": "%{x:.1%}",
        "textposition": "outside",
    }


def latest_sendings_figure(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    rows = [r for r in rows if r["open_rate"] is not None]
    if not rows:
        return None
    ordered = list(reversed(rows))  # newest at the top of a horizontal bar chart
    # Two sendings may share a name (a monthly newsletter): the date keeps the bars apart.
    labels = [
        f"{r['name'][:28]} · {r['provider']}"
        + (f" · {clock.shown(r['launched'])}" if r["launched"] else f" · #{i}")
        for i, r in enumerate(ordered)
    ]
    return {
        "data": [
            _bars(
                _("Unique open rate"), labels, [r["open_rate"] for r in ordered], {"color": OPENS}
            ),
            _bars(
                _("Unique click rate"),
                labels,
                [r["click_rate"] for r in ordered],
                {"color": CLICKS, "pattern": {"shape": "/"}},
            ),
        ],
        "layout": {
            "title": {"text": _("Latest sendings, both providers: rates over delivered"), "x": 0},
            "barmode": "group",
            "xaxis": {
                "tickformat": ".0%",
                "rangemode": "tozero",
                "title": {"text": _("Rate")},
                "gridcolor": "#e5e5e5",
            },
            "yaxis": {"automargin": True},
            "legend": {"orientation": "h", "y": -0.2},
            "margin": {"l": 20, "r": 40, "t": 50, "b": 60},
            "height": 120 + 45 * len(rows),
            "plot_bgcolor": "white",
            "paper_bgcolor": "white",
            "uirevision": "keep",
        },
    }
