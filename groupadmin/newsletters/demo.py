"""Demo newsletters: the organisation's public list ``lakeside-news`` and a list of the demo AA group,
each with confirmed example.org subscribers (consent recorded "by hand" by the demo's admin) and two
issues sent in the past months, in the public archive. No mail is sent. Idempotent: a list whose slug
exists already is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.groups.models import Group, Organisation
from groupadmin.newsletters import services
from groupadmin.newsletters.models import MailingList, NewsletterIssue, Subscription

READERS = ["alex.r", "bea.m", "cam.d", "dani.o", "eli.s", "frankie.w", "gale.t", "hollis.v"]

LISTS = [
    # slug, owner ("org" or "group"), name, description, readers
    (
        "lakeside-news",
        "org",
        "Lakeside Intergroup News",
        "Meetings, service and events across the Lakeside groups, once a month.",
        READERS,
    ),
    (
        "tuesday-night-news",
        "group",
        "Tuesday Night News",
        "What is on at the Tuesday Night Lakeside Group: format changes, service positions, anniversaries.",
        READERS[:5],
    ),
]

ISSUES = [
    (
        60,
        "News from the lake: new meetings this autumn",
        "## New meetings\n\nA **Thursday lunchtime** meeting starts at the library, and the Saturday "
        "morning meeting is now hybrid.\n\n## Service\n\nThe intergroup needs a treasurer. Ask at any "
        "business meeting.\n\nSee you at a meeting soon.",
    ),
    (
        30,
        "This month: the winter timetable",
        "## Winter timetable\n\nFrom December the hall closes at 9 pm: meetings start on time.\n\n"
        "- Holiday meetings are listed on the website.\n- Literature orders: see the literature "
        "person after any meeting.\n\nThank you for your service.",
    ),
]


def seed_newsletters(*, now: datetime, actor, organisation_id: int, group_id: int) -> None:
    owners = {"org": db.session.get(Organisation, organisation_id), "group": db.session.get(Group, group_id)}
    for slug, owner_kind, name, description, readers in LISTS:
        if db.session.scalar(sa.select(MailingList.id).where(MailingList.slug == slug)) is not None:
            continue
        owner = owners[owner_kind]
        mlist = services.save_list(
            owner,
            None,
            {
                "name": name,
                "slug": slug,
                "description": description,
                "visibility": "public",
                "language": owner.locale,
                "sender_name": None,
                "consent_wording": str(services.DEFAULT_WORDING),
            },
            now=now - timedelta(days=90),
        )
        _subscribe(mlist, readers, actor, now - timedelta(days=80))
        _sent_issues(mlist, actor, now, len(readers))


def _subscribe(mlist: MailingList, readers: list[str], actor, when: datetime) -> None:
    for local in readers:
        subscriber = services.subscriber_for(
            f"{local}@example.org", first_name=local.split(".")[0].title(), language=mlist.language, now=when
        )
        subscription = Subscription(
            mailing_list=mlist, subscriber=subscriber, status="confirmed", requested_at=when, requests=0
        )
        services.record_consent(subscription, mlist, source="hand", actor=actor, now=when)
        subscription.confirmed_at = when
        db.session.add(subscription)
        db.session.flush()


def _sent_issues(mlist: MailingList, actor, now: datetime, readers: int) -> None:
    for days_ago, subject, body in ISSUES:
        sent_at = now - timedelta(days=days_ago)
        db.session.add(
            NewsletterIssue(
                mailing_list=mlist,
                subject=subject,
                body=body,
                state="sent",
                send_at=sent_at,
                started_at=sent_at,
                sent_at=sent_at,
                enqueued=readers,
                created_by_id=actor.id,
                created_at=sent_at - timedelta(days=2),
                updated_at=sent_at,
            )
        )
