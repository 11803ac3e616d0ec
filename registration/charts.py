"""Small charts drawn on the server as inline SVG, for the organiser dashboard.

No chart library and no script: the site's Content-Security-Policy allows
neither inline scripts nor inline styles, so the markup uses SVG presentation
attributes (``fill=``, ``x=``) only, and text takes ``currentColor`` so it
follows the admin's light or dark theme. The geometry is computed here and
the markup written by templates (``templates/registration/charts/``), whose
autoescaping keeps names typed by anyone harmless.

Each chart is an image to assistive technology (``role="img"`` with a
``<title>`` and ``<desc>``); the page puts a table with the same numbers
beside it. Colours come from the Okabe–Ito palette (distinguishable with
colour blindness), and the series differ by pattern or dash as well.
"""

import unicodedata
from dataclasses import dataclass, field

from django.template.loader import render_to_string

# Okabe–Ito: blue, orange, vermillion.
COLOURS = ["#0072B2", "#E69F00", "#D55E00"]
DASHES = ["", "6 3", "2 3"]

WIDTH = 720
# Bar charts: label column, bars, then a short note per row (e.g. "12 / 30").
LABEL_WIDTH = 210
NOTE_WIDTH = 170
ROW_HEIGHT = 24
BAR_HEIGHT = 16
LEGEND_HEIGHT = 30
# Label lengths in "narrow character" units: a CJK character counts as two.
LABEL_UNITS = 32


@dataclass
class Series:
    name: str
    colour: str
    dash: str = ""
    hatched: bool = False


@dataclass
class Bar:
    """One row of a bar chart: stacked ``values`` (one per series), an optional marker."""

    label: str
    values: list[int]
    note: str = ""
    marker: int | None = None  # e.g. the capacity, drawn as a vertical line
    segments: list = field(default_factory=list)


def _units(char) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def fit(label: str, units: int = LABEL_UNITS) -> str:
    """``label`` cut to about ``units`` narrow characters, with an ellipsis when cut.

    SVG text does not wrap, so long names (“Saint Vincent and the
    Grenadines”, a long session title) would run over the bars; the full text
    stays in the row's ``<title>`` and in the table.
    """
    if sum(_units(c) for c in label) <= units:
        return label
    used, kept = 0, []
    for char in label:
        used += _units(char)
        if used > units - 1:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _round(value: float) -> float:
    return round(value, 1)


def series(names: list[str]) -> list[Series]:
    """Series named ``names`` in the dashboard's colours; the second one hatched."""
    return [
        Series(name, COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)], hatched=n == 1)
        for n, name in enumerate(names)
    ]


def bar_chart(chart_id: str, title: str, description: str, all_series: list[Series],
              bars: list[Bar]) -> str:
    """Horizontal stacked bars, one row per item; the height grows with the rows.

    Callers keep the row count readable (the dashboard draws at most a few
    dozen rows and lists the rest in the table).
    """
    plot_left = LABEL_WIDTH + 10
    plot_width = WIDTH - plot_left - NOTE_WIDTH - 10
    largest = max(
        [max(sum(bar.values), bar.marker or 0) for bar in bars] + [1]
    )
    scale = plot_width / largest
    rows = []
    for index, bar in enumerate(bars):
        y = LEGEND_HEIGHT + index * ROW_HEIGHT
        x = plot_left
        segments = []
        for value, one in zip(bar.values, all_series, strict=True):
            width = value * scale
            if value:
                segments.append({"x": _round(x), "width": _round(max(width, 1)), "series": one,
                                 "value": value})
            x += width
        rows.append({
            "bar": bar,
            "short_label": fit(bar.label),
            "y": y,
            "bar_y": y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
            "text_y": y + ROW_HEIGHT / 2 + 4,
            "segments": segments,
            "marker_x": None if bar.marker is None else _round(plot_left + bar.marker * scale),
            "marker_top": y + 1,
            "marker_bottom": y + ROW_HEIGHT - 1,
        })
    context = {
        "id": chart_id,
        "title": title,
        "description": description,
        "width": WIDTH,
        "height": LEGEND_HEIGHT + len(bars) * ROW_HEIGHT + 6,
        "label_x": LABEL_WIDTH,
        "plot_left": plot_left,
        "note_x": plot_left + plot_width + 8,
        "bar_height": BAR_HEIGHT,
        "legend": _legend(all_series, plot_left),
        "rows": rows,
    }
    return render_to_string("registration/charts/bars.svg", context)


def line_chart(chart_id: str, title: str, description: str, all_series: list[Series],
               x_labels: list[str], values: list[list[int]]) -> str:
    """One line per series over ``x_labels`` (days); ``values[s][i]`` is series s at day i.

    The width is fixed, so a long period only brings the points closer;
    points get a dot while there are few enough to tell apart.
    """
    left, right, top, bottom = 50, 20, LEGEND_HEIGHT + 10, 40
    height = 260
    plot_width = WIDTH - left - right
    plot_height = height - top - bottom
    count = len(x_labels)
    largest = max([max(row) for row in values if row] + [1])
    if largest > 1 and largest % 2:
        largest += 1  # so the middle grid line falls on a whole number
    step = plot_width / (count - 1) if count > 1 else 0

    def x_of(i):
        return _round(left + (i * step if count > 1 else plot_width / 2))

    def y_of(value):
        return _round(top + plot_height - value * plot_height / largest)

    lines = []
    for one, row in zip(all_series, values, strict=True):
        points = [(x_of(i), y_of(v)) for i, v in enumerate(row)]
        lines.append({
            "series": one,
            "points": " ".join(f"{x},{y}" for x, y in points),
            "dots": points if count <= 62 else [],
        })
    grid = [{"value": v, "y": y_of(v)} for v in sorted({0, largest // 2, largest})]
    ticks = []
    if count:
        positions = sorted({0, count // 2, count - 1}) if count > 2 else range(count)
        for i in positions:
            anchor = "middle"
            if count > 1 and i == 0:
                anchor = "start"
            elif count > 1 and i == count - 1:
                anchor = "end"
            ticks.append({"x": x_of(i), "label": x_labels[i], "anchor": anchor})
    context = {
        "id": chart_id,
        "title": title,
        "description": description,
        "width": WIDTH,
        "height": height,
        "left": left,
        "right": WIDTH - right,
        "axis_y": top + plot_height,
        "tick_y": top + plot_height + 18,
        "grid": grid,
        "ticks": ticks,
        "lines": lines,
        "legend": _legend(all_series, left),
    }
    return render_to_string("registration/charts/lines.svg", context)


def _legend(all_series, start):
    """Swatch and name of each series along the top; names of up to ~20 characters fit."""
    items = []
    x = start
    for one in all_series:
        items.append({"series": one, "x": x, "text_x": x + 18})
        x += 18 + 7 * sum(_units(c) for c in one.name) + 20
    return items

