"""Small-cell suppression: the one function deciding which figures of a report may be shown.

A report is a set of cells (keyed by anything hashable) and a set of *equations*: groups of cells one of
which is the sum of the others (a row and its total, a column and its total, the in-person and online
parts of the attendances). Whoever reads the report knows every shown cell and every equation.

1. **Primary suppression**: every count of people from 1 to ``threshold - 1`` is hidden (shown as
   "fewer than N"). 0 is shown: it points at nobody.
2. **Complementary suppression**: an equation with exactly one hidden cell would give it away (the total
   minus the others), so one more cell of that equation is hidden, the smallest non-zero one first
   (it loses the least), then a zero, totals last. Hiding a cell can expose another equation, so this
   runs until no equation has exactly one hidden cell.

The result is the set of hidden keys, split into the primary ones and the complementary ones.
Percentages and averages are hidden with their parts by the caller (`derived_hidden`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Suppressed:
    primary: frozenset
    complementary: frozenset

    @property
    def hidden(self) -> frozenset:
        return self.primary | self.complementary

    def state(self, key: Hashable) -> str:
        """shown | fewer (1 … N-1) | hidden (to protect another cell)"""
        if key in self.primary:
            return "fewer"
        if key in self.complementary:
            return "hidden"
        return "shown"


NOTHING = Suppressed(frozenset(), frozenset())


def suppress(
    cells: Mapping[Hashable, int],
    equations: Iterable[Iterable[Hashable]],
    *,
    threshold: int | None,
    sensitive: Iterable[Hashable] | None = None,
    totals: Iterable[Hashable] = (),
) -> Suppressed:
    """The cells to hide. `sensitive`: the keys that are counts of people (default: all); `totals`: the
    keys to hide last in complementary suppression. `threshold` None: nothing is hidden (a group's own
    figures)."""
    if threshold is None:
        return NOTHING
    sensitive_keys = set(cells) if sensitive is None else set(sensitive)
    primary = {key for key in sensitive_keys if key in cells and 0 < cells[key] < threshold}
    hidden = set(primary)
    eqs = [tuple(dict.fromkeys(k for k in eq if k in cells)) for eq in equations]
    eqs = [eq for eq in eqs if len(eq) > 1]
    last = set(totals)

    def cost(key):
        value = cells[key]
        return (key in last, value == 0, value, repr(key))

    changed = True
    while changed:
        changed = False
        for eq in eqs:
            hidden_here = [k for k in eq if k in hidden]
            if len(hidden_here) != 1:
                continue
            visible = [k for k in eq if k not in hidden]
            hidden.add(min(visible, key=cost))
            changed = True
    return Suppressed(frozenset(primary), frozenset(hidden - primary))


def recoverable(
    cells: Mapping[Hashable, int], equations: Iterable[Iterable[Hashable]], hidden: Iterable[Hashable]
) -> set:
    """The hidden cells a reader could work out exactly from one equation (for tests and checks): those
    alone hidden in an equation. Empty for every result of `suppress`."""
    hidden = set(hidden)
    found = set()
    for eq in equations:
        keys = [k for k in dict.fromkeys(eq) if k in cells]
        hidden_here = [k for k in keys if k in hidden]
        if len(keys) > 1 and len(hidden_here) == 1:
            found.add(hidden_here[0])
    return found
