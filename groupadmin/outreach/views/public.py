"""The public "ask for a call" pages, phone first: ``/help/<org slug>`` and ``/help/<org slug>/<group
slug>``. No account; a honeypot, a minimum fill time and a limit per network address; consent with
its wording recorded. The same confirmation whatever happened (a new request, a returning person, a
person on the do-not-contact list, a bot)."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from groupadmin.database import utcnow
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.meetings import services as meetings
from groupadmin.newsletters import services as newsletters
from groupadmin.outreach import services
from groupadmin.outreach.forms import RequestForm
from groupadmin.outreach.views import bp
from groupadmin.permissions import requires
from groupadmin.resources import services as resources
from groupadmin.web import no_store, show_error


def _crisis_lines(organisation) -> list[dict]:
    """What the confirmation page pins first: the organisation's crisis lines from its resources
    directory, then its own phone and email when it has them."""
    lines = [
        {"name": r.name, "phone": r.phone, "url": r.url, "hours": _("24/7") if r.is_24_7 else r.hours}
        for r in resources.crisis_lines(organisation.id)
    ]
    if organisation.phone or organisation.contact_email:
        lines.append(
            {"name": organisation.name, "phone": organisation.phone, "email": organisation.contact_email}
        )
    return lines


@bp.route("/help/<org_slug>", methods=["GET", "POST"])
@requires("public")
def ask_org(org_slug):
    organisation = meetings.organisation_by_slug(org_slug) or abort(404)
    return _ask(organisation, None)


@bp.route("/help/<org_slug>/<group_slug>", methods=["GET", "POST"])
@requires("public")
def ask_group(org_slug, group_slug):
    organisation = meetings.organisation_by_slug(org_slug) or abort(404)
    group = next((g for g in organisation.groups if g.slug == group_slug), None) or abort(404)
    return _ask(organisation, group)


def _ask(organisation, group):
    if request.args.get("sent"):
        page = render_template(
            "outreach/sent.html",
            organisation=organisation,
            group=group,
            crisis_lines=_crisis_lines(organisation),
        )
        return no_store(page)
    now = utcnow()
    form = RequestForm()
    form.language.choices = list(current_app.config["LANGUAGES"].items())
    status = 200
    if form.validate_on_submit():
        status = _take(organisation, group, form, now)
        if status is None:
            values = {"org_slug": organisation.slug, "sent": 1}
            if group is not None:
                return redirect(url_for("outreach.ask_group", group_slug=group.slug, **values))
            return redirect(url_for("outreach.ask_org", **values))
    elif request.method == "POST":
        status = 422
    elif not form.language.data or form.language.data == "None":
        # The language the page is shown in: the person reads it (else the organisation's).
        shown = str(get_locale() or "")
        known = shown in current_app.config["LANGUAGES"]
        form.language.data = shown if known else (group or organisation).locale
    form.started.data = newsletters.form_stamp(now)
    page = render_template(
        "outreach/ask.html",
        organisation=organisation,
        group=group,
        form=form,
        wording=services.settings_for(group or organisation).consent_wording,
    )
    return no_store((page, status))


def _take(organisation, group, form: RequestForm, now) -> int | None:
    """None when the request was taken (or was a bot's, or declined silently: the same answer); else the
    status of the form shown again with its messages."""
    if form.website.data:
        return None
    try:
        newsletters.check_form_timing(form.started.data, now=now)
        services.request_call(organisation, group, form.contact(), client=request.remote_addr, now=now)
    except UserError as error:
        db.session.rollback()
        show_error(form, error)
        return error.status
    db.session.commit()
    return None
