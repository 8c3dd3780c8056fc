"""Import and export of a list's subscribers, for its managers.

Import: a CSV with the columns ``email``, ``first_name`` (may be empty), ``consent_date`` and
``consent_source`` (how the person agreed: "paper sign-up sheet, May meeting"). A row without a consent
date and source is refused and listed, as are bad addresses, dates to come and repeated addresses. The
preview changes nothing; applying adds the rows as confirmed subscriptions with their consent record
(source "import", the file's words, who imported them). Someone who left a list or bounced is never
put back by an import. Export: the list's subscribers as a formula-safe CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.errors import UserError
from groupadmin.exports import csv_text
from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.newsletters.models import MailingList, Subscriber, Subscription
from groupadmin.newsletters.services.lists import mask, record
from groupadmin.newsletters.services.signup import subscriber_for

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
REQUIRED = ("email", "consent_date", "consent_source")


class ImportFileError(UserError):
    """A file that cannot be read as a subscribers' CSV at all."""


@dataclass
class ImportRow:
    line: int
    email: str
    first_name: str | None
    consent_at: datetime
    source: str


@dataclass
class ImportPlan:
    rows: list[ImportRow] = field(default_factory=list)
    # (line, masked address, reason)
    refused: list[tuple[int, str, str]] = field(default_factory=list)


def read_import(data: bytes, *, now: datetime) -> ImportPlan:
    """Check a file row by row (nothing is changed)."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_l("The file is too large (2 MB at most)."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(_l("Save the file as CSV in UTF-8 and try again."), field="file") from error
    reader = csv.DictReader(io.StringIO(text))
    columns = {(c or "").strip().lower() for c in reader.fieldnames or []}
    if not set(REQUIRED) <= columns:
        raise ImportFileError(
            _l("The file needs the columns email, first_name, consent_date and consent_source."), field="file"
        )
    plan, seen = ImportPlan(), set()
    for n, raw in enumerate(reader, start=2):
        if n - 1 > MAX_ROWS:
            raise ImportFileError(_l("At most 10,000 rows at a time."), field="file")
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        problem, parsed = _check_row(n, row, now)
        if parsed is not None and parsed.email.casefold() in seen:
            problem, parsed = str(_l("This address is in the file twice.")), None
        if parsed is None:
            plan.refused.append(
                (n, mask(row.get("email", "")) if "@" in row.get("email", "") else "", problem)
            )
        else:
            seen.add(parsed.email.casefold())
            plan.rows.append(parsed)
    return plan


def _check_row(n: int, row: dict, now: datetime) -> tuple[str, ImportRow | None]:
    try:
        address = mail.normalise_address(row.get("email", ""))
    except mail.MailError:
        return str(_l("Not one valid email address.")), None
    source = row.get("consent_source", "")
    try:
        day = date.fromisoformat(row.get("consent_date", ""))
    except ValueError:
        day = None
    if not source or day is None:
        return str(_l("No consent recorded (a consent date, YYYY-MM-DD, and source are needed).")), None
    consent_at = datetime(day.year, day.month, day.day, tzinfo=UTC)
    if consent_at > now or day.year < 1990:
        return str(_l("The consent date is not possible.")), None
    first_name = (row.get("first_name") or "")[:60] or None
    return "", ImportRow(n, address, first_name, consent_at, source[:500])


@dataclass
class Imported:
    added: int = 0
    already: int = 0
    left: int = 0


def apply_import(mlist: MailingList, data: bytes, *, actor, now: datetime) -> Imported:
    """Add the file's good rows as confirmed subscriptions with their consent record."""
    plan, result = read_import(data, now=now), Imported()
    for row in plan.rows:
        subscriber = subscriber_for(row.email, first_name=row.first_name, language=mlist.language, now=now)
        db.session.flush()
        subscription = db.session.scalar(
            sa.select(Subscription).filter_by(list_id=mlist.id, subscriber_id=subscriber.id)
        )
        if subscription is not None and subscription.status in ("unsubscribed", "bounced"):
            result.left += 1
            continue
        if subscription is not None and subscription.status == "confirmed":
            result.already += 1
            continue
        if subscription is None:
            subscription = Subscription(
                mailing_list=mlist, subscriber=subscriber, requested_at=now, requests=0
            )
            db.session.add(subscription)
        subscription.status, subscription.confirmed_at = "confirmed", now
        subscription.consent_at, subscription.consent_source = row.consent_at, "import"
        subscription.consent_wording, subscription.consent_version = row.source, mlist.consent_version
        subscription.recorded_by = actor
        result.added += 1
    db.session.flush()
    record(
        mlist,
        actor=actor,
        action="imported",
        now=now,
        added=result.added,
        already=result.already,
        left=result.left,
    )
    return result


def export_csv(mlist: MailingList) -> str:
    """The list's subscribers (every state), formula-safe, for its managers."""
    rows = db.session.execute(
        sa.select(Subscriber.email, Subscriber.first_name, Subscription)
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(Subscription.list_id == mlist.id)
        .order_by(Subscription.id)
    )
    header = [
        "email",
        "first_name",
        "status",
        "consent_date",
        "consent_source",
        "consent_wording",
        "confirmed_at",
    ]
    return csv_text(
        [
            header,
            *(
                [
                    email,
                    first_name,
                    s.status,
                    s.consent_at.date().isoformat(),
                    s.consent_source,
                    s.consent_wording,
                    s.confirmed_at.isoformat() if s.confirmed_at else "",
                ]
                for email, first_name, s in rows
            ),
        ]
    )


def add_by_hand(
    mlist: MailingList, *, email: str, first_name: str | None, how: str, actor, now: datetime
) -> str:
    """Add one person who agreed (at a meeting, on paper...): a confirmed subscription whose consent
    record says how, by whom. "added", or "already" (on the list); UserError for someone who left or
    bounced (they may sign up again themselves) or a bad address."""
    try:
        address = mail.normalise_address(email)
    except mail.MailError as error:
        raise UserError(_l("Enter one email address, like name@example.org."), field="email") from error
    subscriber = subscriber_for(address, first_name=first_name, language=mlist.language, now=now)
    db.session.flush()
    subscription = db.session.scalar(
        sa.select(Subscription).filter_by(list_id=mlist.id, subscriber_id=subscriber.id)
    )
    if subscription is not None and subscription.status == "confirmed":
        return "already"
    if subscription is not None and subscription.status in ("unsubscribed", "bounced"):
        raise UserError(
            _l("This address left the list or could not be reached: only its owner can sign up again."),
            field="email",
        )
    if subscription is None:
        subscription = Subscription(mailing_list=mlist, subscriber=subscriber, requested_at=now, requests=0)
        db.session.add(subscription)
    subscription.status, subscription.confirmed_at = "confirmed", now
    subscription.consent_at, subscription.consent_source = now, "hand"
    subscription.consent_wording, subscription.consent_version = how[:500], mlist.consent_version
    subscription.recorded_by = actor
    db.session.flush()
    record(mlist, actor=actor, action="added_by_hand", obj=subscription, now=now)
    return "added"
