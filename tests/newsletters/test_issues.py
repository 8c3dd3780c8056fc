"""Issues: compose in Markdown (sanitised), preview, a test to me, send now or at a local time, the job's
batches (once per subscription, resumable), pause, resume, cancel, lateness, progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage
from groupadmin.newsletters import jobs, services
from groupadmin.newsletters.models import NewsletterIssue, Subscription
from tests.conftest import NOW, login
from tests.newsletters import helpers

BODY = "# This month\n\nCoffee *after* the meeting.\n\n<script>alert(1)</script> [link](javascript:alert(1))"


def _issue(mlist, body=BODY, subject="November news"):
    issue = services.save_issue(mlist, None, subject=subject, body=body, actor=None, now=NOW)
    db.session.commit()
    return issue


def _newsletters(issue) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like(f"newsletter:{issue.id}:%"))
            .order_by(OutboxMessage.id)
        )
    )


def _subscribers(mlist, n, start=0):
    return [helpers.subscribe(mlist, f"reader{i}@example.net") for i in range(start, start + n)]


def test_compose_preview_and_send_a_test_to_me(client, setup):
    login(client, "sec@example.org")
    base = f"/groups/{setup.group.slug}/news/{setup.mlist.id}"
    response = client.post(f"{base}/issues/new", data={"subject": "November news", "body": BODY})
    assert response.status_code == 302
    issue = db.session.scalar(sa.select(NewsletterIssue))
    assert issue.state == "draft"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h3>This month</h3>" in page and "<em>after</em>" in page
    assert "<script>alert(1)</script>" not in page and 'href="javascript' not in page
    client.post(f"{base}/issues/{issue.id}/test")
    (test,) = helpers.outbox("newsletters/issue")
    assert test.recipient == "sec@example.org" and test.subject == "[Test] November news"
    assert test.headers["List-Id"].endswith("<tuesday-news.lists.example.org>")
    assert helpers.reload(issue).state == "draft"


@pytest.mark.postgres
def test_send_now_enqueues_once_per_confirmed_subscription_even_when_the_job_runs_twice(app, setup, tmp_path):
    confirmed = _subscribers(setup.mlist, 3)
    helpers.subscribe(setup.mlist, "waiting@example.net", confirmed=False)
    left = helpers.subscribe(setup.mlist, "left@example.net")
    services.unsubscribe(left, now=NOW)
    issue = _issue(setup.mlist)
    services.send_now(issue, now=NOW)
    db.session.commit()
    jobs.send(NOW)
    jobs.send(NOW + timedelta(minutes=1))
    messages = _newsletters(issue)
    assert sorted(m.idempotency_key for m in messages) == sorted(
        f"newsletter:{issue.id}:{s.id}" for s in confirmed
    )
    issue = helpers.reload(issue)
    assert (issue.state, issue.sent_at, issue.enqueued) == ("sent", NOW, 3)
    assert helpers.deliver(tmp_path).sent == 3 + 5  # and the five sign-ups' messages
    issues = [helpers.read_eml(p) for p in tmp_path.glob("*.eml")]
    issues = [(m, t) for m, t in issues if m["Subject"] == "November news"]
    assert len(issues) == 3
    message, text = issues[0]
    assert message["List-Id"] == "Tuesday News <tuesday-news.lists.example.org>"
    assert message["List-Unsubscribe"].startswith("<http://localhost/r/news-leave/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/r/news-prefs/" in text and "Coffee *after* the meeting." in text
    html = message.get_body(("html",)).get_content()
    assert "<img" not in html and "<script" not in html


def test_the_one_click_link_of_a_message_unsubscribes_its_reader(app, setup):
    (subscription,) = _subscribers(setup.mlist, 1)
    issue = _issue(setup.mlist)
    services.send_now(issue, now=NOW)
    db.session.commit()
    jobs.send(NOW)
    (message,) = _newsletters(issue)
    link = message.headers["List-Unsubscribe"].strip("<>").removeprefix("http://localhost")
    provider = app.test_client(use_cookies=False)
    assert provider.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert helpers.reload(subscription).status == "unsubscribed"
    assert helpers.reload(message).status == "failed"  # it had not gone yet: cancelled


@pytest.mark.postgres
def test_sending_resumes_after_a_restart_between_batches(app, setup):
    _subscribers(setup.mlist, 5)
    issue = _issue(setup.mlist)
    services.send_now(issue, now=NOW)
    db.session.commit()
    assert services.send_batch(issue.id, now=NOW, size=2) is True
    db.session.commit()
    db.session.rollback()  # a crash after the first batch's commit
    assert len(_newsletters(issue)) == 2 and helpers.reload(issue).state == "sending"
    app.config["NEWSLETTER_BATCH"] = 2
    jobs.send(NOW + timedelta(minutes=1))
    assert len(_newsletters(issue)) == 5
    assert helpers.reload(issue).state == "sent"


def test_pause_resume_and_cancel(app, client, setup):
    _subscribers(setup.mlist, 4)
    issue = _issue(setup.mlist)
    services.send_now(issue, now=NOW)
    db.session.commit()
    services.send_batch(issue.id, now=NOW, size=2)
    db.session.commit()
    login(client, "sec@example.org")
    url = f"/groups/{setup.group.slug}/news/{setup.mlist.id}/issues/{issue.id}/state"
    client.post(url, data={"action": "pause"})
    assert helpers.reload(issue).state == "paused"
    jobs.send(NOW)
    assert len(_newsletters(issue)) == 2
    client.post(url, data={"action": "resume"})
    client.post(url, data={"action": "cancel"})
    issue = helpers.reload(issue)
    assert issue.state == "cancelled"
    assert {m.status for m in _newsletters(issue)} == {"failed"}
    jobs.send(NOW)
    assert len(_newsletters(issue)) == 2
    client.post(url, data={"action": "resume"})  # not possible now: nothing changes
    client.post(url, data={"action": "explode"})
    assert helpers.reload(issue).state == "cancelled"


def test_schedule_at_a_local_time_and_hold_an_issue_too_late(app, client, setup):
    _subscribers(setup.mlist, 2)
    issue = _issue(setup.mlist)
    login(client, "sec@example.org")
    url = f"/groups/{setup.group.slug}/news/{setup.mlist.id}/issues/{issue.id}/schedule"
    # NOW is 2026-11-21 18:00 UTC, 13:00 in New York (the group's zone).
    assert client.post(url, data={"send_date": "2026-11-21", "send_time": "12:00"}).status_code == 422
    assert client.post(url, data={"send_date": "2026-13-40", "send_time": "25:00"}).status_code == 422
    assert client.post(url, data={"send_date": "2026-11-21", "send_time": "14:00"}).status_code == 302
    issue = helpers.reload(issue)
    assert issue.state == "scheduled" and issue.send_at == NOW + timedelta(hours=1)
    jobs.send(NOW + timedelta(minutes=59))
    assert helpers.reload(issue).state == "scheduled" and _newsletters(issue) == []
    jobs.send(NOW + timedelta(hours=1, minutes=1))
    assert helpers.reload(issue).state == "sent" and len(_newsletters(issue)) == 2

    late = _issue(setup.mlist, subject="Late news")
    local_now = (NOW - timedelta(hours=5)).replace(tzinfo=None)  # 13:00 in New York is NOW
    services.schedule(late, local=local_now, now=NOW - timedelta(hours=1))
    db.session.commit()
    jobs.send(NOW + timedelta(hours=13))
    late = helpers.reload(late)
    assert late.state == "held" and _newsletters(late) == []
    services.send_now(late, now=NOW + timedelta(hours=13))  # the secretary decides
    db.session.commit()
    assert helpers.reload(late).state == "sending"


def test_a_sent_issue_cannot_be_changed_or_sent_again(app, client, setup):
    issue = _issue(setup.mlist)
    services.send_now(issue, now=NOW)
    db.session.commit()
    jobs.send(NOW)
    login(client, "sec@example.org")
    base = f"/groups/{setup.group.slug}/news/{setup.mlist.id}/issues/{issue.id}"
    client.post(base, data={"subject": "Changed", "body": "x"})
    client.post(f"{base}/send")
    issue = helpers.reload(issue)
    assert (issue.subject, issue.state) == ("November news", "sent")
    empty = _issue(setup.mlist, body="  ")
    client.post(f"/groups/{setup.group.slug}/news/{setup.mlist.id}/issues/{empty.id}/send")
    assert helpers.reload(empty).state == "draft"


@pytest.mark.postgres
def test_the_issue_page_keeps_its_query_count_as_subscribers_grow(app, client, setup, count_queries):
    issue = _issue(setup.mlist)
    login(client, "sec@example.org")
    url = f"/groups/{setup.group.slug}/news/{setup.mlist.id}/issues/{issue.id}"
    list_url = f"/groups/{setup.group.slug}/news/{setup.mlist.id}/"
    counts = []
    for start, n in ((0, 2), (2, 20)):
        _subscribers(setup.mlist, n, start)
        with count_queries() as issue_page:
            assert client.get(url).status_code == 200
        with count_queries() as list_page:
            assert client.get(list_url).status_code == 200
        counts.append((issue_page.count, list_page.count))
    assert counts[0] == counts[1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 22
