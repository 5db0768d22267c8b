"""Charts drawn on the server as SVG: no script, no CDN, the same on screen, on paper and in PDF.

Each chart is built with ``xml.etree`` (every label is escaped text, never markup) and comes
with the numbers as a table (``Chart.headings`` / ``Chart.rows``), rendered beside it by
``reports/charts/_chart.html``: the SVG is ``role="img"`` with a title and a description, the
table is what a screen reader, a search or a copy reads. Nothing is told by colour alone:
values are written on the bars and points, and the two series of a score chart differ in
shape (○ baseline, ■ follow-up) as well as in shade. A value may be ``reports.cells.SUPPRESSED``
("*"): it is drawn as its label only.
"""

from __future__ import annotations

import math
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports.cells import count_cell

WIDTH = 640
FONT = "12"
INK = "#1d1d1d"
BAR = "#4a6f9c"
MUTED = "#8a8a8a"
Value = float | int | str | None


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    svg: SafeString
    headings: list[str]
    rows: list[list[Any]]


def _label(value: Value, suffix: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    return text + suffix


def _number(value: Value) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _canvas(height: int, title: str, description: str) -> ET.Element:
    key = uuid.uuid4().hex[:8]
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": str(WIDTH),
            "height": str(height),
            "role": "img",
            "aria-labelledby": f"chart-{key}-title chart-{key}-desc",
            "class": "report-chart__svg",
            "font-family": "sans-serif",
            "font-size": FONT,
        },
    )
    ET.SubElement(svg, "title", {"id": f"chart-{key}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"chart-{key}-desc"}).text = description
    return svg


def _shape(parent: ET.Element, tag: str, **attributes: Any) -> ET.Element:
    """A child element; ``stroke_width=2`` is written ``stroke-width="2"``, numbers to 0.1."""
    return ET.SubElement(
        parent,
        tag,
        {
            name.replace("_", "-"): f"{value:.1f}" if isinstance(value, float) else str(value)
            for name, value in attributes.items()
        },
    )


def _text(parent: ET.Element, x: float, y: float, text: str, **attributes: Any) -> None:
    _shape(parent, "text", x=float(x), y=float(y), fill=INK, **attributes).text = text


def _done(svg: ET.Element) -> SafeString:
    # ElementTree escapes every text and attribute it writes: the output is markup we made.
    return mark_safe(ET.tostring(svg, encoding="unicode"))


def funnel_chart(steps: Sequence[tuple[str, Value]], *, title: str) -> Chart:
    """Horizontal bars, one per step, longest for the largest count, each labelled."""
    row_height, left, right = 30, 200, 60
    height = row_height * len(steps) + 20
    description = "; ".join(f"{label}: {_label(value)}" for label, value in steps)
    svg = _canvas(height, title, description)
    largest = max((_number(v) or 0 for _l, v in steps), default=0) or 1
    for i, (label, value) in enumerate(steps):
        y = 10 + i * row_height
        _text(svg, left - 8, y + 18, label, text_anchor="end")
        length = (WIDTH - left - right) * (_number(value) or 0) / largest
        if length:
            _shape(svg, "rect", x=left, y=y + 4, width=float(length), height=20, fill=BAR)
        _text(svg, left + length + 6, y + 18, _label(value))
    rows = [[label, value] for label, value in steps]
    return Chart(
        title,
        description,
        _done(svg),
        [pgettext("results table", "step"), pgettext("results table", "number")],
        rows,
    )


def days_label(day: int) -> str:
    """「14日」: a follow-up point, as every chart and table names it."""
    return _("%(days)d days") % {"days": day}


def retention_curve(points: Sequence[tuple[int, Value]], *, title: str) -> Chart:
    """Percent still taking part (0–100) against days since the start, a labelled point each."""
    height, left, right, top, bottom = 260, 50, 30, 20, 40
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    last_day = max((day for day, _v in points), default=1) or 1
    description = "; ".join(f"{days_label(day)}: {_label(value, '%')}" for day, value in points)
    svg = _canvas(height, title, description)
    for percent in (0, 50, 100):
        y = top + plot_h * (1 - percent / 100)
        _shape(svg, "line", x1=left, x2=left + plot_w, y1=y, y2=y, stroke=MUTED, stroke_width=0.5)
        _text(svg, left - 6, y + 4, f"{percent}%", text_anchor="end")
    drawn = []
    for day, value in points:
        x = left + plot_w * day / last_day
        _text(svg, x, height - 12, days_label(day), text_anchor="middle")
        number = _number(value)
        if number is None:
            _text(svg, x, top + plot_h / 2, _label(value), text_anchor="middle")
            continue
        y = top + plot_h * (1 - number / 100)
        drawn.append(f"{x:.1f},{y:.1f}")
        _shape(svg, "circle", cx=x, cy=y, r=5, fill=BAR)
        _text(svg, x, y - 10, _label(value, "%"), text_anchor="middle")
    if len(drawn) > 1:
        _shape(svg, "polyline", points=" ".join(drawn), fill="none", stroke=BAR, stroke_width=2)
    headings = [_("days since the start"), _("% still taking part")]
    rows = [[days_label(day), value] for day, value in points]
    return Chart(title, description, _done(svg), headings, rows)


def score_change(
    points: Sequence[tuple[int, Value, Value]],
    *,
    title: str,
    scale: tuple[float, float] | None = None,
) -> Chart:
    """Baseline (○) and follow-up (■) mean score at each point, joined by a line, both labelled."""
    row_height, left, right, top = 36, 90, 40, 34
    height = top + row_height * len(points) + 10
    numbers = [n for _d, *pair in points for n in map(_number, pair) if n is not None]
    low, high = scale or (min(numbers, default=0), max(numbers, default=1))
    span = (high - low) or 1
    description = "; ".join(
        _("%(days)s: baseline %(baseline)s, follow-up %(follow_up)s")
        % {"days": days_label(day), "baseline": _label(before), "follow_up": _label(after)}
        for day, before, after in points
    )
    svg = _canvas(height, title, description)
    _text(svg, left, 16, _("○ baseline  ■ follow-up"))

    def x_of(value: float) -> float:
        return left + (WIDTH - left - right) * (value - low) / span

    for i, (day, before, after) in enumerate(points):
        y = top + i * row_height + 14
        _text(svg, left - 10, y + 4, days_label(day), text_anchor="end")
        b, a = _number(before), _number(after)
        if b is None or a is None:
            _text(svg, left, y + 4, _label(before if b is None else after))
            continue
        _shape(svg, "line", x1=x_of(b), x2=x_of(a), y1=y, y2=y, stroke=MUTED, stroke_width=2)
        _shape(svg, "circle", cx=x_of(b), cy=y, r=6, fill="white", stroke=INK, stroke_width=2)
        _shape(svg, "rect", x=x_of(a) - 6, y=y - 6, width=12, height=12, fill=BAR)
        _text(svg, x_of(b), y - 10, _label(before), text_anchor="middle")
        _text(svg, x_of(a), y + 20, _label(after), text_anchor="middle")
    headings = [_("follow-up point"), _("baseline (mean)"), _("follow-up (mean)")]
    rows = [[days_label(day), before, after] for day, before, after in points]
    return Chart(title, description, _done(svg), headings, rows)


def district_map(
    values: Mapping[Any, int], *, title: str, suppress: bool = False, minimum: int | None = None
) -> Chart:
    """Districts as circles where they lie (their centre's longitude and latitude), the circle's
    area proportional to the value, each labelled with the district's name and the value.

    ``values`` maps ``resources.models.Area`` (anything with name, latitude, longitude) to a
    count; with ``suppress`` small counts are shown as "*" (and drawn as the smallest circle).
    """
    height, pad, largest_r = 420, 50, 28
    shown = {area: count_cell(v, minimum) if suppress else v for area, v in values.items()}
    description = "; ".join(f"{area.name}: {_label(v)}" for area, v in shown.items())
    svg = _canvas(height, title, description)
    located = [a for a in values if a.latitude is not None and a.longitude is not None]
    if located:
        lats = [float(a.latitude) for a in located]
        lngs = [float(a.longitude) for a in located]
        squash = math.cos(math.radians(sum(lats) / len(lats)))  # a degree of longitude is shorter
        span_x = (max(lngs) - min(lngs)) * squash or 1
        span_y = (max(lats) - min(lats)) or 1
        unit = min((WIDTH - 2 * pad) / span_x, (height - 2 * pad) / span_y)
        peak = max((_number(shown[a]) or 0 for a in located), default=0) or 1
        for area in located:
            x = pad + (float(area.longitude) - min(lngs)) * squash * unit
            y = pad + (max(lats) - float(area.latitude)) * unit
            radius = 3 + (largest_r - 3) * math.sqrt((_number(shown[area]) or 0) / peak)
            _shape(svg, "circle", cx=x, cy=y, r=radius, fill=BAR, fill_opacity=0.45, stroke=INK)
            label = f"{area.name} {_label(shown[area])}"
            _text(svg, x, y + radius + 13, label, text_anchor="middle", font_size=11)
    rows = [[area.name, value] for area, value in shown.items()]
    return Chart(
        title, description, _done(svg), [_("district"), pgettext("results table", "number")], rows
    )
