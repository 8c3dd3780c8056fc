"""The public archive of a public list: its sent issues as pages and an Atom feed (no subscriber data)."""

from __future__ import annotations

from flask import abort, make_response, render_template, url_for

from groupadmin.newsletters import services
from groupadmin.newsletters.views import bp
from groupadmin.newsletters.views.public import public_list
from groupadmin.permissions import requires


@bp.route("/news/<list_slug>/archive")
@requires("public")
def archive(list_slug):
    mlist = public_list(list_slug)
    return render_template("newsletters/archive.html", mlist=mlist, issues=services.sent_issues(mlist))


@bp.route("/news/<list_slug>/archive/<int:issue_id>")
@requires("public")
def archived_issue(list_slug, issue_id):
    mlist = public_list(list_slug)
    issue = services.sent_issue(mlist, issue_id) or abort(404)
    return render_template(
        "newsletters/archived_issue.html", mlist=mlist, issue=issue, body=services.preview(issue).html
    )


@bp.route("/news/<list_slug>/feed.atom")
@requires("public")
def feed(list_slug):
    mlist = public_list(list_slug)
    body = services.atom_feed(
        mlist,
        feed_url=url_for("newsletters.feed", list_slug=mlist.slug, _external=True),
        page_url=url_for("newsletters.archive", list_slug=mlist.slug, _external=True),
        issue_url=lambda issue: url_for(
            "newsletters.archived_issue", list_slug=mlist.slug, issue_id=issue.id, _external=True
        ),
    )
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    return response
