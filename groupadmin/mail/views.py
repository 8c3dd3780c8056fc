"""The outbox page for site administrators, the group's undeliverable addresses for its secretaries,
and the stop link that every message to a non-account-holder carries."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.audit import services as audit
from groupadmin.auth.forms import ConfirmForm
from groupadmin.database import utcnow
from groupadmin.extensions import csrf, db
from groupadmin.mail import services
from groupadmin.mail.models import OutboxMessage, UndeliverableAddress
from groupadmin.permissions import requires
from groupadmin.web import get_or_404

bp = Blueprint("mail", __name__)
PER_PAGE = 50


@bp.route("/admin/outbox")
@requires("site.admin")
def outbox():
    failed = db.paginate(
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == "failed")
        .options(sa.orm.joinedload(OutboxMessage.group))
        .order_by(OutboxMessage.id.desc()),
        per_page=PER_PAGE,
        error_out=False,
    )
    undeliverable = db.session.scalars(
        sa.select(UndeliverableAddress)
        .options(sa.orm.joinedload(UndeliverableAddress.group))
        .order_by(UndeliverableAddress.created_at.desc(), UndeliverableAddress.id.desc())
        .limit(200)
    ).all()
    return render_template(
        "mail/outbox.html",
        counts=services.counts_by_status(),
        alerts=services.open_alerts(),
        failed=failed,
        undeliverable=undeliverable,
        confirm_form=ConfirmForm(),
        transport=services.transport_from_config().describe(),
    )


@bp.route("/admin/outbox/<int:message_id>/retry", methods=["POST"])
@requires("site.admin")
def retry(message_id):
    message = get_or_404(OutboxMessage, message_id)
    if ConfirmForm().validate_on_submit():
        now = utcnow()
        if services.retry(message, now=now):
            audit.record(
                now=now, actor=current_user, action="outbox.retried", obj=message, group=message.group
            )
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
        services.clear_undeliverable(entry)
        audit.record(
            now=utcnow(), actor=current_user, action="undeliverable.cleared", obj=entry, kind=entry.kind
        )
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


@bp.route("/r/stop/<token>", methods=["GET", "POST"])
@requires("public")
@csrf.exempt  # the signed link is the authority; mail clients post here without a form (RFC 8058)
def stop(token):
    try:
        address_hash = services.load_stop_token(token)
    except services.MailError:
        return render_template(
            "auth/link_problem.html", message=_("This link is not valid. Check that it was copied whole.")
        ), 410
    if request.method == "POST":
        services.stop_address(address_hash, now=utcnow())
        db.session.commit()
        return render_template("mail/stop.html", done=True)
    return render_template("mail/stop.html", done=False)
