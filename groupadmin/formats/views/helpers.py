"""What several formats pages share: going back to a format's page, refusing to edit an archived one."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from groupadmin.formats.forms import led_by_suggestions
from groupadmin.meetings.models import Meeting, Occurrence

# Loader option for an occurrence page that shows its meeting's schedule.
WITH_SCHEDULES = sa.orm.defaultload(Occurrence.meeting).selectinload(Meeting.schedules)


def back_to(group, fmt, anchor: str | None = None):
    url = url_for("formats.show", group_slug=group.slug, format_id=fmt.id)
    return redirect(f"{url}#{anchor}" if anchor else url)


def refuse_archived(group, fmt):
    """A redirect saying the format is archived, or None when it may be edited."""
    if fmt.is_archived:
        flash(_("This format is archived: restore it to change it."), "error")
        return back_to(group, fmt)
    return None


def section_page(group, fmt, form, section=None, preview=None):
    return render_template(
        "formats/section_form.html",
        group=group,
        fmt=fmt,
        form=form,
        section=section,
        preview=preview,
        suggestions=led_by_suggestions(),
    )
