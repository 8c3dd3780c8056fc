"""Demo data: the contract's organisation, groups and accounts. Idempotent: running it again changes
nothing that exists. Later domains add their demo data here, each in its own function."""

from __future__ import annotations

from datetime import datetime
from datetime import time as clock

import sqlalchemy as sa
from flask import current_app

from groupadmin.attendance.demo import seed_counts, seed_intergroup_counts
from groupadmin.auth import services as auth
from groupadmin.auth.models import User
from groupadmin.extensions import db
from groupadmin.formats.demo import seed_formats
from groupadmin.groups import services as groups
from groupadmin.groups.models import Group, Organisation
from groupadmin.meetings import services as meetings
from groupadmin.meetings.models import Meeting, MeetingSchedule
from groupadmin.meetings.schedule import Rule, local_today
from groupadmin.newsletters.demo import seed_newsletters
from groupadmin.outreach.demo import seed_outreach
from groupadmin.resources.demo import seed_resources
from groupadmin.rota.demo import seed_rota

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
    _seed_meetings(demo_groups, admin, now)
    _seed_formats(demo_groups, admin, now)
    _seed_rota(demo_groups, users["secretary@example.org"], now)
    _seed_counts(demo_groups, users, now)
    _seed_newsletters(org, demo_groups, admin, now)
    seed_resources(now=now, actor=admin, organisation_id=org.id, group_id=demo_groups["lakeside-aa"].id)
    _seed_outreach(org, demo_groups, users, now)
    if scale == "intergroup":
        _seed_intergroup(org, admin, now)
        _seed_intergroup_meetings(org, now)
        _seed_intergroup_counts(now)
    return demo_summary()


def _seed_formats(demo_groups: dict, admin: User, now: datetime) -> None:
    seed_formats(now=now, actor=admin, group_ids=[g.id for g in demo_groups.values()])


def _seed_rota(demo_groups: dict, secretary: User, now: datetime) -> None:
    seed_rota(now=now, actor=secretary, group_id=demo_groups["lakeside-aa"].id)


def _seed_newsletters(org: Organisation, demo_groups: dict, admin: User, now: datetime) -> None:
    seed_newsletters(now=now, actor=admin, organisation_id=org.id, group_id=demo_groups["lakeside-aa"].id)


def _seed_outreach(org: Organisation, demo_groups: dict, users: dict, now: datetime) -> None:
    seed_outreach(
        now=now,
        organisation=org,
        group=demo_groups["lakeside-aa"],
        sponsor=users["sponsor@example.org"],
        secretary=users["secretary@example.org"],
    )


def _seed_counts(demo_groups: dict, users: dict, now: datetime) -> None:
    secretary, admin = users["secretary@example.org"], users["admin@example.org"]
    recorders = {g.id: secretary.id if slug == "lakeside-aa" else admin.id for slug, g in demo_groups.items()}
    seed_counts(now=now, group_ids=[g.id for g in demo_groups.values()], recorders=recorders)


def _seed_intergroup_counts(now: datetime) -> None:
    """Five years of weekly head counts for the bench meetings (about a million rows)."""
    seed_intergroup_counts(now=now)


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
        "sponsor@example.org": "sponsor in Tuesday Night Lakeside Group (AA), outreach volunteer of Lakeside",
        "coordinator@example.org": "coordinator of Lakeside Intergroup (figures only)",
    }
    lines += [f"  {email:<26} {role}" for email, role in roles.items()]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------
# Meetings (issue 4): two or three per demo group, one online, one hybrid, and an unlisted monthly
# business meeting among them. Addresses are made up; links use providers meeting finders recognise.

HALL = {
    "location": "St Mark's Church Hall",
    "formatted_address": "120 Lake Street, Lakeside, NY 12345, USA",
    "location_notes": "Side entrance, downstairs. Step-free access from the car park.",
}
DEMO_MEETINGS = {
    "lakeside-aa": [
        (
            "tuesday-night-big-book",
            "Tuesday Night Big Book",
            ("weekly", 1, None, "19:30", 60),
            {
                **HALL,
                "attendance": "hybrid",
                "conference_url": "https://zoom.us/j/81234567890",
                "conference_url_notes": "Passcode: lakeside",
                "types": ["O", "B", "X"],
                "region": "Lakeside",
                "venmo": "@LakesideTuesday",
            },
        ),
        (
            "lunchtime-online",
            "Lunchtime Online",
            ("weekly", 3, None, "12:00", 60),
            {
                "attendance": "online",
                "conference_url": "https://meet.jit.si/lakeside-lunchtime",
                "conference_phone": "+16465588656,,81234567#",
                "city": "Lakeside",
                "state": "NY",
                "country": "USA",
                "types": ["O", "D"],
            },
        ),
        (
            "lakeside-business-meeting",
            "Business Meeting",
            ("monthly", 6, 1, "11:00", 60),
            {
                **HALL,
                "attendance": "in_person",
                "listed": False,
                "private_notes": "Treasurer brings the cash box. Key from the parish office.",
            },
        ),
    ],
    "harbour-na": [
        (
            "harbour-light",
            "Harbour Light",
            ("weekly", 4, None, "20:00", 90),
            {
                "location": "Harbour Community Centre",
                "formatted_address": "8 Quay Road, Lakeside, NY 12346, USA",
                "attendance": "hybrid",
                "conference_url": "https://meet.google.com/abc-defg-hij",
                "types": ["O", "BE", "X"],
            },
        ),
        (
            "harbour-sunday-online",
            "Sunday Evening Online",
            ("weekly", 6, None, "18:00", 60),
            {
                "attendance": "online",
                "conference_url": "https://zoom.us/j/89876543210",
                "city": "Lakeside",
                "state": "NY",
                "country": "USA",
                "types": ["C", "D"],
            },
        ),
        (
            "harbour-group-conscience",
            "Group Conscience",
            ("monthly", 2, -1, "19:00", 60),
            {"attendance": "online", "conference_url": "https://zoom.us/j/85555555555", "listed": False},
        ),
    ],
    "northside-smart": [
        (
            "northside-monday",
            "Northside Monday Meeting",
            ("weekly", 0, None, "18:30", 90),
            {
                "location": "Northside Library, Meeting Room B",
                "formatted_address": "45 Elm Avenue, Lakeside, NY 12347, USA",
                "attendance": "hybrid",
                "conference_url": "https://zoom.us/j/87777777777",
                "types": ["O", "X"],
            },
        ),
        (
            "northside-business-meeting",
            "Business Meeting",
            ("monthly", 1, 2, "20:00", 45),
            {"attendance": "online", "conference_url": "https://zoom.us/j/86666666666", "listed": False},
        ),
    ],
}


