"""Demo outreach: newcomers at every stage for the Lakeside AA group (a request nobody has taken yet,
calls due today, a step overdue, a person who asked again, a finished plan, one who asked not to be
contacted, one erased by retention) and a request from the organisation's own page. The demo sponsor
follows most of them and is also one of the organisation's outreach volunteers. example.org addresses
and 555-01xx numbers only. No mail is sent (the welcome is not asked for). Idempotent: nothing is
added when the organisation has newcomers already."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.groups import services as groups
from groupadmin.outreach import services
from groupadmin.outreach.models import Newcomer


def _contact(name, phone, email=None, channels=("call",), **extra):
    return services.Contact(name=name, phone=phone, email=email, channels=list(channels), **extra)


def seed_outreach(*, now: datetime, organisation, group, sponsor, secretary) -> None:
    if db.session.scalar(sa.select(Newcomer.id).where(Newcomer.organisation_id == organisation.id).limit(1)):
        return
    groups.grant_org_role(organisation, sponsor, "outreach", actor=None, now=now)

    def ask(days_ago, contact, *, hours=0, owner_group=group):
        return services.request_call(
            organisation, owner_group, contact, client=None, now=now - timedelta(days=days_ago, hours=hours)
        )

    def step(newcomer, outcome, *, days_ago, note=None, by=sponsor):
        follow_up = next(f for f in newcomer.follow_ups if f.state == "open")
        services.record(
            newcomer,
            follow_up,
            outcome=outcome,
            note=note,
            confirmed=True,
            actor=by,
            now=now - timedelta(days=days_ago),
        )

    def give(newcomer, *, days_ago):
        services.assign(newcomer, group, sponsor.id, actor=secretary, now=now - timedelta(days=days_ago))

    # A request from the group's page this morning: nobody has taken it yet.
    ask(0, _contact("Jamie", "555-0101", safe_times="After 5 pm", voicemail_ok=True), hours=5)
    # Asked yesterday, assigned to the sponsor: the first call is overdue by a day.
    robin = ask(1, _contact("Robin", "555-0102", "robin@example.org", ("call", "email")))
    give(robin, days_ago=1)
    # Met in person by the sponsor today: the first call is due today.
    services.add_in_person(
        group, _contact("Casey", "555-0103", channels=("text",), may_name_group=True), actor=sponsor, now=now
    )
    # Reached eight days ago; the day-7 call is one day overdue.
    drew = ask(8, _contact("Drew", "555-0104", safe_times="Weekends"))
    give(drew, days_ago=8)
    step(drew, "reached", days_ago=8, note="Prefers texts before a call")
    # Reached, then asked again on the public page: flagged for the sponsor, no second card.
    morgan = ask(20, _contact("Morgan", "555-0105", "morgan@example.org"))
    give(morgan, days_ago=20)
    step(morgan, "reached", days_ago=20)
    step(morgan, "left_message", days_ago=13)
    ask(0, _contact("Morgan", "555-0105"), hours=2)
    # The whole plan done: reached three times.
    avery = ask(40, _contact("Avery", "555-0106"))
    give(avery, days_ago=40)
    for days_ago in (40, 33, 10):
        step(avery, "reached", days_ago=days_ago)
    # Asked not to be contacted: erased at once, the number on the do-not-contact list.
    quinn = ask(12, _contact("Quinn", "555-0107"))
    give(quinn, days_ago=12)
    step(quinn, "no_answer", days_ago=12)
    step(quinn, "do_not_contact", days_ago=5)
    # An old request, erased by the retention job (only dates and outcomes are left).
    riley = ask(160, _contact("Riley", "555-0108"))
    give(riley, days_ago=160)
    step(riley, "reached", days_ago=159)
    step(riley, "declined", days_ago=152)
    services.erase_expired(today=now.date(), now=now)
    # From the organisation's own page, this afternoon: for its outreach volunteers.
    ask(0, _contact("Sky", "555-0109", "sky@example.org", ("call", "email")), hours=1, owner_group=None)
    db.session.flush()
