"""Small bar charts as server-rendered SVG: no JavaScript, no inline styles (our Content-Security-Policy
has ``style-src 'self'``, which also forbids SVG ``<style>`` elements and ``style`` attributes).

Here is only geometry; ``templates/attendance/_chart.html`` draws it with presentation attributes
(``x``, ``y``, ``width``, ``height``, ``fill``, ``text-anchor``) and classes styled by static/style.css.
Every chart has a title and a short description for screen readers, a native tooltip (``<title>``) per
bar, and the same numbers in a table beneath it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 360, 190
LEFT, RIGHT, TOP, BOTTOM = 44, 6, 10, 24


@dataclass(frozen=True)
class SeriesStyle:
    name: str  # shown in the legend and the tooltips
    css: str  # a class from style.css
    fill: str  # the same colour as a presentation attribute (used if the stylesheet is not loaded)


@dataclass
class Segment:
    x: float
    y: float
    width: float
    height: float
    css: str
    fill: str


@dataclass
class Bar:
    segments: list[Segment]
    tooltip: str
    label: str | None  # under the bar (some labels are skipped when they would not fit)
    label_x: float
    empty: bool  # no data in this bucket: a small mark instead of a bar
    empty_y: float = 0.0


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class Chart:
    id: str
    title: str
    description: str
    legend: list[SeriesStyle]
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: float = LEFT
    plot_right: float = WIDTH - RIGHT
    plot_top: float = TOP
    plot_bottom: float = HEIGHT - BOTTOM
    label_y: float = HEIGHT - 8


def nice_ceiling(value: float, *, integer: bool = False) -> tuple[float, float]:
    """A round top for the axis and a step of 1, 2, 2.5 or 5 times a power of ten giving at most five
    gridlines above zero: (top, step). With `integer`, steps are whole numbers (people)."""
    if value <= 0:
        return 1.0, 1.0
    k = math.floor(math.log10(value)) - 1
    while True:
        for factor in (1, 2, 2.5, 5):
            step = factor * 10.0**k
            if integer and (step < 1 or step != int(step)):
                continue
            steps = math.ceil(value / step - 1e-9)
            if steps <= 5:
                return steps * step, step
        k += 1


def stacked_bars(
    *,
    id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[Sequence[float] | None],
    styles: Sequence[SeriesStyle],
    tooltips: Sequence[str],
    tick_format: Callable[[float], str],
    integer_axis: bool = False,
) -> Chart:
    """Bars of stacked parts (one list of part values per bucket, or None where there is no data)."""
    # The legend names only the parts that appear (an online meeting has nobody "in the room").
    shown = [style for i, style in enumerate(styles) if any(v and v[i] > 0 for v in values)]
    chart = Chart(id=id, title=title, description=description, legend=shown or list(styles))
    highest = max((sum(v) for v in values if v), default=0)
    top, step = nice_ceiling(highest, integer=integer_axis)
    n = max(1, len(labels))
    slot = (chart.plot_right - chart.plot_left) / n
    bar_width = slot * 0.68
    # Label every bucket when they fit, else every second or third (always the last one).
    every = 1 if slot >= 28 else 2 if slot * 2 >= 28 else 3
    chart.ticks = _ticks(chart, top, step, tick_format)
    for i, (label, parts, tooltip) in enumerate(zip(labels, values, tooltips, strict=True)):
        x = chart.plot_left + slot * i + (slot - bar_width) / 2
        show_label = (len(labels) - 1 - i) % every == 0
        bar = Bar(
            segments=_segments(chart, parts, styles, x=x, width=bar_width, top=top),
            tooltip=tooltip,
            label=label if show_label else None,
            label_x=x + bar_width / 2,
            empty=not parts or not any(parts),
        )
        bar.empty_y = chart.plot_bottom - 1.5
        chart.bars.append(bar)
    return chart


def _ticks(chart: Chart, top: float, step: float, tick_format: Callable[[float], str]) -> list[Tick]:
    """The value axis: a tick every `step` from 0 to `top`."""
    plot_height = chart.plot_bottom - chart.plot_top
    ticks = []
    y_value = 0.0
    while y_value <= top + 1e-9:
        ticks.append(Tick(chart.plot_bottom - plot_height * (y_value / top), tick_format(y_value)))
        y_value += step
    return ticks


def _segments(
    chart: Chart, parts, styles: Sequence[SeriesStyle], *, x: float, width: float, top: float
) -> list[Segment]:
    """A bar's stacked parts, from the bottom up (parts of 0 or less are left out)."""
    if not parts:
        return []
    plot_height = chart.plot_bottom - chart.plot_top
    segments = []
    base = chart.plot_bottom
    for value, style in zip(parts, styles, strict=True):
        if value <= 0:
            continue
        height = plot_height * (value / top)
        base -= height
        segments.append(
            Segment(round(x, 2), round(base, 2), round(width, 2), round(height, 2), style.css, style.fill)
        )
    return segments
