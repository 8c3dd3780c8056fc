"""The report's page, its exports and method note (an organisation's and a group's own), and a
coordinator's mail subscriptions."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.groups.models import Organisation
from groupadmin.permissions import requires
from groupadmin.reports import display, exports, forms, services
from groupadmin.reports.views import bp, scoped
from groupadmin.web import show_error


def _asked(owner):
    """The form bound to the address, and the report it asks for (None, with the errors beside the
    fields, when the dates make no period)."""
    is_org = isinstance(owner, Organisation)
    form = forms.report_form(request.args, groups=services.group_choices(owner) if is_org else None)
    if not form.validate():
        return form, None
    try:
        report = services.report_for(
            owner,
            preset=form.period.data,
            start=form.start.data,
            end=form.end.data,
            template=form.template.data,
            now=utcnow(),
            locale=display.locale(),
            fellowship=form.fellowship.data if is_org else None,
            group_id=form.group.data if is_org else None,
        )
    except services.PeriodError as error:
        show_error(form, error)
        return form, None
    if services.ignored_dates(form.period.data, form.start.data, form.end.data, report.period):
        form.start.description = _(
            "Not used: the period is “%(period)s”. Choose “Dates of my choice” to use these dates.",
            period=services.PRESETS[form.period.data],
        )
    return form, report


@scoped("", "report")
def report(owner):
    form, report = _asked(owner)
    return _page(owner, form, report)


def _page(owner, form, report):
    """The report page; 422 with the errors beside the fields when the choices make no report."""
    subscriptions = None
    if isinstance(owner, Organisation):
        chosen = services.subscriptions_of(owner, current_user)
        subscriptions = forms.SubscriptionForm(
            formdata=None, data={"monthly": "monthly" in chosen, "quarterly": "quarterly" in chosen}
        )
    return render_template(
        "reports/report.html",
        owner=owner,
        is_org=isinstance(owner, Organisation),
        form=form,
        report=report,
        charts=display.report_charts(report) if report is not None and report.template != "coverage" else [],
        subscriptions=subscriptions,
        link_days=services.LINK_DAYS,
    ), (200 if report is not None else 422)


@scoped("/method", "method")
def method(owner):
    form, report = _asked(owner)
    if report is None:
        return redirect(_page_url(owner))
    return render_template("reports/method.html", owner=owner, report=report)


@scoped("/report.<fmt>", "export")
def export(owner, fmt):
    if fmt not in exports.FORMATS:
        abort(404)
    form, report = _asked(owner)
    if report is None:  # the page says what is wrong with the choices, beside the fields
        return _page(owner, form, report)
    response = Response(exports.render(report, fmt), mimetype=exports.FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(report, fmt)}"'
    return response


def _page_url(owner, **args):
    if isinstance(owner, Organisation):
        return url_for("reports.org_report", org_slug=owner.slug, **args)
    return url_for("reports.group_report", group_slug=owner.slug, **args)


@bp.route("/orgs/<org_slug>/reports/subscriptions", methods=["POST"])
@requires("org.view")
def subscriptions(organisation):
    form = forms.SubscriptionForm()
    if form.validate_on_submit():
        chosen = {name for name in ("monthly", "quarterly") if getattr(form, name).data}
        services.set_subscriptions(organisation, current_user, chosen, now=utcnow())
        db.session.commit()
        flash(
            _("Saved: the reports you chose will come by mail.")
            if chosen
            else _("Saved: no report by mail."),
            "success",
        )
    return redirect(url_for("reports.org_report", org_slug=organisation.slug) + "#by-mail")
