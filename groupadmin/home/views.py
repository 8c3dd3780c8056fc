from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from groupadmin.attendance import services as attendance
from groupadmin.database import utcnow
from groupadmin.groups import services as groups
from groupadmin.home import services
from groupadmin.permissions import requires
from groupadmin.rota import services as rota

bp = Blueprint("home", __name__)


@bp.route("/")
@requires("login")
def dashboard():
    my_groups = groups.groups_of_user(current_user)
    my_orgs = groups.orgs_of_user(current_user)
    # Head counts to enter: the recent dates without one, of the groups where the user enters counts
    # (one query however many groups).
    now = utcnow()
    leading = [group for group, roles in my_groups if {"secretary", "leader"} & set(roles)]
    to_enter = attendance.counts_to_enter([group.id for group in leading], now=now)
    # Open rota places in the next two weeks, per group (also a fixed number of queries).
    rota_gaps = rota.open_places_by_group(leading, now=now)
    return render_template(
        "home/dashboard.html",
        my_groups=my_groups,
        my_orgs=my_orgs,
        counts_to_enter=to_enter,
        rota_gaps=rota_gaps,
    )


@bp.route("/healthz")
@requires("public")
def healthz():
    if not services.database_answers():
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
