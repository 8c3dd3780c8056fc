"""The rota's one blueprint, in four modules: the grid, auto-fill and one date's rota (``grid``), the
people on the rota (``people``), roles, settings and the group's calendar link (``roles``), and the
public pages: links from rota mail and calendar feeds (``links``). Views parse the request, call one
service, commit once, and render or redirect."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rota", __name__)

from groupadmin.rota.views import grid, links, mine, people, roles  # noqa: E402, F401  (they add their routes to bp)
