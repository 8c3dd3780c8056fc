"""The managers' pages of issues: write one (Markdown), see it as it will be sent, send a test to
oneself, send now or schedule, pause, resume or cancel, and follow its progress."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.forms import ConfirmForm
from groupadmin.newsletters import services
from groupadmin.newsletters.display import news_url
from groupadmin.newsletters.forms import IssueForm, ScheduleForm, StateForm
from groupadmin.newsletters.views import list_or_404, managed
from groupadmin.web import show_error


def _issue_or_404(owner, list_id: int, issue_id: int):
    mlist = list_or_404(owner, list_id)
    return mlist, services.issue_of(mlist, issue_id) or abort(404)


def _issue_url(owner, issue) -> str:
    return news_url(owner, "issue", list_id=issue.list_id, issue_id=issue.id)


def _act(form, action, *, success: str):
    """Run `action()` (a service call) if the form is valid; commit and flash, or show the refusal.
    True when it was done."""
    if not form.validate_on_submit():
        return False
    try:
        action()
    except services.IssueError as error:
        db.session.rollback()
        show_error(form, error)
        return False
    db.session.commit()
    flash(success, "success")
    return True


@managed("/<int:list_id>/issues/new", "new_issue", methods=("GET", "POST"))
def new_issue(owner, list_id):
    mlist = list_or_404(owner, list_id)
    form = IssueForm()
    saved = []

    def save():
        saved.append(
            services.save_issue(
                mlist, None, subject=form.subject.data, body=form.body.data, actor=current_user, now=utcnow()
            )
        )

    if _act(form, save, success=_("The draft is saved.")):
        return redirect(_issue_url(owner, saved[0]))
    status = 422 if form.errors else 200
    return render_template("newsletters/issue_form.html", owner=owner, mlist=mlist, form=form), status


@managed("/<int:list_id>/issues/<int:issue_id>", "issue", methods=("GET", "POST"))
def issue(owner, list_id, issue_id):
    mlist, issue = _issue_or_404(owner, list_id, issue_id)
    form = IssueForm(obj=issue)

    def save():
        services.save_issue(
            mlist, issue, subject=form.subject.data, body=form.body.data, actor=current_user, now=utcnow()
        )

    if _act(form, save, success=_("Saved.")):
        return redirect(_issue_url(owner, issue))
    return _issue_page(owner, mlist, issue, form=form), 422 if form.errors else 200


def _issue_page(owner, mlist, issue, **forms):
    forms.setdefault("form", IssueForm(obj=issue))
    forms.setdefault("schedule_form", ScheduleForm())
    return render_template(
        "newsletters/issue.html",
        owner=owner,
        mlist=mlist,
        issue=issue,
        preview=services.preview(issue),
        progress=services.progress(issue),
        confirm_form=ConfirmForm(),
        state_form=StateForm(),
        **forms,
    )


@managed("/<int:list_id>/issues/<int:issue_id>/test", "issue_test", methods=("POST",))
def issue_test(owner, list_id, issue_id):
    _mlist, issue = _issue_or_404(owner, list_id, issue_id)

    def send():
        services.send_test(issue, to=current_user.email, now=utcnow())

    _act(ConfirmForm(), send, success=_("A test is on its way to %(address)s.", address=current_user.email))
    return redirect(_issue_url(owner, issue))


@managed("/<int:list_id>/issues/<int:issue_id>/send", "issue_send", methods=("POST",))
def issue_send(owner, list_id, issue_id):
    _mlist, issue = _issue_or_404(owner, list_id, issue_id)
    form = ConfirmForm()
    _act(
        form,
        lambda: services.send_now(issue, now=utcnow(), actor=current_user),
        success=_("Sending has started."),
    )
    return redirect(_issue_url(owner, issue))


@managed("/<int:list_id>/issues/<int:issue_id>/schedule", "issue_schedule", methods=("POST",))
def issue_schedule(owner, list_id, issue_id):
    mlist, issue = _issue_or_404(owner, list_id, issue_id)
    form = ScheduleForm()

    def schedule():
        local = datetime.combine(form.send_date.data, form.send_time.data)
        services.schedule(issue, local=local, now=utcnow(), actor=current_user)

    if _act(form, schedule, success=_("The issue is scheduled.")):
        return redirect(_issue_url(owner, issue))
    return _issue_page(owner, mlist, issue, schedule_form=form), 422


@managed("/<int:list_id>/issues/<int:issue_id>/state", "issue_state", methods=("POST",))
def issue_state(owner, list_id, issue_id):
    _mlist, issue = _issue_or_404(owner, list_id, issue_id)
    form = StateForm()
    _act(
        form,
        lambda: services.change_state(issue, form.action.data, now=utcnow(), actor=current_user),
        success=_("Done."),
    )
    return redirect(_issue_url(owner, issue))


@managed("/<int:list_id>/issues/draft", "draft_issue", methods=("POST",))
def draft_issue(owner, list_id):
    mlist = list_or_404(owner, list_id)
    drafted = []

    def draft():
        drafted.append(services.draft_from_this_month(mlist, actor=current_user, now=utcnow()))

    if _act(ConfirmForm(), draft, success=_("A draft from this month: change anything before sending.")):
        return redirect(_issue_url(owner, drafted[0]))
    return redirect(news_url(owner, "list_page", list_id=mlist.id))
