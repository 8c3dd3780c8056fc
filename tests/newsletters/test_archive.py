"""The archive of a public list: sent issues only, as pages and an Atom feed, with no subscriber data."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.newsletters import jobs, services
from groupadmin.newsletters.models import MailingList, Subscription
from tests.conftest import NOW
from tests.newsletters import helpers

ATOM = "{http://www.w3.org/2005/Atom}"


def _sent(mlist, subject):
    issue = services.save_issue(mlist, None, subject=subject, body="**Coffee** at 7.", actor=None, now=NOW)
    services.send_now(issue, now=NOW)
    db.session.commit()
    jobs.send(NOW)
    return issue


def test_archive_pages_and_feed_show_sent_issues_only_and_no_subscriber(client, setup):
    helpers.subscribe(setup.mlist, "reader@example.net", first_name="Robin")
    sent = _sent(setup.mlist, "November news")
    draft = services.save_issue(setup.mlist, None, subject="Draft news", body="x", actor=None, now=NOW)
    db.session.commit()
    page = client.get("/news/tuesday-news/archive").get_data(as_text=True)
    assert "November news" in page and "Draft news" not in page
    issue_page = client.get(f"/news/tuesday-news/archive/{sent.id}")
    assert issue_page.status_code == 200
    text = issue_page.get_data(as_text=True)
    assert "<strong>Coffee</strong>" in text and "reader@" not in text and "Robin" not in text
    assert client.get(f"/news/tuesday-news/archive/{draft.id}").status_code == 404
    feed = client.get("/news/tuesday-news/feed.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.get_data())  # noqa: S314 (our own feed)
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["November news"]
    assert "reader@" not in feed.get_data(as_text=True) and "Robin" not in feed.get_data(as_text=True)


def test_private_lists_have_no_archive(client, setup):
    private = helpers.mailing_list(setup.group, slug="private-news", visibility="private")
    issue = _sent(private, "Secret news")
    for url in (
        "/news/private-news/archive",
        f"/news/private-news/archive/{issue.id}",
        "/news/private-news/feed.atom",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/news/tuesday-news/archive/{issue.id}").status_code == 404  # another list's issue


def test_the_demo_has_its_lists_subscribers_and_two_sent_issues_each(runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # idempotent
    lists = {m.slug: m for m in db.session.scalars(sa.select(MailingList))}
    assert set(lists) == {"lakeside-news", "tuesday-night-news"}
    assert lists["lakeside-news"].organisation.slug == "lakeside" and lists["lakeside-news"].public
    assert lists["tuesday-night-news"].group.slug == "lakeside-aa"
    for mlist in lists.values():
        statuses = set(db.session.scalars(sa.select(Subscription.status).filter_by(list_id=mlist.id)))
        assert statuses == {"confirmed"}
        assert len(services.sent_issues(mlist)) == 2
    page = client.get("/news/lakeside-news/archive").get_data(as_text=True)
    assert "winter timetable" in page
    assert client.get("/news/lakeside-news").status_code == 200
