"""The outbox page for site administrators, the group's undeliverable addresses for its secretaries,
and the stop link that every message to a non-account-holder carries."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.errors import LinkProblem
from groupadmin.extensions import csrf, db
from groupadmin.forms import ConfirmForm
from groupadmin.mail import services
from groupadmin.mail.models import OutboxMessage, UndeliverableAddress
from groupadmin.permissions import requires
from groupadmin.web import get_or_404, page_arg

bp = Blueprint("mail", __name__)


@bp.route("/admin/outbox")
@requires("site.admin")
def outbox():
    page = services.outbox_page(page_arg())
    return render_template("mail/outbox.html", **page, confirm_form=ConfirmForm())


@bp.route("/admin/outbox/messages")
@requires("site.admin")
def all_mail():
    messages = services.messages_page(page_arg())
    return render_template("mail/messages.html", group=None, messages=messages, confirm_form=ConfirmForm())


@bp.route("/admin/outbox/<int:message_id>/retry", methods=["POST"])
@requires("site.admin")
def retry(message_id):
    message = get_or_404(OutboxMessage, message_id)
    if ConfirmForm().validate_on_submit():
        if services.retry(message, now=utcnow(), actor=current_user):
            db.session.commit()
            flash(_("The message will be sent again within a minute."), "success")
        else:
            flash(_("This message can no longer be sent."), "error")
    return redirect(url_for("mail.outbox", page=request.args.get("page", type=int)))


@bp.route("/admin/outbox/undeliverable/<int:entry_id>/clear", methods=["POST"])
@requires("site.admin")
def clear_undeliverable(entry_id):
    entry = get_or_404(UndeliverableAddress, entry_id)
    if ConfirmForm().validate_on_submit():
        services.clear_undeliverable(entry, now=utcnow(), actor=current_user)
        db.session.commit()
        flash(
            _("The address will receive mail again. Failed messages can be sent again one by one."), "success"
        )
    return redirect(url_for("mail.outbox"))


@bp.route("/groups/<group_slug>/mail-problems")
@requires("group.manage")
def group_problems(group):
    return render_template(
        "mail/group_problems.html", group=group, entries=services.undeliverable_for_group(group)
    )


@bp.route("/groups/<group_slug>/mail")
@requires("group.secretary")
def group_mail(group):
    messages = services.messages_page(page_arg(), group)
    return render_template("mail/messages.html", group=group, messages=messages, confirm_form=ConfirmForm())


@bp.route("/groups/<group_slug>/mail/<int:message_id>/retry", methods=["POST"])
@requires("group.secretary")
def group_retry(group, message_id):
    message = get_or_404(OutboxMessage, message_id, group_id=group.id)
    if ConfirmForm().validate_on_submit():
        if services.retry(message, now=utcnow(), actor=current_user):
            db.session.commit()
            flash(_("The message will be sent again within a minute."), "success")
        else:
            flash(_("This message can no longer be sent."), "error")
    page = request.args.get("page", type=int)
    return redirect(url_for("mail.group_mail", group_slug=group.slug, page=page))


@bp.route("/r/stop/<token>", methods=["GET", "POST"])
@requires("public")
@csrf.exempt  # the signed link is the authority; mail clients post here without a form (RFC 8058)
def stop(token):
    try:
        address_hash = services.load_stop_token(token)
    except LinkProblem as problem:
        return render_template("auth/link_problem.html", message=problem.message), 410
    if request.method == "POST":
        services.stop_address(address_hash, now=utcnow())
        db.session.commit()
        return render_template("mail/stop.html", done=True)
    return render_template("mail/stop.html", done=False)
