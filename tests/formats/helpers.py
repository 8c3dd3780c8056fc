"""Builders for format tests: formats through our services (meetings: tests.factories.meeting)."""

from __future__ import annotations

from groupadmin.extensions import db
from groupadmin.formats import services

SECTIONS = [
    {
        "kind": "opening",
        "title": "Welcome",
        "body": "Welcome, everyone.",
        "duration_minutes": 2,
        "led_by": "Chair",
    },
    {"kind": "reading", "title": "Readings", "body": "Read: How It Works, p. 58.", "duration_minutes": 5},
    {"kind": "share", "title": "Shares", "body": "Shares of 3 minutes.", "duration_minutes": 45},
    {"kind": "closing", "title": "Close", "body": "Keep coming back.", "duration_minutes": 3},
]


def make_format(group, *, now, actor=None, name="Our format", sections=SECTIONS, meeting=None):
    """A format whose version 1 (saved at `now`) has `sections`; used by `meeting` from `now` if given."""
    fmt = services.create_format(group, actor=actor, now=now, name=name)
    for values in sections:
        services.add_section(fmt, actor=actor, now=now, values=dict(values))
    services.save_version(fmt, actor=actor, now=now, note="First version")
    if meeting is not None:
        services.assign_format(meeting, fmt, actor=actor, now=now)
    db.session.commit()
    return fmt


def titles(version) -> list[str]:
    return [s.title for s in version.sections]
