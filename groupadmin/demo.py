"""Demo data: the contract's organisation, groups and accounts. Idempotent: running it again changes
nothing that exists. Later domains add their demo data here, each in its own function."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from groupadmin.auth import services as auth
from groupadmin.auth.models import User
from groupadmin.extensions import db
from groupadmin.groups import services as groups
from groupadmin.groups.models import Group, Organisation

DEMO_PASSWORD = "recovery-demo"  # noqa: S105 (documented demo password; refused in production)
ORG_SLUG = "lakeside"
DEMO_GROUPS = [
    # slug, name, fellowship
    ("lakeside-aa", "Tuesday Night Lakeside Group", "aa"),
    ("harbour-na", "Harbour Light Group", "na"),
    ("northside-smart", "Northside SMART Group", "smart"),
]
DEMO_ACCOUNTS = [
    # email, display name, site admin
    ("admin@example.org", "Alex A.", True),
    ("secretary@example.org", "Sam S.", False),
    ("sponsor@example.org", "Pat P.", False),
    ("coordinator@example.org", "Chris C.", False),
]


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def _user(email: str, name: str, site_admin: bool, now: datetime) -> User:
    user = auth.find_user_by_email(email)
    if user is None:
        user = auth.create_user(
            email=email, display_name=name, password=DEMO_PASSWORD, now=now, site_admin=site_admin
        )
    return user


def seed(*, now: datetime, scale: str = "demo") -> str:
    users = {email: _user(email, name, admin, now) for email, name, admin in DEMO_ACCOUNTS}
    admin = users["admin@example.org"]
    org = db.session.scalar(sa.select(Organisation).filter_by(slug=ORG_SLUG))
    if org is None:
        org = groups.create_organisation(
            actor=admin,
            name="Lakeside Intergroup",
            slug=ORG_SLUG,
            timezone="America/New_York",
            locale="en",
            now=now,
        )
        org.website_url = "https://lakeside-intergroup.example.org"
        org.contact_email = "info@lakeside-intergroup.example.org"
    groups.grant_org_role(org, admin, "admin", actor=admin, now=now)
    groups.grant_org_role(org, users["coordinator@example.org"], "coordinator", actor=admin, now=now)
    demo_groups = {}
    for slug, name, fellowship in DEMO_GROUPS:
        group = db.session.scalar(sa.select(Group).filter_by(slug=slug))
        if group is None:
            group = groups.create_group(
                org, actor=admin, name=name, fellowship=fellowship, slug=slug, now=now
            )
        demo_groups[slug] = group
    aa = demo_groups["lakeside-aa"]
    groups.grant_group_role(aa, users["secretary@example.org"], "secretary", actor=admin, now=now)
    groups.grant_group_role(aa, users["sponsor@example.org"], "sponsor", actor=admin, now=now)
    for slug in ("harbour-na", "northside-smart"):
        groups.grant_group_role(demo_groups[slug], admin, "secretary", actor=admin, now=now)
    if scale == "intergroup":
        _seed_intergroup(org, admin, now)
    return demo_summary()


def _seed_intergroup(org: Organisation, admin: User, now: datetime, n_groups: int = 2000) -> None:
    """A large intergroup for benchmarks: bulk inserts, idempotent by slug."""
    existing = set(db.session.scalars(sa.select(Group.slug).where(Group.slug.like("bench-%"))))
    fellowships = ["aa", "na", "smart", "ca", "al-anon"]
    rows = [
        {
            "organisation_id": org.id,
            "slug": f"bench-{i:04d}",
            "name": f"Bench Group {i}",
            "fellowship": fellowships[i % len(fellowships)],
            "timezone": org.timezone,
            "locale": "en",
            "mail_naming": "group",
            "created_at": now,
        }
        for i in range(n_groups)
        if f"bench-{i:04d}" not in existing
    ]
    if rows:
        db.session.execute(sa.insert(Group), rows)


def demo_summary() -> str:
    lines = ["Demo accounts (password: recovery-demo):"]
    roles = {
        "admin@example.org": "site admin, admin of Lakeside Intergroup",
        "secretary@example.org": "secretary of Tuesday Night Lakeside Group (AA) only",
        "sponsor@example.org": "sponsor in Tuesday Night Lakeside Group (AA)",
        "coordinator@example.org": "coordinator of Lakeside Intergroup (figures only)",
    }
    lines += [f"  {email:<26} {role}" for email, role in roles.items()]
    return "\n".join(lines)
