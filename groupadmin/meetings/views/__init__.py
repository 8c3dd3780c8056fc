"""Meetings pages: a group's meetings (`pages`), their dates (`dates`), the imports (`imports` for a
group, `org_imports` for an organisation), the public meetings pages (`public`) and the feeds (`feeds`),
on one blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("meetings", __name__)

from groupadmin.meetings.views import dates, feeds, imports, org_imports, pages, public  # noqa: E402
from groupadmin.meetings.views.feeds import _BODY_CACHE  # noqa: E402

__all__ = ["_BODY_CACHE", "bp", "dates", "feeds", "imports", "org_imports", "pages", "public"]
