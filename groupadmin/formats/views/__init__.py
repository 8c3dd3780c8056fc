"""Formats pages, one blueprint: the group's formats and editing them (secretaries), a meeting's format
and its dates, and the printable script of a date (every role of the group).

Every page works without JavaScript: reordering, adding and removing sections are plain forms.

  formats     the group's formats; one format: its page, settings, archive, versions, compare
  sections    editing sections in the draft; saving and discarding it
  meetings    a meeting's format, its own copy, and a date's own choice
  scripts     the printable script of a date
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("formats", __name__, url_prefix="/groups/<group_slug>/formats")

from groupadmin.formats.views import formats, meetings, scripts, sections  # noqa: E402, F401
