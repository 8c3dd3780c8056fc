"""The SVG bar charts' geometry: round axes, bars inside the plot, empty buckets marked, labels that fit."""

from __future__ import annotations

import pytest

from groupadmin.attendance import charts

A = charts.SeriesStyle("In the room", "chart-a", "#1f5fa8")
B = charts.SeriesStyle("Online", "chart-b", "#7fb0e6")


@pytest.mark.parametrize(
    ("value", "integer", "expected"),
    [
        (23, True, (25, 5)),
        (26, True, (30, 10)),
        (3, True, (3, 1)),
        (1, True, (1, 1)),
        (0, True, (1, 1)),
        (45.5, False, (50, 10)),
        (0.4, False, (0.4, 0.1)),
        (1234, False, (1250, 250)),
    ],
)
def test_round_axes(value, integer, expected):
    top, step = charts.nice_ceiling(value, integer=integer)
    assert (top, step) == pytest.approx(expected)
    assert top >= value and top / step <= 5


def _chart(values, labels=None):
    labels = labels or [f"w{i}" for i in range(len(values))]
    return charts.stacked_bars(
        id="t",
        title="Average attendance",
        description="…",
        labels=labels,
        values=values,
        styles=[A, B],
        tooltips=[f"tip {i}" for i in range(len(values))],
        tick_format=lambda v: f"{v:g}",
        integer_axis=True,
    )


def test_bars_stack_inside_the_plot_and_empty_buckets_are_marked():
    chart = _chart([[10, 5], None, [20, 0], [0, 0]])
    assert [t.label for t in chart.ticks] == ["0", "5", "10", "15", "20"]
    first, empty, third, zero = chart.bars
    room, online = first.segments
    assert room.y + room.height == pytest.approx(chart.plot_bottom)
    assert online.y + online.height == pytest.approx(room.y)
    assert online.y == pytest.approx(chart.plot_bottom - (chart.plot_bottom - chart.plot_top) * 15 / 20)
    assert third.segments[0].y == pytest.approx(chart.plot_top) and len(third.segments) == 1
    assert empty.empty and not empty.segments and zero.empty
    for bar in chart.bars:
        for s in bar.segments:
            assert chart.plot_left <= s.x and s.x + s.width <= chart.plot_right
    assert [s.name for s in chart.legend] == ["In the room", "Online"]


def test_the_legend_names_only_parts_that_appear():
    assert [s.name for s in _chart([[0, 12], [0, 9]]).legend] == ["Online"]


def test_labels_are_thinned_when_they_would_not_fit_and_the_last_is_kept():
    many = _chart([[1, 1]] * 12)
    shown = [b.label for b in many.bars if b.label]
    assert shown[-1] == "w11" and len(shown) in (6, 12)
    crowded = _chart([[1, 1]] * 30)
    assert 5 <= sum(1 for b in crowded.bars if b.label) <= 10
