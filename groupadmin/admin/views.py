"""Site administration: the people with accounts. Organisations are managed under groups.views."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.audit import services as audit
from groupadmin.auth import services as auth
from groupadmin.auth.forms import ConfirmForm
from groupadmin.auth.models import User
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.permissions import requires
from groupadmin.web import get_or_404

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 50


@bp.route("/users")
@requires("site.admin")
def users():
    query = request.args.get("q", "").strip()
    stmt = sa.select(User).order_by(User.display_name, User.id)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            sa.or_(sa.func.lower(User.email).like(like), sa.func.lower(User.display_name).like(like))
        )
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, query=query, confirm_form=ConfirmForm())


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@requires("site.admin")
def reset_link(user_id):
    user = get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.users"))
    token = auth.password_reset_token(user, issued_by=current_user, now=utcnow())
    db.session.commit()
    link = mail.external_url("auth.reset_password", token=token)
    return render_template("admin/reset_link.html", user=user, link=link)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@requires("site.admin")
def toggle_active(user_id):
    user = get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        if user.id == current_user.id:
            flash(_("You cannot deactivate your own account."), "error")
        else:
            now = utcnow()
            user.active = not user.active
            auth.end_other_sessions(user)
            audit.record(
                now=now,
                actor=current_user,
                action="user.activated" if user.active else "user.deactivated",
                obj=user,
            )
            db.session.commit()
            flash(
                _("The account is active again.") if user.active else _("The account is deactivated."),
                "success",
            )
    return redirect(url_for("admin.users"))
