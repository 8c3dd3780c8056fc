"""Site administration: the people with accounts. Organisations are managed under groups.views."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.auth import services as auth
from groupadmin.auth.models import User
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.forms import ConfirmForm
from groupadmin.permissions import requires
from groupadmin.web import get_or_404, page_arg

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@requires("site.admin")
def users():
    query = request.args.get("q", "").strip()
    page = auth.users_page(query, page_arg())
    return render_template("admin/users.html", page=page, query=query, confirm_form=ConfirmForm())


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@requires("site.admin")
def reset_link(user_id):
    user = get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.users"))
    link = auth.reset_link(user, issued_by=current_user, now=utcnow())
    db.session.commit()
    return render_template("admin/reset_link.html", user=user, link=link)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@requires("site.admin")
def toggle_active(user_id):
    user = get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            auth.toggle_active(user, actor=current_user, now=utcnow())
        except auth.AuthError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                _("The account is active again.") if user.active else _("The account is deactivated."),
                "success",
            )
    return redirect(url_for("admin.users"))
