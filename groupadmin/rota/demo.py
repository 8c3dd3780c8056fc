"""Demo rota: the usual roles, a dozen volunteers (example.org addresses), and the next eight weeks filled
fairly by the auto-fill, some confirmed, some still asked, a declined turn and a few gaps. No mail is
sent. Idempotent: a group that has rota roles already is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.rota import services
from groupadmin.rota.models import Assignment, ServiceRole

# name, email (None: reached in person), roles by kind
DEMO_PEOPLE = [
    ("Jamie L.", "jamie.l@example.org", ("chair", "speaker", "seventh_tradition")),
    ("Morgan K.", "morgan.k@example.org", ("chair", "speaker")),
    ("Riley P.", "riley.p@example.org", ("chair", "greeter", "coffee")),
    ("Casey T.", "casey.t@example.org", ("speaker", "literature")),
    ("Jordan M.", "jordan.m@example.org", ("tech_host", "chair")),
    ("Taylor B.", "taylor.b@example.org", ("speaker", "greeter", "seventh_tradition")),
    ("Drew S.", None, ("coffee", "greeter")),
    ("Avery N.", "avery.n@example.org", ("tech_host", "literature")),
    ("Quinn H.", "quinn.h@example.org", ("chair", "speaker", "coffee")),
    ("Robin F.", None, ("seventh_tradition", "speaker")),
    ("Sky W.", "sky.w@example.org", ("speaker",)),
    ("Pat G.", "pat.g@example.org", ("greeter", "coffee", "literature")),
]


def seed_rota(*, now: datetime, actor, group_id: int, weeks: int = 8) -> None:
    group = db.session.get(Group, group_id)
    if db.session.scalar(sa.select(ServiceRole.id).where(ServiceRole.group_id == group.id).limit(1)):
        return
    services.add_default_roles(group, actor=actor, now=now)
    roles = {r.kind: r for r in services.group_roles(group)}
    people = []
    for name, email, kinds in DEMO_PEOPLE:
        people.append(
            services.save_person(
                group,
                None,
                actor=actor,
                now=now,
                display_name=name,
                email=email,
                phone=f"+1 555 010 01{len(people):02d}" if email is None else None,
                consent=True,
                role_ids=[roles[k].id for k in kinds if k in roles],
                active=True,
                user_id=None,
            )
        )
    today = services.group_today(group, now)
    services.add_blackout(
        people[1],
        actor=actor,
        now=now,
        starts_on=today + timedelta(days=14),
        ends_on=today + timedelta(days=27),
    )
    preview = services.preview_autofill(
        group, start=today, end=today + timedelta(weeks=weeks, days=-1), now=now
    )
    for n, proposal in enumerate(preview.plan.proposals):
        occurrence = preview.occurrences[proposal.occurrence_id]
        if n % 9 == 4:
            continue  # a few gaps for the secretary to fill
        days_ahead = (occurrence.local_date - today).days
        status = "confirmed" if days_ahead < 14 or n % 3 == 0 else "proposed"
        if n == 7:
            status = "declined"
        db.session.add(
            Assignment(
                occurrence=occurrence,
                role=preview.roles[proposal.role_id],
                person=preview.people[proposal.person_id],
                status=status,
                created_at=now,
                created_by_id=getattr(actor, "id", None),
                asked_at=now if preview.people[proposal.person_id].email else None,
                responded_at=now if status in ("confirmed", "declined") else None,
                confirmed_via="link" if status == "confirmed" else None,
            )
        )
    db.session.flush()
