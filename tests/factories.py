"""Small builders for test data: each returns a persisted (flushed and committed) object."""

from __future__ import annotations

import itertools
from datetime import timedelta

from groupadmin.auth import services as auth
from groupadmin.extensions import db
from groupadmin.groups import services as groups
from groupadmin.groups.models import Group
from groupadmin.outreach import services as outreach
from groupadmin.resources import services as resources
from tests.conftest import NOW, PASSWORD

_seq = itertools.count(1)


def user(email: str | None = None, *, name: str | None = None, password: str = PASSWORD, site_admin=False):
    n = next(_seq)
    u = auth.create_user(
        email=email or f"user{n}@example.org",
        display_name=name or f"User {n}.",
        password=password,
        now=NOW,
        site_admin=site_admin,
    )
    db.session.commit()
    return u


def organisation(slug: str | None = None, name: str | None = None):
    n = next(_seq)
    org = groups.create_organisation(
        actor=None,
        name=name or f"Intergroup {n}",
        slug=slug or f"org-{n}",
        timezone="America/New_York",
        locale="en",
        now=NOW,
    )
    db.session.commit()
    return org


def group(org=None, slug: str | None = None, *, fellowship: str = "aa", name: str | None = None):
    org = org or organisation()
    n = next(_seq)
    g = groups.create_group(
        org, actor=None, name=name or f"Group {n}", fellowship=fellowship, slug=slug or f"group-{n}", now=NOW
    )
    db.session.commit()
    return g


def member(group, role: str = "secretary", u=None, **user_kwargs):
    u = u or user(**user_kwargs)
    groups.grant_group_role(group, u, role, actor=None, now=NOW)
    db.session.commit()
    return u


def org_member(org, role: str = "admin", u=None, **user_kwargs):
    u = u or user(**user_kwargs)
    groups.grant_org_role(org, u, role, actor=None, now=NOW)
    db.session.commit()
    return u


def meeting(
    group,
    name: str | None = None,
    *,
    recurrence: str = "weekly",
    weekday: int | None = 1,
    month_week=None,
    on_date=None,
    start: str = "19:00",
    duration: int = 60,
    timezone: str | None = None,
    now=None,
    weeks: int = 12,
    slug: str | None = None,
    **values,
):
    """A meeting through the real service (its first schedule and occurrences included). Weekdays are
    Python's (Monday = 0); default: Tuesdays at 19:00 in the group's zone, in person at a full address."""
    from datetime import time

    from groupadmin.meetings import services as meetings
    from groupadmin.meetings.schedule import Rule

    hour, minute = map(int, start.split(":"))
    rule = Rule(
        recurrence, weekday, month_week, on_date, time(hour, minute), duration, timezone or group.timezone
    )
    defaults = {
        "attendance": "in_person",
        "location": "Church hall",
        "formatted_address": "1 Main Street, Springfield, IL 62701, USA",
    }
    m = meetings.create_meeting(
        group,
        actor=None,
        now=now or NOW,
        rule=rule,
        values={"name": name or f"Meeting {next(_seq)}", **defaults, **values},
        weeks=weeks,
        slug=slug,
    )
    db.session.commit()
    return m


def resource(owner, kind: str = "housing", *, name: str | None = None, checked_days_ago: int = 0, **values):
    """A directory entry of an organisation or of a group (`owner`), through the real service; last
    checked `checked_days_ago` days before NOW."""
    n = next(_seq)
    values = {"name": name or f"Service {n}", "kind": kind, "phone": f"555-01{n % 100:02d}", **values}
    entry = resources.save_entry(owner, None, values, now=NOW, actor=None)
    entry.checked_at = NOW - timedelta(days=checked_days_ago)
    db.session.commit()
    return entry
def newcomer(
    owner, *, name="Jo", phone="555-0150", email=None, channels=("call",), now=None, volunteer=None, **extra
):
    """A newcomer asking through the public page of `owner` (a group or an organisation), through the
    real service; assigned to `volunteer` when given."""
    group = owner if isinstance(owner, Group) else None
    organisation = group.organisation if group is not None else owner
    contact = outreach.Contact(name=name, phone=phone, email=email, channels=list(channels), **extra)
    n = outreach.request_call(organisation, group, contact, client=None, now=now or NOW)
    if volunteer is not None:
        n.volunteer_id, n.assigned_at = volunteer.id, now or NOW
    db.session.commit()
    return n
