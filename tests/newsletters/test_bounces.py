"""Bounces, as the relay meets them on a real SMTP server: a permanent refusal marks the subscription
bounced and nothing more is written to it; three issues that could not be delivered mark it too."""

from __future__ import annotations

from datetime import timedelta

import pytest

from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.mail import transports
from groupadmin.newsletters import jobs, services
from groupadmin.newsletters.services import bounces
from tests.conftest import NOW, login
from tests.newsletters import helpers
from tests.smtp_sink import smtp_sink  # noqa: F401


def _send_issue(mlist, subject="News", now=NOW):
    issue = services.save_issue(mlist, None, subject=subject, body="Hello.", actor=None, now=now)
    services.send_now(issue, now=now)
    db.session.commit()
    jobs.send(now)
    return issue


@pytest.mark.postgres
def test_a_permanent_refusal_marks_the_subscription_bounced(app, client, setup, smtp_sink):  # noqa: F811
    gone = helpers.subscribe(setup.mlist, "gone@example.net")
    here = helpers.subscribe(setup.mlist, "here@example.net")
    smtp_sink.handler.refuse["gone@example.net"] = "550 5.1.1 <gone@example.net>: Recipient address rejected"
    _send_issue(setup.mlist)
    mail.deliver_due(now=NOW, transport=transports.from_url(smtp_sink.url, timeout=5))
    gone = helpers.reload(gone)
    assert gone.status == "bounced" and gone.bounced_at is not None and gone.bounce_reason.startswith("550")
    assert helpers.reload(here).status == "confirmed"
    second = _send_issue(setup.mlist, "More news", now=NOW + timedelta(days=30))
    assert helpers.reload(second).enqueued == 1  # the bounced one gets nothing more
    login(client, "sec@example.org")
    page = client.get(f"/groups/{setup.group.slug}/news/{setup.mlist.id}/").get_data(as_text=True)
    assert "g***@example.net" in page and "gone@example.net" not in page


def test_three_issues_that_could_not_be_delivered_mark_it_bounced(app, setup):
    subscription = helpers.subscribe(setup.mlist, "flaky@example.net")
    with db.engine.begin() as sql:
        for issue_id in (1, 2):
            bounces.record_delivery_failure(
                sql,
                key=f"newsletter:{issue_id}:{subscription.id}",
                address_hash=None,
                kind="gave_up",
                reason="451 try later",
                now=NOW,
            )
    assert helpers.reload(subscription).status == "confirmed"
    with db.engine.begin() as sql:
        bounces.record_delivery_failure(
            sql, key="not-a-newsletter:1", address_hash=None, kind="gave_up", reason="x", now=NOW
        )
        bounces.record_delivery_failure(
            sql,
            key=f"newsletter:3:{subscription.id}",
            address_hash=None,
            kind="gave_up",
            reason="451 try later",
            now=NOW,
        )
    subscription = helpers.reload(subscription)
    assert subscription.status == "bounced" and subscription.soft_bounces == 3
