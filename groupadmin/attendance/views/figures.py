"""A group's figures (its secretaries and leaders): the trends, the treasurer's view and its CSV."""

from __future__ import annotations

from flask import Response, render_template, request

from groupadmin.attendance import display, services
from groupadmin.attendance.views import bp
from groupadmin.database import utcnow
from groupadmin.permissions import can, requires


@bp.route("/groups/<group_slug>/counts/trends")
@requires("group.leader")
def trends(group):
    meetings = services.group_meetings(group)
    meeting_id = request.args.get("meeting", type=int)
    meeting = next((m for m in meetings if m.id == meeting_id), None)
    return render_template(
        "attendance/trends.html",
        group=group,
        meetings=meetings,
        meeting=meeting,
        trends_html=display.trends_html(
            group, now=utcnow(), meeting=meeting, can_enter=can("group.leader", group)
        ),
    )


@bp.route("/groups/<group_slug>/counts/treasurer")
@requires("group.leader")
def treasurer(group):
    page = services.treasurer_page(
        group, now=utcnow(), year=request.args.get("year", type=int), locale=display.locale()
    )
    return render_template(
        "attendance/treasurer.html",
        group=group,
        report=page.report,
        period=page.period.kind,
        year=page.period.year,
        years=page.years,
        currency=page.currency,
    )


@bp.route("/groups/<group_slug>/counts/treasurer.csv")
@requires("group.leader")
def treasurer_csv(group):
    name, text = services.treasurer_csv(
        group, now=utcnow(), year=request.args.get("year", type=int), locale=display.locale()
    )
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
