"""The one hook for what hangs off an occurrence (head counts, the rota): every path that cancels,
restores, pauses, moves or removes an occurrence tells the listeners, in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from groupadmin.meetings.models import Occurrence


@dataclass(frozen=True)
class OccurrenceChange:
    """An occurrence that is about to change in a way that matters to what hangs off it.

    kind: "cancelled" (by the secretary), "restored" (back to scheduled), "paused" (the meeting is paused
    or archived), "moved" (its start changed: ``previous_starts_at`` says from what) or "removed" (its
    date is no longer in the schedule; the row is deleted right after the hook returns).
    """

    occurrence: Occurrence
    kind: str
    previous_starts_at: datetime | None = None


_listeners: list[Callable] = []


def on_occurrences_changed(listener: Callable) -> Callable:
    """Register ``listener(changes, *, now, actor)``. Listeners are registered explicitly, in order, by
    `groupadmin.create_app` (register_hooks): head counts first (they may refuse the change: a date
    with a count took place), then the rota (it releases the date's turns and tells the people)."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def occurrences_changed(changes: list[OccurrenceChange], *, now: datetime, actor) -> None:
    """THE hook: every path that cancels, restores, pauses, moves or removes an occurrence calls this,
    once per operation, in the same transaction and before a removed row is deleted."""
    if not changes:
        return
    for listener in list(_listeners):
        listener(changes, now=now, actor=actor)
