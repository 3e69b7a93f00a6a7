"""Inline SVG charts for the situation report: events per day by kind group, and fatalities.

Drawn in Python so the report needs no chart library; every label goes through escape().
"""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

from frontwatch.report.data import style


def timeline_svg(per_day: list[dict[str, Any]], width: int = 760, height: int = 230) -> Markup:
    """Stacked bars of events per day (by group) with a fatalities line on its own axis."""
    groups = style()["groups"]
    left, right, top, bottom = 40, 44, 12, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(per_day), 1)
    max_events = max([sum(d["groups"].values()) for d in per_day] + [1])
    max_fat = max([d["fatalities"] for d in per_day] + [1])
    bar_w = plot_w / n
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fw-chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="events per day by kind, and fatalities">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 8}" text-anchor="end" font-size="10">{max_events}</text>',
        f'<text x="{left - 6}" y="{top + 20}" text-anchor="end" font-size="9" fill="#666">events</text>',
        f'<text x="{left + plot_w + 6}" y="{top + 20}" font-size="9" fill="#666">killed</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="10">0</text>',
        f'<text x="{left + plot_w + 6}" y="{top + 8}" font-size="10" fill="#111">{max_fat}</text>',
        f'<text x="{left + plot_w + 6}" y="{top + plot_h + 0}" font-size="10" fill="#111">0</text>',
    ]
    label_every = max(1, n // 8)
    points = []
    for i, d in enumerate(per_day):
        x = left + i * bar_w
        y = top + plot_h
        for g, gs in groups.items():
            c = d["groups"].get(g, 0)
            if not c:
                continue
            h = plot_h * c / max_events
            y -= h
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" '
                f'fill="{escape(gs["colour"])}"><title>{escape(d["day"])}: {c} {escape(gs["label"])}</title></rect>'
            )
        fy = top + plot_h - plot_h * d["fatalities"] / max_fat
        points.append((x + bar_w / 2, fy, d))
        if i % label_every == 0 or i == n - 1:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" font-size="10" '
                f'text-anchor="middle">{escape(d["day"][5:])}</text>'
            )
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#111" stroke-width="1.5" stroke-dasharray="4 2"/>')
        for x, y, d in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#111">'
                f'<title>{escape(d["day"])}: {d["fatalities"]} killed</title></circle>'
            )
    # Legend below the axis, wrapping onto a second row when the labels do not fit.
    items = [(gs["colour"], gs["label"], "rect") for gs in groups.values()] + [("#111", "fatalities (right axis)", "line")]
    lx, ly = left, height - 22
    for colour, text, mark in items:
        w = 20 + 6 * len(text)
        if lx + w > width:
            lx, ly = left, ly + 14
        if mark == "rect":
            parts.append(f'<rect x="{lx}" y="{ly - 8}" width="10" height="10" fill="{escape(colour)}"/>')
        else:
            parts.append(f'<line x1="{lx - 4}" y1="{ly - 3}" x2="{lx + 10}" y2="{ly - 3}" stroke="{escape(colour)}" '
                         f'stroke-dasharray="4 2"/>')
        parts.append(f'<text x="{lx + 13}" y="{ly + 1}" font-size="10">{escape(text)}</text>')
        lx += w
    parts.append("</svg>")
    return Markup("".join(parts))
