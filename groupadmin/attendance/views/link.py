"""The chair's link (public, signed, bound to one date, valid for a few days): GET shows the date's
form, only POST records; never cached, never indexed."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from groupadmin.attendance import display, services
from groupadmin.attendance.views import bp, count_form, save_entry
from groupadmin.database import utcnow
from groupadmin.errors import LinkProblem
from groupadmin.permissions import requires
from groupadmin.web import no_store


@bp.route("/r/count/<token>", methods=["GET", "POST"])
@requires("public")
def link(token):
    now = utcnow()
    try:
        entry = services.link_entry(token, now=now, locale=display.locale())
    except LinkProblem as error:
        return no_store(
            (render_template("attendance/link_problem.html", message=error.message), error.status)
        )
    form = count_form(entry)
    if request.method == "POST" and not entry.open:
        return redirect(url_for("attendance.link", token=token))  # nothing to change here
    if form.validate_on_submit():
        saved = save_entry(entry, form, actor=None, now=now, via="link")
        if saved is not None:
            if saved.changed:
                flash(_("Thank you! Saved: %(summary)s.", summary=saved.summary), "success")
            else:
                flash(_("Nothing had changed."), "info")
            return redirect(url_for("attendance.link", token=token, saved=1))
    return no_store((_link_page(entry, form), 422 if form.errors else 200))


def _link_page(entry: services.Entry, form) -> str:
    return render_template(
        "attendance/link.html",
        group=entry.occurrence.meeting.group,
        occurrence=entry.occurrence,
        count=entry.count,
        form=form,
        mode=entry.mode,
        currency=entry.currency,
        may_edit=entry.may_edit,
        problem=entry.problem,
        saved=request.args.get("saved") == "1",
        days=services.link_max_age().days,
    )
