"""Suppression as properties: for random tables (rows, columns and their totals), no hidden cell can be
worked out from its row, its column or the totals; every count from 1 to N-1 is hidden; percentages are
hidden with their parts."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from groupadmin.reports.services.report import TOTAL, _equations, _figures
from groupadmin.reports.services.suppression import recoverable, suppress


def table_cells(values: list[list[int]]):
    """A grid with row totals, column totals and a grand total, and its equations."""
    cells, equations = {}, []
    rows, cols = len(values), len(values[0])
    for i in range(rows):
        for j in range(cols):
            cells[(i, j)] = values[i][j]
        cells[(i, "total")] = sum(values[i])
        equations.append([(i, "total")] + [(i, j) for j in range(cols)])
    for j in range(cols):
        cells[("total", j)] = sum(values[i][j] for i in range(rows))
        equations.append([("total", j)] + [(i, j) for i in range(rows)])
    cells[("total", "total")] = sum(sum(r) for r in values)
    equations.append([("total", "total")] + [(i, "total") for i in range(rows)])
    equations.append([("total", "total")] + [("total", j) for j in range(cols)])
    return cells, equations


grids = st.integers(1, 6).flatmap(
    lambda cols: st.lists(
        st.lists(
            st.one_of(st.just(0), st.integers(1, 15), st.integers(0, 400)), min_size=cols, max_size=cols
        ),
        min_size=1,
        max_size=7,
    )
)


@settings(max_examples=300, deadline=None)
@given(grids, st.integers(2, 20))
def test_no_hidden_cell_can_be_worked_out_from_its_row_column_or_totals(values, threshold):
    cells, equations = table_cells(values)
    result = suppress(cells, equations, threshold=threshold, totals=[k for k in cells if "total" in k])
    # Every count from 1 to N-1 is hidden, whatever its place (totals included).
    assert all(key in result.hidden for key, v in cells.items() if 0 < v < threshold)
    assert result.primary == {key for key, v in cells.items() if 0 < v < threshold}
    # And no equation leaves exactly one hidden cell to work out.
    assert recoverable(cells, equations, result.hidden) == set()
    # What is shown is never between 1 and N-1.
    assert not any(0 < cells[k] < threshold for k in cells if k not in result.hidden)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 3), st.integers(0, 12)),
        min_size=1,
        max_size=6,
    ),
    st.integers(2, 15),
)
def test_the_report_cells_hide_percentages_and_averages_with_their_parts(groups, threshold):
    """Groups with (in person, online, meetings counted, newcomers) in two months: shares and averages
    are shown only when both their parts are; no equation of the report gives a hidden cell away."""
    months = [("m", date(2026, 10, 1)), ("m", date(2026, 11, 1))]
    scopes = [("g", i) for i in range(len(groups))]
    cells = {}
    for scope, (room, online, counted, newcomers) in zip(scopes, groups, strict=True):
        for key, v in (
            ("in_person", room),
            ("online", online),
            ("attendances", room + online),
            ("counted", counted),
            ("newcomers", min(newcomers, room + online)),
        ):
            cells[(scope, key)] = v
    for key in ("in_person", "online", "attendances", "counted", "newcomers"):
        cells[(TOTAL, key)] = sum(cells[(s, key)] for s in scopes)
        # All of a group's figures fell in the first month.
        cells[(months[0], key)] = cells[(TOTAL, key)]
        cells[(months[1], key)] = 0
    for key in ("requests", "contacted_1d", "contacted_7d", "reached", "subscribers"):
        for s in [TOTAL, *scopes, *months]:
            cells[(s, key)] = 0
    cells[(TOTAL, "outcomes_all")] = cells[(TOTAL, "sources_all")] = 0
    equations = _equations(cells, scopes, months)
    people = [k for k in cells if k[1] in ("in_person", "online", "attendances", "newcomers")]
    result = suppress(
        cells, equations, threshold=threshold, sensitive=people, totals=[k for k in cells if k[0] == TOTAL]
    )
    assert recoverable(cells, equations, result.hidden) == set()
    figure = _figures(cells, result, {})
    for scope in [TOTAL, *scopes, *months]:
        share, average = figure(scope, "online_share"), figure(scope, "average")
        if {(scope, "online"), (scope, "attendances")} & result.hidden:
            assert share.value is None and share.state == "hidden"
        if (scope, "attendances") in result.hidden:
            assert average.value is None and average.state == "hidden"
        for key in ("attendances", "in_person", "online", "newcomers"):
            f = figure(scope, key)
            assert f.value is None or not 0 < f.value < threshold


def test_a_groups_own_figures_hide_nothing():
    cells, equations = table_cells([[3, 0], [40, 2]])
    assert suppress(cells, equations, threshold=None).hidden == frozenset()


def test_a_single_small_cell_takes_the_smallest_neighbour_with_it():
    cells, equations = table_cells([[3, 50], [40, 60]])
    result = suppress(cells, equations, threshold=11, totals=[k for k in cells if "total" in k])
    assert (0, 0) in result.primary
    # Its row and its column each give up one more cell; the smallest ones go, the rest stays.
    assert {(0, 1), (1, 0), (1, 1)} <= result.complementary
    assert recoverable(cells, equations, result.hidden) == set()
    assert ("total", "total") not in result.hidden
