"""Who hears of a message that failed for good. Mail imports no domain: a domain registers a callback
(the app factory wires them, e.g. newsletters marking a subscription bounced), and the relay calls each
on its own connection, in the transaction that records the failure.

A callback is ``hook(sql, *, key, address_hash, kind, reason, now)``: `sql` the relay's connection (use
SQLAlchemy Core on it), `key` the message's idempotency key, `kind` "refused" (the server refused the
recipient for good: 5xx) or "gave_up" (temporary failures until the retries ran out)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

_failure_hooks: list[Callable] = []


def on_delivery_failed(hook: Callable) -> None:
    """Register `hook` (once)."""
    if hook not in _failure_hooks:
        _failure_hooks.append(hook)


def delivery_failed(
    sql, *, key: str, address_hash: str | None, kind: str, reason: str, now: datetime
) -> None:
    for hook in _failure_hooks:
        hook(sql, key=key, address_hash=address_hash, kind=kind, reason=reason, now=now)
