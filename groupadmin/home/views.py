"""The signed-in dashboard and /healthz."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.home import services
from groupadmin.permissions import requires

bp = Blueprint("home", __name__)


@bp.route("/")
@requires("login")
def dashboard():
    return render_template("home/dashboard.html", **services.dashboard(current_user, now=utcnow()))


@bp.route("/healthz")
@requires("public")
def healthz():
    if not services.database_answers():
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
