"""Small builders for test data: each returns a persisted (flushed and committed) object."""

from __future__ import annotations

import itertools

from groupadmin.auth import services as auth
from groupadmin.extensions import db
from groupadmin.groups import services as groups
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
