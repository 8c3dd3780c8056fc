"""Mailing lists: a group's (its secretaries manage them) or an organisation's (its admins), found by
owner or by their site-wide slug; subscriber counts per state."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.mail.services import mask
from groupadmin.newsletters.models import SUBSCRIPTION_STATUSES, MailingList, Subscriber, Subscription

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DEFAULT_WORDING = _l(
    "I agree to receive this newsletter by email. I can leave at any time with one click, and my address "
    "is never shared."
)


def owner_of(mlist: MailingList):
    """The group or organisation a list belongs to."""
    return mlist.group if mlist.group_id is not None else mlist.organisation


def is_group(owner) -> bool:
    return isinstance(owner, Group)


def _owned_by(owner):
    if is_group(owner):
        return MailingList.group_id == owner.id
    return MailingList.organisation_id == owner.id


def lists_of(owner) -> list[MailingList]:
    return list(db.session.scalars(sa.select(MailingList).where(_owned_by(owner)).order_by(MailingList.name)))


def list_of(owner, list_id: int) -> MailingList | None:
    """The owner's list `list_id`, or None (another owner's list included)."""
    return db.session.scalar(sa.select(MailingList).where(MailingList.id == list_id, _owned_by(owner)))


def list_by_slug(slug: str) -> MailingList | None:
    if len(slug) > 64:
        return None
    return db.session.scalar(
        sa.select(MailingList)
        .where(MailingList.slug == slug)
        .options(sa.orm.joinedload(MailingList.group), sa.orm.joinedload(MailingList.organisation))
    )


def counts_by_list(owner) -> dict[int, dict[str, int]]:
    """{list id: {status: number of subscriptions}}, every status present (one query)."""
    rows = db.session.execute(
        sa.select(Subscription.list_id, Subscription.status, sa.func.count())
        .join(MailingList, MailingList.id == Subscription.list_id)
        .where(_owned_by(owner))
        .group_by(Subscription.list_id, Subscription.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for list_id, status, n in rows:
        counts.setdefault(list_id, dict.fromkeys(SUBSCRIPTION_STATUSES, 0))[status] = n
    return counts


def record(mlist: MailingList, *, actor, action: str, now: datetime, obj=None, **details) -> None:
    """A change log entry for something done to a list (its group's or organisation's log); never an
    address or a name in it."""
    audit.record(
        now=now,
        actor=actor,
        action=f"newsletter.{action}",
        obj=obj or mlist,
        group=mlist.group,
        organisation=mlist.organisation if mlist.group_id is None else None,
        **details,
    )


def save_list(owner, mlist: MailingList | None, values: dict, *, now: datetime, actor=None) -> MailingList:
    """Create (mlist None) or change a list. `values`: name, slug, description, visibility, language,
    sender_name, consent_wording. A changed wording gets a new version (consent records keep theirs)."""
    slug = (values.get("slug") or "").strip().lower()
    if not SLUG.fullmatch(slug) or len(slug) > 64:
        raise UserError(_l("Lower-case letters, digits and hyphens only."), field="slug")
    taken = db.session.scalar(sa.select(MailingList.id).where(MailingList.slug == slug))
    if taken is not None and (mlist is None or taken != mlist.id):
        raise UserError(_l("Another list has this address already."), field="slug")
    if mlist is None:
        mlist = MailingList(created_at=now, consent_version=1)
        if is_group(owner):
            mlist.group = owner
        else:
            mlist.organisation = owner
        db.session.add(mlist)
    elif mlist.consent_wording != values["consent_wording"]:
        mlist.consent_version += 1
    mlist.slug = slug
    for name in ("name", "visibility", "language", "consent_wording"):
        setattr(mlist, name, values[name])
    mlist.description = values.get("description") or None
    mlist.sender_name = values.get("sender_name") or None
    db.session.flush()
    record(mlist, actor=actor, action="list_saved", now=now, visibility=mlist.visibility)
    return mlist


def bounced_of(mlist: MailingList) -> list[tuple[str, str | None]]:
    """The list's undeliverable addresses, masked, with the reason (for its managers)."""
    rows = db.session.execute(
        sa.select(Subscriber.email, Subscription.bounce_reason)
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(Subscription.list_id == mlist.id, Subscription.status == "bounced")
        .order_by(Subscription.bounced_at.desc())
    )
    return [(mask(email), reason) for email, reason in rows]
