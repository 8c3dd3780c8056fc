"""Public pages: the sign-up page of a public list, and the links from messages (confirm a sign-up,
leave with one click, the subscriber's preference page). Links are the authority; GET only shows."""

from __future__ import annotations

import json

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from groupadmin.database import utcnow
from groupadmin.errors import LinkProblem
from groupadmin.extensions import csrf, db
from groupadmin.forms import ConfirmForm
from groupadmin.newsletters import services
from groupadmin.newsletters.forms import ForgetForm, SignupForm
from groupadmin.newsletters.views import bp
from groupadmin.permissions import requires
from groupadmin.web import no_store, show_error


def public_list(list_slug: str):
    mlist = services.list_by_slug(list_slug)
    if mlist is None or not mlist.public:
        abort(404)
    return mlist


def link_problem(error: LinkProblem):
    return no_store((render_template("auth/link_problem.html", message=error.message), error.status))


@bp.route("/news/<list_slug>", methods=["GET", "POST"])
@requires("public")
def signup(list_slug):
    mlist = public_list(list_slug)
    now = utcnow()
    form = SignupForm()
    status = 200
    if form.validate_on_submit():
        status = _take_signup(mlist, form, now)
        if status is None:
            return redirect(url_for("newsletters.signup_sent", list_slug=mlist.slug))
    elif request.method == "POST":
        status = 422
    form.started.data = services.form_stamp(now)
    return render_template("newsletters/signup.html", mlist=mlist, form=form), status


def _take_signup(mlist, form: SignupForm, now) -> int | None:
    """None when the request was taken (or was a bot's: the same answer, nothing done); else the status
    of the form shown again with its message."""
    if form.website.data:
        return None
    try:
        services.check_form_timing(form.started.data, now=now)
        services.request_signup(
            mlist, email=form.email.data, first_name=form.first_name.data, client=request.remote_addr, now=now
        )
    except (services.SignupError, services.Throttled) as error:
        db.session.rollback()
        show_error(form, error)
        return error.status if isinstance(error, services.Throttled) else 422
    db.session.commit()
    return None


@bp.route("/news/<list_slug>/check-your-inbox")
@requires("public")
def signup_sent(list_slug):
    return render_template("newsletters/signup_sent.html", mlist=public_list(list_slug))


@bp.route("/r/news-confirm/<token>", methods=["GET", "POST"])
@requires("public")
def confirm(token):
    try:
        subscription = services.load_confirmation(token)
    except LinkProblem as error:
        return link_problem(error)
    form = ConfirmForm()
    done = subscription.status == "confirmed"
    if not done and form.validate_on_submit():
        services.confirm(subscription, now=utcnow())
        db.session.commit()
        done = True
    page = render_template(
        "newsletters/confirm.html",
        subscription=subscription,
        mlist=subscription.mailing_list,
        form=form,
        done=done,
    )
    return no_store(page)


@bp.route("/r/news-leave/<token>", methods=["GET", "POST"])
@requires("public")
@csrf.exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie and no token
def leave(token):
    try:
        subscription = services.load_leave(token)
    except LinkProblem as error:
        return link_problem(error)
    left = subscription is None or subscription.status not in ("unconfirmed", "confirmed")
    if request.method == "POST":
        if request.form.get("List-Unsubscribe") != "One-Click":
            abort(400)
        if subscription is not None:
            services.unsubscribe(subscription, now=utcnow())
            db.session.commit()
        left = True
    return no_store(
        render_template("newsletters/leave.html", subscription=subscription, left=left, token=token)
    )


def subscriber_or_problem(token: str):
    try:
        subscriber = services.load_subscriber(token)
    except LinkProblem as error:
        return None, link_problem(error)
    if subscriber is None:
        return None, no_store(render_template("newsletters/forgotten.html"))
    return subscriber, None


@bp.route("/r/news-prefs/<token>")
@requires("public")
def preferences(token):
    subscriber, problem = subscriber_or_problem(token)
    if problem is not None:
        return problem
    return no_store(
        render_template(
            "newsletters/preferences.html",
            subscriber=subscriber,
            subscriptions=services.subscriptions_of(subscriber),
            reminders=services.reminders_of(subscriber),
            token=token,
            form=ConfirmForm(),
            forget_form=ForgetForm(),
        )
    )


@bp.route("/r/news-prefs/<token>/leave/<int:subscription_id>", methods=["POST"])
@requires("public")
def preferences_leave(token, subscription_id):
    subscriber, problem = subscriber_or_problem(token)
    if problem is not None:
        return problem
    subscription = services.subscription_of(subscriber, subscription_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.unsubscribe(subscription, now=utcnow())
    db.session.commit()
    flash(_("You have left %(name)s.", name=subscription.mailing_list.name), "success")
    return redirect(url_for("newsletters.preferences", token=token))


@bp.route("/r/news-prefs/<token>/data.json")
@requires("public")
def preferences_data(token):
    subscriber, problem = subscriber_or_problem(token)
    if problem is not None:
        return problem
    response = make_response(json.dumps(services.what_we_hold(subscriber), indent=2, ensure_ascii=False))
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = 'attachment; filename="newsletter-data.json"'
    return no_store(response)


@bp.route("/r/news-prefs/<token>/forget", methods=["POST"])
@requires("public")
def preferences_forget(token):
    subscriber, problem = subscriber_or_problem(token)
    if problem is not None:
        return problem
    form = ForgetForm()
    if not form.validate_on_submit():
        subscriptions = services.subscriptions_of(subscriber)
        page = render_template(
            "newsletters/preferences.html",
            subscriber=subscriber,
            subscriptions=subscriptions,
            reminders=services.reminders_of(subscriber),
            token=token,
            form=ConfirmForm(),
            forget_form=form,
        )
        return no_store((page, 422))
    services.forget(subscriber, now=utcnow())
    db.session.commit()
    return no_store(render_template("newsletters/forgotten.html", just_now=True))