def _seed_meetings(demo_groups: dict, admin: User, now: datetime) -> None:
    weeks = current_app.config["OCCURRENCE_WEEKS_AHEAD"]
    for group_slug, items in DEMO_MEETINGS.items():
        group = demo_groups[group_slug]
        for slug, name, (recurrence, weekday, month_week, start, duration), values in items:
            exists = db.session.scalar(
                sa.select(Meeting.id).where(
                    Meeting.organisation_id == group.organisation_id, Meeting.slug == slug
                )
            )
            if exists:
                continue
            hour, minute = map(int, start.split(":"))
            rule = Rule(recurrence, weekday, month_week, None, clock(hour, minute), duration, group.timezone)
            meetings.create_meeting(
                group,
                actor=admin,
                now=now,
                rule=rule,
                values={"name": name, **values},
                weeks=weeks,
                slug=slug,
            )


def _seed_intergroup_meetings(org: Organisation, now: datetime) -> None:
    """Two meetings per bench group (about 4,000) and their occurrences, with bulk inserts."""
    existing = set(db.session.scalars(sa.select(Meeting.slug).where(Meeting.slug.like("bench-%"))))
    bench_groups = db.session.execute(
        sa.select(Group.id, Group.slug).where(Group.slug.like("bench-%")).order_by(Group.slug)
    ).all()
    attendance = ["in_person", "hybrid", "online"]
    type_sets = [["O", "D"], ["C", "B"], ["O", "SP", "X"], ["C", "ST"], ["O", "BE", "W"], ["O", "Y", "LGBTQ"]]
    rows = []
    for n, (group_id, group_slug) in enumerate(bench_groups):
        for k in range(2):
            slug = f"{group_slug}-{'ab'[k]}"
            if slug in existing:
                continue
            i = 2 * n + k
            mode = attendance[i % 3]
            row = {
                "organisation_id": org.id,
                "group_id": group_id,
                "slug": slug,
                "name": f"Bench Meeting {i}",
                "status": "active",
                "listed": True,
                "attendance": mode,
                "types": type_sets[i % len(type_sets)],
                "created_at": now,
                "updated_at": now,
                "notes": "Newcomers welcome." if i % 4 == 0 else None,
            }
            if mode != "online":
                row.update(
                    location=f"Hall {i}",
                    formatted_address=f"{100 + i % 900} Main Street, Lakeside, NY 12345, USA",
                    latitude=40.7 + (i % 100) / 1000,
                    longitude=-74.0 + (i % 100) / 1000,
                )
            else:
                row.update(city="Lakeside", state="NY", country="USA")
            if mode != "in_person":
                row.update(conference_url=f"https://zoom.us/j/{8000000000 + i}")
            rows.append(row)
    if not rows:
        return
    db.session.execute(sa.insert(Meeting), rows)
    ids = dict(
        db.session.execute(
            sa.select(Meeting.slug, Meeting.id).where(Meeting.slug.in_([r["slug"] for r in rows]))
        ).all()
    )
    start = local_today(org.timezone, now)
    schedules = []
    for i, row in enumerate(rows):
        schedules.append(
            {
                "meeting_id": ids[row["slug"]],
                "effective_from": start,
                "recurrence": "weekly",
                "weekday": i % 7,
                "month_week": None,
                "on_date": None,
                "start_time": clock(7 + i % 15, (i % 4) * 15),
                "duration_minutes": 60 + 30 * (i % 2),
                "timezone": org.timezone,
                "created_at": now,
            }
        )
    db.session.execute(sa.insert(MeetingSchedule), schedules)
    meetings.generate_occurrences(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.id.in_(ids.values()))
            .options(sa.orm.selectinload(Meeting.schedules))
        ).all(),
        now=now,
        weeks=current_app.config["OCCURRENCE_WEEKS_AHEAD"],
    )
