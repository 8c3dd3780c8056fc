"""A newcomer's card: the details (nothing once erased), the follow-ups with a form to record the open
ones, snooze, assign (secretaries, an organisation's outreach volunteers) and hand back."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.forms import ConfirmForm
from groupadmin.outreach import services
from groupadmin.outreach.display import outreach_url
from groupadmin.outreach.forms import AssignForm, FollowUpForm, SnoozeForm
from groupadmin.outreach.views import newcomer_or_404, roles_of, volunteers_page
from groupadmin.web import no_store, show_error


def _card(
    owner, newcomer, *, status=200, record_form=None, snooze_form=None, assign_form=None, failed_id=None
):
    now = utcnow()
    roles = roles_of(owner)
    manages = services.manages(owner, roles)
    candidates = services.candidates(owner, now=now) if manages else []
    assign_form = assign_form or AssignForm()
    assign_form.volunteer.choices = [(c.user.id, c.user.display_name) for c in candidates]
    if assign_form.volunteer.data is None:
        suggested = next((c.user for c in candidates if not c.away), None)
        assign_form.volunteer.data = newcomer.volunteer_id or (suggested.id if suggested else None)
    page = render_template(
        "outreach/card.html",
        owner=owner,
        newcomer=newcomer,
        manages=manages,
        candidates=candidates,
        record_form=record_form or FollowUpForm(),
        snooze_form=snooze_form or SnoozeForm(),
        assign_form=assign_form,
        confirm_form=ConfirmForm(),
        failed_id=failed_id,
    )
    return no_store((page, status))


@volunteers_page("/<int:newcomer_id>/", "card")
def card(owner, newcomer_id):
    return _card(owner, newcomer_or_404(owner, newcomer_id))


def _step_or_404(owner, newcomer_id, follow_up_id):
    newcomer = newcomer_or_404(owner, newcomer_id)
    return newcomer, services.follow_up_of(newcomer, follow_up_id) or abort(404)


def _done(owner, newcomer, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(outreach_url(owner, "card", newcomer_id=newcomer.id))


@volunteers_page("/<int:newcomer_id>/follow-ups/<int:follow_up_id>", "record", methods=("POST",))
def record(owner, newcomer_id, follow_up_id):
    newcomer, follow_up = _step_or_404(owner, newcomer_id, follow_up_id)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            services.record(
                newcomer,
                follow_up,
                outcome=form.outcome.data,
                note=form.note.data,
                confirmed=bool(form.confirm_erase.data),
                actor=current_user,
                now=utcnow(),
            )
        except UserError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            if newcomer.is_erased:
                return _done(owner, newcomer, _("The follow-up is recorded, and their details are erased."))
            return _done(owner, newcomer, _("The follow-up is recorded."))
    return _card(owner, newcomer, status=422, record_form=form, failed_id=follow_up.id)


@volunteers_page("/<int:newcomer_id>/follow-ups/<int:follow_up_id>/snooze", "snooze", methods=("POST",))
def snooze(owner, newcomer_id, follow_up_id):
    newcomer, follow_up = _step_or_404(owner, newcomer_id, follow_up_id)
    form = SnoozeForm()
    if form.validate_on_submit():
        try:
            services.snooze(newcomer, follow_up, until=form.until.data, actor=current_user, now=utcnow())
        except UserError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            return _done(owner, newcomer, _("The follow-up is snoozed."))
    return _card(owner, newcomer, status=422, snooze_form=form, failed_id=follow_up.id)


@volunteers_page("/<int:newcomer_id>/assign", "assign", methods=("POST",))
def assign(owner, newcomer_id):
    newcomer = newcomer_or_404(owner, newcomer_id)
    if not services.manages(owner, roles_of(owner)):
        abort(403)
    form = AssignForm()
    if form.validate_on_submit():
        try:
            services.assign(newcomer, owner, form.volunteer.data, actor=current_user, now=utcnow())
        except UserError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            return _done(owner, newcomer, _("The volunteer is assigned."))
    return _card(owner, newcomer, status=422, assign_form=form)


@volunteers_page("/<int:newcomer_id>/hand-back", "hand_back", methods=("POST",))
def hand_back(owner, newcomer_id):
    newcomer = newcomer_or_404(owner, newcomer_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.hand_back(newcomer, actor=current_user, now=utcnow())
    except UserError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _card(owner, newcomer, status=422)
    db.session.commit()
    flash(_("You handed this newcomer back: the secretaries will assign someone else."), "success")
    return redirect(outreach_url(owner, "index"))
