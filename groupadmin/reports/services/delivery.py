"""Reports by mail: a coordinator's subscriptions (monthly, quarterly), and the job that, on the second
day of the next period at 08:00 organisation time, mails each subscriber a signed, expiring download
link (no attachment) through the outbox, once per subscriber and period (the idempotency key)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin import signing
from groupadmin.audit import services as audit
from groupadmin.errors import LinkProblem
from groupadmin.extensions import db
from groupadmin.groups.models import Organisation, OrgRole
from groupadmin.mail import services as mail
from groupadmin.reports.models import FREQUENCIES, ReportSubscription
from groupadmin.reports.services import periods

LINK_DAYS = 30  # how long a mailed download link works
SEND_HOUR = 8
LATE_DAYS = 7  # a delivery missed (scheduler down) is still made within a week, never later
TEMPLATE_OF = {"monthly": "summary", "quarterly": "funder"}
PURPOSE = "report-download"


def subscriptions_of(organisation, user) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(ReportSubscription.frequency).where(
                ReportSubscription.organisation_id == organisation.id, ReportSubscription.user_id == user.id
            )
        )
    )


def set_subscriptions(organisation, user, frequencies: set[str], *, now: datetime) -> set[str]:
    """Subscribe `user` to exactly `frequencies` of the organisation's reports; what changed."""
    wanted = {f for f in frequencies if f in FREQUENCIES}
    current = subscriptions_of(organisation, user)
    for frequency in wanted - current:
        db.session.add(
            ReportSubscription(
                organisation_id=organisation.id, user_id=user.id, frequency=frequency, created_at=now
            )
        )
    if current - wanted:
        db.session.execute(
            sa.delete(ReportSubscription).where(
                ReportSubscription.organisation_id == organisation.id,
                ReportSubscription.user_id == user.id,
                ReportSubscription.frequency.in_(current - wanted),
            )
        )
    changed = wanted ^ current
    if changed:
        audit.record(
            now=now,
            actor=user,
            action="reports.subscriptions",
            object_type="organisation",
            organisation=organisation,
            frequencies=sorted(wanted),
        )
    return changed


def period_start(frequency: str, today: date) -> date:
    return today.replace(day=1) if frequency == "monthly" else periods.quarter_start(today)


def due_period(frequency: str, local_now: datetime) -> periods.Period | None:
    """The period to deliver at `local_now` (organisation time): the previous month or quarter, from the
    second day of the current one at 08:00 for a week; None outside that window."""
    first = period_start(frequency, local_now.date())
    send_at = datetime.combine(first + timedelta(days=1), time(SEND_HOUR), local_now.tzinfo)
    if not send_at <= local_now < send_at + timedelta(days=LATE_DAYS):
        return None
    return periods.previous(frequency, local_now.date())


def download_token(organisation_id: int, user_id: int, period: periods.Period, template: str) -> str:
    return signing.sign(
        PURPOSE,
        {
            "o": organisation_id,
            "u": user_id,
            "s": period.start.isoformat(),
            "e": period.end.isoformat(),
            "t": template,
        },
    )


def read_token(token: str) -> dict:
    """What a download link names, if it is still good: the organisation, the user (still a coordinator or
    admin of it), the period and template. Raises LinkProblem."""
    data = signing.unsign(PURPOSE, token, max_age=timedelta(days=LINK_DAYS))
    try:
        period = periods.Period(date.fromisoformat(data["s"]), date.fromisoformat(data["e"]))
        organisation_id, user_id, template = int(data["o"]), int(data["u"]), str(data["t"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkProblem.invalid() from exc
    organisation = db.session.get(Organisation, organisation_id)
    still = db.session.scalar(
        sa.select(sa.func.count(OrgRole.id)).where(
            OrgRole.organisation_id == organisation_id, OrgRole.user_id == user_id
        )
    )
    if organisation is None or not still:
        raise LinkProblem(
            _l("This link no longer works: the report was for someone who no longer has this role.")
        )
    return {"organisation": organisation, "user_id": user_id, "period": period, "template": template}


def deliver_due(*, now: datetime) -> int:
    """Enqueue the reports due at `now` (one query for the subscriptions with their people and
    organisations); the outbox's idempotency key makes a second run, or a second scheduler, a no-op."""
    rows = db.session.execute(
        sa.select(ReportSubscription, Organisation)
        .join(Organisation, Organisation.id == ReportSubscription.organisation_id)
        .join(
            OrgRole,
            sa.and_(
                OrgRole.organisation_id == ReportSubscription.organisation_id,
                OrgRole.user_id == ReportSubscription.user_id,
            ),
        )
        .options(sa.orm.joinedload(ReportSubscription.user))
        .distinct()
        .order_by(ReportSubscription.id)
    ).all()
    sent = 0
    for subscription, organisation in rows:
        local_now = now.astimezone(ZoneInfo(organisation.timezone))
        period = due_period(subscription.frequency, local_now)
        user = subscription.user
        if period is None or not user.active:
            continue
        template = TEMPLATE_OF[subscription.frequency]
        locale = user.locale or organisation.locale
        label = period.label(locale)
        message = mail.enqueue(
            key=f"report:{organisation.id}:{user.id}:{subscription.frequency}:{period.start.isoformat()}",
            to=user.email,
            subject=_l("%(org)s: the report for %(period)s", org=organisation.name, period=label),
            template="reports/delivery",
            context={
                "name": user.display_name,
                "organisation": organisation,
                "period": label,
                "days": LINK_DAYS,
                "link": mail.external_url(
                    "reports.download_link", token=download_token(organisation.id, user.id, period, template)
                ),
                "settings": mail.external_url("reports.org_report", org_slug=organisation.slug),
            },
            now=now,
            locale=locale,
            sender_name=organisation.name,
        )
        sent += message is not None
    return sent
