"""The mailed report's link: GET shows the period and the formats, POST sends the file. The link is
signed, expires, and works only while its person is still a coordinator or admin of the organisation."""

from __future__ import annotations

from flask import Response, render_template, request

from groupadmin.database import utcnow
from groupadmin.errors import LinkProblem
from groupadmin.forms import ConfirmForm
from groupadmin.permissions import requires
from groupadmin.reports import display, exports, services
from groupadmin.reports.views import bp
from groupadmin.web import no_store


@bp.route("/r/report/<token>", methods=["GET", "POST"])
@requires("public")
def download_link(token):
    try:
        link = services.read_token(token)
    except LinkProblem as error:
        return no_store((render_template("reports/link_problem.html", message=error.message), error.status))
    form = ConfirmForm()
    fmt = request.form.get("format", "")
    if form.validate_on_submit() and fmt in exports.FORMATS:
        report = services.organisation_report(
            link["organisation"],
            link["period"],
            now=utcnow(),
            locale=display.locale(),
            template=link["template"],
        )
        response = no_store(Response(exports.render(report, fmt), mimetype=exports.FORMATS[fmt]))
        response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(report, fmt)}"'
        return response
    return no_store(
        render_template(
            "reports/link.html",
            form=form,
            organisation=link["organisation"],
            period=link["period"].label(display.locale()),
            template=services.TEMPLATES.get(link["template"], ""),
        )
    )
