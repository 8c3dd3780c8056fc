"""Formats pages: the group's formats, editing a format (secretaries), a meeting's format and dates, and
the printable script of a date (every role of the group).

Every page works without JavaScript: reordering, adding and removing sections are plain forms.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.formats import services, starters
from groupadmin.formats.forms import (
    LED_BY_SUGGESTIONS,
    ActionForm,
    AssignForm,
    CompareForm,
    DateFormatForm,
    FormatForm,
    MoveForm,
    NewFormatForm,
    SaveForm,
    SectionForm,
)
from groupadmin.formats.models import Format, FormatVersion
from groupadmin.formats.rendering import render_markdown
from groupadmin.meetings import services as meeting_services
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.permissions import can, requires
from groupadmin.web import get_or_404

bp = Blueprint("formats", __name__, url_prefix="/groups/<group_slug>/formats")


def _format(group, format_id) -> Format:
    return get_or_404(Format, format_id, group_id=group.id)


def _meeting(group, meeting_id) -> Meeting:
    return get_or_404(Meeting, meeting_id, group_id=group.id)


def _occurrence(group, occurrence_id) -> Occurrence:
    occurrence = db.session.scalar(
        sa.select(Occurrence)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .where(Occurrence.id == occurrence_id, Meeting.group_id == group.id)
        .options(sa.orm.contains_eager(Occurrence.meeting).selectinload(Meeting.schedules))
    )
    if occurrence is None:
        abort(404)
    return occurrence


def _apply_error(form, error: services.FormatError) -> None:
    """Show a service's refusal beside its field, or above the form."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error.message)]
    else:
        flash(str(error.message), "error")


# ---------------------------------------------------------------------------------------------------
# The group's formats


@bp.route("/")
@requires("group.view")
def index(group):
    archived = request.args.get("archived") == "1"
    formats = services.group_formats(group, archived=archived)
    latest = services.latest_versions([f.id for f in formats])
    meetings = services.group_meetings(group)
    current = services.current_assignments([m.id for m in meetings])
    using: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        assignment = current.get(meeting.id)
        if assignment is not None and assignment.format_id is not None:
            using.setdefault(assignment.format_id, []).append(meeting)
    formats_by_id = {f.id: f for f in formats}
    return render_template(
        "formats/index.html",
        group=group,
        formats=formats,
        latest=latest,
        using=using,
        meetings=meetings,
        current=current,
        formats_by_id=formats_by_id,
        archived=archived,
        archived_count=services.count_archived(group) if not archived else None,
        can_edit=can("group.secretary", group),
        next_dates=meeting_services.next_occurrences([m.id for m in meetings], now=utcnow()),
    )


def _start_from_choices(group, formats: list[Format]) -> list:
    choices = [("", _("A blank format"))]
    choices += [
        (f"starter:{key}", _("Starter: %(name)s", name=name)) for key, name in starters.starter_choices()
    ]
    choices += [(f"format:{f.id}", _("Copy of “%(name)s”", name=f.name)) for f in formats]
    return choices


@bp.route("/new", methods=["GET", "POST"])
@requires("group.secretary")
def new(group):
    formats = services.group_formats(group)
    meetings = services.group_meetings(group)
    form = NewFormatForm()
    form.start_from.choices = _start_from_choices(group, formats)
    form.meeting_id.choices = [("", _("No meeting yet"))] + [(str(m.id), m.name) for m in meetings]
    if request.method == "GET":
        if request.args.get("start_from") in dict(form.start_from.choices):
            form.start_from.data = request.args["start_from"]
        if request.args.get("meeting") in dict(form.meeting_id.choices):
            form.meeting_id.data = request.args["meeting"]
        if not form.name.data and form.start_from.data.startswith("starter:"):
            key = form.start_from.data.removeprefix("starter:")
            form.name.data = str(starters.STARTERS[key][0]) if key in starters.STARTERS else ""
    if form.validate_on_submit():
        start = form.start_from.data or ""
        starter = start.removeprefix("starter:") if start.startswith("starter:") else None
        copy_of = None
        if start.startswith("format:"):
            copy_of = next((f for f in formats if str(f.id) == start.removeprefix("format:")), None)
        meeting = next((m for m in meetings if str(m.id) == form.meeting_id.data), None)
        now = utcnow()
        try:
            fmt = services.create_format(
                group,
                actor=current_user,
                now=now,
                name=form.name.data,
                description=form.description.data,
                starter=starter,
                copy_of=copy_of,
            )
            if meeting is not None:
                services.assign_format(meeting, fmt, actor=current_user, now=now)
        except services.FormatError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The format “%(name)s” is created.", name=fmt.name), "success")
            return redirect(url_for("formats.show", group_slug=group.slug, format_id=fmt.id))
    return render_template("formats/new.html", group=group, form=form, starters=starters.STARTERS)


# ---------------------------------------------------------------------------------------------------
# One format


@bp.route("/<int:format_id>/")
@requires("group.view")
def show(group, format_id):
    fmt = _format(group, format_id)
    can_edit = can("group.secretary", group) and not fmt.is_archived
    latest = services.latest_version(fmt)
    draft = services.draft_of(fmt) if can_edit else None
    shown = draft or latest
    history = services.history(fmt)
    meetings = services.meetings_using(fmt)
    return render_template(
        "formats/format.html",
        group=group,
        fmt=fmt,
        latest=latest,
        draft=draft,
        shown=shown,
        unsaved=services.has_changes(fmt, draft, latest) if draft else False,
        history=history,
        meetings=meetings,
        can_edit=can_edit,
        can_manage=can("group.secretary", group),
        action_form=ActionForm(),
        move_form=MoveForm(),
        save_form=SaveForm(),
        compare_form=_compare_form(history, has_draft=draft is not None),
    )


def _compare_form(history: list[FormatVersion], has_draft: bool, a=None, b=None) -> CompareForm:
    form = CompareForm(formdata=None)
    form.a.choices = [(v.number, _("Version %(n)s", n=v.number)) for v in history]
    form.b.choices = ([("draft", _("Unsaved changes"))] if has_draft else []) + [
        (str(v.number), _("Version %(n)s", n=v.number)) for v in history
    ]
    if history:
        form.a.data = a if a is not None else (history[1].number if len(history) > 1 else history[0].number)
        form.b.data = b if b is not None else ("draft" if has_draft else str(history[0].number))
    return form


@bp.route("/<int:format_id>/settings", methods=["GET", "POST"])
@requires("group.secretary")
def settings(group, format_id):
    fmt = _format(group, format_id)
    form = FormatForm(obj=fmt)
    if form.validate_on_submit():
        try:
            services.update_format(
                fmt, actor=current_user, now=utcnow(), name=form.name.data, description=form.description.data
            )
        except services.FormatError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("formats.show", group_slug=group.slug, format_id=fmt.id))
    return render_template(
        "formats/settings.html",
        group=group,
        fmt=fmt,
        form=form,
        action_form=ActionForm(),
        in_use=services.format_in_use(fmt),
        meetings=services.meetings_using(fmt),
    )


def _back_to(group, fmt, anchor: str | None = None):
    url = url_for("formats.show", group_slug=group.slug, format_id=fmt.id)
    return redirect(f"{url}#{anchor}" if anchor else url)


def _refuse_archived(group, fmt):
    if fmt.is_archived:
        flash(_("This format is archived: restore it to change it."), "error")
        return _back_to(group, fmt)
    return None


@bp.route("/<int:format_id>/archive", methods=["POST"])
@requires("group.secretary")
def archive(group, format_id):
    fmt = _format(group, format_id)
    if ActionForm().validate_on_submit():
        try:
            services.archive_format(fmt, actor=current_user, now=utcnow())
        except services.FormatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("formats.settings", group_slug=group.slug, format_id=fmt.id))
        db.session.commit()
        flash(_("“%(name)s” is archived. Dates that used it still show it.", name=fmt.name), "success")
    return redirect(url_for("formats.index", group_slug=group.slug))


@bp.route("/<int:format_id>/restore", methods=["POST"])
@requires("group.secretary")
def restore(group, format_id):
    fmt = _format(group, format_id)
    if ActionForm().validate_on_submit():
        try:
            services.restore_format(fmt, actor=current_user, now=utcnow())
        except services.FormatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("formats.settings", group_slug=group.slug, format_id=fmt.id))
        db.session.commit()
        flash(_("“%(name)s” is restored.", name=fmt.name), "success")
    return _back_to(group, fmt)


@bp.route("/<int:format_id>/delete", methods=["POST"])
@requires("group.secretary")
def delete(group, format_id):
    fmt = _format(group, format_id)
    if ActionForm().validate_on_submit():
        name = fmt.name
        try:
            services.delete_format(fmt, actor=current_user, now=utcnow())
        except services.FormatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("formats.settings", group_slug=group.slug, format_id=format_id))
        db.session.commit()
        flash(_("“%(name)s” is deleted.", name=name), "success")
    return redirect(url_for("formats.index", group_slug=group.slug))


# ---------------------------------------------------------------------------------------------------
# Sections (in the draft)


def _place_choices(version: FormatVersion | None, exclude_key: int | None = None) -> list:
    choices = [("end", _("At the end")), ("start", _("At the start"))]
    for section in version.sections if version else []:
        if section.key != exclude_key:
            choices.append((f"after-{section.key}", _("After “%(title)s”", title=section.title)))
    return choices


def _section_page(group, fmt, form, section=None, preview=None):
    return render_template(
        "formats/section_form.html",
        group=group,
        fmt=fmt,
        form=form,
        section=section,
        preview=preview,
        suggestions=_led_by_suggestions(),
    )


def _led_by_suggestions() -> list[str]:
    return [str(s) for s in LED_BY_SUGGESTIONS]


def _section_values(form) -> dict:
    return {
        "kind": form.kind.data,
        "title": form.title.data,
        "body": form.body.data,
        "duration_minutes": form.duration_minutes.data,
        "led_by": form.led_by.data,
    }


@bp.route("/<int:format_id>/sections/new", methods=["GET", "POST"])
@requires("group.secretary")
def add_section(group, format_id):
    fmt = _format(group, format_id)
    if (refused := _refuse_archived(group, fmt)) is not None:
        return refused
    form = SectionForm()
    form.place.choices = _place_choices(services.draft_of(fmt) or services.latest_version(fmt))
    if request.method == "GET" and request.args.get("place") in dict(form.place.choices):
        form.place.data = request.args["place"]
    if form.validate_on_submit():
        if "preview" in request.form:
            return _section_page(group, fmt, form, preview=render_markdown(form.body.data))
        try:
            section = services.add_section(
                fmt, actor=current_user, now=utcnow(), values=_section_values(form), place=form.place.data
            )
        except services.FormatError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Section added. Save a new version when the format is ready."), "success")
            return _back_to(group, fmt, f"section-{section.key}")
    return _section_page(group, fmt, form)


@bp.route("/<int:format_id>/sections/<int:key>", methods=["GET", "POST"])
@requires("group.secretary")
def edit_section(group, format_id, key):
    fmt = _format(group, format_id)
    if (refused := _refuse_archived(group, fmt)) is not None:
        return refused
    section = services.section_in_working_copy(fmt, key)
    if section is None:
        abort(404)
    form = SectionForm(obj=section if request.method == "GET" else None)
    form.place.choices = [("end", "")]  # not shown when editing
    form.place.data = "end"
    if form.validate_on_submit():
        if "preview" in request.form:
            return _section_page(group, fmt, form, section, preview=render_markdown(form.body.data))
        try:
            services.edit_section(fmt, key, actor=current_user, now=utcnow(), values=_section_values(form))
        except services.FormatError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Section changed. Save a new version when the format is ready."), "success")
            return _back_to(group, fmt, f"section-{key}")
    return _section_page(group, fmt, form, section)


@bp.route("/<int:format_id>/sections/<int:key>/move", methods=["POST"])
@requires("group.secretary")
def move_section(group, format_id, key):
    fmt = _format(group, format_id)
    if (refused := _refuse_archived(group, fmt)) is not None:
        return refused
    form = MoveForm()
    if form.validate_on_submit():
        try:
            services.move_section(fmt, key, form.direction.data, actor=current_user, now=utcnow())
        except services.FormatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
    return _back_to(group, fmt, f"section-{key}")


@bp.route("/<int:format_id>/sections/<int:key>/remove", methods=["POST"])
@requires("group.secretary")
def remove_section(group, format_id, key):
    fmt = _format(group, format_id)
    if (refused := _refuse_archived(group, fmt)) is not None:
        return refused
    if ActionForm().validate_on_submit():
        try:
            services.remove_section(fmt, key, actor=current_user, now=utcnow())
        except services.FormatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("Section removed from your changes. Discard the changes to get it back."), "success")
    return _back_to(group, fmt, "sections")


@bp.route("/<int:format_id>/save", methods=["POST"])
@requires("group.secretary")
def save(group, format_id):
    fmt = _format(group, format_id)
    if (refused := _refuse_archived(group, fmt)) is not None:
        return refused
    form = SaveForm()
    if form.validate_on_submit():
        try:
            version = services.save_version(fmt, actor=current_user, now=utcnow(), note=form.note.data)
        except services.FormatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "Version %(n)s is saved. Dates from now on use it; dates that have started keep theirs.",
                    n=version.number,
                ),
                "success",
            )
    else:
        for message in form.note.errors:
            flash(str(message), "error")
    return _back_to(group, fmt)


@bp.route("/<int:format_id>/discard", methods=["POST"])
@requires("group.secretary")
def discard(group, format_id):
    fmt = _format(group, format_id)
    if ActionForm().validate_on_submit():
        services.discard_draft(fmt, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Your changes are discarded."), "success")
    return _back_to(group, fmt)


# ---------------------------------------------------------------------------------------------------
# Versions and differences


@bp.route("/<int:format_id>/versions/<int:number>")
@requires("group.view")
def version(group, format_id, number):
    fmt = _format(group, format_id)
    shown = services.version_by_number(fmt, number)
    if shown is None:
        abort(404)
    latest = services.latest_version(fmt)
    return render_template("formats/version.html", group=group, fmt=fmt, shown=shown, latest=latest)


@bp.route("/<int:format_id>/compare")
@requires("group.view")
def compare(group, format_id):
    fmt = _format(group, format_id)
    history = services.history(fmt)
    by_number = {v.number: v for v in history}
    draft = services.draft_of(fmt) if can("group.secretary", group) else None
    a = request.args.get("a", type=int)
    b_arg = request.args.get("b", "")
    old = by_number.get(a)
    new = draft if b_arg == "draft" else by_number.get(int(b_arg) if b_arg.isdigit() else -1)
    if len(history) == 0 and draft is None:
        flash(_("This format has no saved version yet."), "info")
        return _back_to(group, fmt)
    if old is None and history:
        old = history[1] if len(history) > 1 and new is None else history[0]
    if new is None:
        new = draft or history[0]
    # Both sides' sections, in one query however they were chosen.
    db.session.scalars(
        sa.select(FormatVersion)
        .where(FormatVersion.id.in_({v.id for v in (old, new) if v is not None}))
        .options(sa.orm.selectinload(FormatVersion.sections))
    ).all()
    return render_template(
        "formats/compare.html",
        group=group,
        fmt=fmt,
        old=old,
        new=new,
        diffs=services.diff_versions(old, new) if old is not None else [],
        compare_form=_compare_form(
            history, has_draft=draft is not None, a=old.number if old else None, b=new.number or "draft"
        ),
    )


# ---------------------------------------------------------------------------------------------------
# A meeting's format and its dates


@bp.route("/meetings/<int:meeting_id>")
@requires("group.view")
def meeting(group, meeting_id):
    meeting = _meeting(group, meeting_id)
    now = utcnow()
    upcoming, recent = services.upcoming_and_recent(meeting, now=now)
    scripts = services.scripts_for(upcoming + recent)
    assignment = services.current_assignments([meeting.id]).get(meeting.id)
    current = assignment.format if assignment is not None and assignment.format_id else None
    formats = services.group_formats(group)
    form = AssignForm(formdata=None)
    form.format_id.choices = [("", _("No format"))] + [(str(f.id), f.name) for f in formats]
    form.format_id.data = str(current.id) if current else ""
    latest = services.latest_version(current) if current else None
    return render_template(
        "formats/meeting.html",
        group=group,
        meeting=meeting,
        current=current,
        latest=latest,
        upcoming=upcoming,
        recent=recent,
        scripts=scripts,
        form=form,
        action_form=ActionForm(),
        can_edit=can("group.secretary", group),
        minutes=services.meeting_minutes(meeting),
    )


@bp.route("/meetings/<int:meeting_id>/format", methods=["POST"])
@requires("group.secretary")
def assign(group, meeting_id):
    meeting = _meeting(group, meeting_id)
    form = AssignForm()
    formats = services.group_formats(group)
    form.format_id.choices = [("", _("No format"))] + [(str(f.id), f.name) for f in formats]
    if form.validate_on_submit():
        fmt = next((f for f in formats if str(f.id) == form.format_id.data), None)
        try:
            changed = services.assign_format(meeting, fmt, actor=current_user, now=utcnow())
        except services.FormatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            if changed:
                flash(
                    _("%(meeting)s uses “%(format)s” from now on.", meeting=meeting.name, format=fmt.name)
                    if fmt
                    else _("%(meeting)s has no format from now on.", meeting=meeting.name),
                    "success",
                )
    else:
        flash(_("Choose a format from the list."), "error")
    return redirect(url_for("formats.meeting", group_slug=group.slug, meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/copy", methods=["POST"])
@requires("group.secretary")
def copy_for_meeting(group, meeting_id):
    """Give the meeting its own copy of the format it shares, to change it for this meeting only."""
    meeting = _meeting(group, meeting_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("formats.meeting", group_slug=group.slug, meeting_id=meeting.id))
    assignment = services.current_assignments([meeting.id]).get(meeting.id)
    source = assignment.format if assignment is not None else None
    if source is None:
        abort(404)
    now = utcnow()
    name = _("%(meeting)s format", meeting=meeting.name)[:120]
    existing = {f.name.lower() for f in services.group_formats(group)} | {
        f.name.lower() for f in services.group_formats(group, archived=True)
    }
    candidate, n = name, 2
    while candidate.lower() in existing:
        candidate, n = f"{name[:112]} ({n})", n + 1
    fmt = services.create_format(group, actor=current_user, now=now, name=candidate, copy_of=source)
    services.assign_format(meeting, fmt, actor=current_user, now=now)
    db.session.commit()
    flash(
        _("%(meeting)s now has its own copy, “%(format)s”.", meeting=meeting.name, format=fmt.name), "success"
    )
    return redirect(url_for("formats.show", group_slug=group.slug, format_id=fmt.id))


def _date_choices(group, formats: list[Format]) -> tuple[dict, dict]:
    versions: dict[int, list[FormatVersion]] = {}
    if formats:
        for v in db.session.scalars(
            sa.select(FormatVersion)
            .where(FormatVersion.format_id.in_([f.id for f in formats]), FormatVersion.number.is_not(None))
            .order_by(FormatVersion.number.desc())
        ):
            versions.setdefault(v.format_id, []).append(v)
    choices: dict = {"": [("", _("The meeting's usual format"))]}
    for f in formats:
        options = [(f"f:{f.id}", _("%(name)s: newest before this date", name=f.name))]
        options += [
            (f"v:{v.id}", _("%(name)s: version %(n)s exactly", name=f.name, n=v.number))
            for v in versions.get(f.id, [])
        ]
        choices[f.name] = options
    return choices, versions


@bp.route("/dates/<int:occurrence_id>", methods=["GET", "POST"])
@requires("group.secretary")
def date(group, occurrence_id):
    occurrence = _occurrence(group, occurrence_id)
    formats = services.group_formats(group)
    script = services.script_for(occurrence)
    override = services.date_override(occurrence)
    # A date may keep an archived format it chose earlier.
    if override is not None and override.format not in formats:
        formats.append(override.format)
    form = DateFormatForm()
    form.choice.choices, versions = _date_choices(group, formats)
    if request.method == "GET":
        if override is None:
            form.choice.data = ""
        elif override.version_id:
            form.choice.data = f"v:{override.version_id}"
        else:
            form.choice.data = f"f:{override.format_id}"
    if form.validate_on_submit():
        choice = form.choice.data or ""
        fmt = version = None
        if choice.startswith("f:"):
            fmt = next((f for f in formats if f"f:{f.id}" == choice), None)
        elif choice.startswith("v:"):
            version = next((v for vs in versions.values() for v in vs if f"v:{v.id}" == choice), None)
            fmt = next((f for f in formats if version and f.id == version.format_id), None)
        try:
            services.set_date_format(occurrence, actor=current_user, now=utcnow(), fmt=fmt, version=version)
        except services.FormatError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved for this date."), "success")
            return redirect(
                url_for("formats.meeting", group_slug=group.slug, meeting_id=occurrence.meeting_id)
            )
    return render_template(
        "formats/date.html",
        group=group,
        occurrence=occurrence,
        meeting=occurrence.meeting,
        form=form,
        script=script,
    )


@bp.route("/dates/<int:occurrence_id>/script")
@requires("group.view")
def script(group, occurrence_id):
    occurrence = _occurrence(group, occurrence_id)
    script = services.script_for(occurrence)
    large = request.args.get("size") == "large"
    timeline = services.section_times(script.version, occurrence.local_start) if script.version else []
    return render_template(
        "formats/script.html",
        group=group,
        occurrence=occurrence,
        meeting=occurrence.meeting,
        script=script,
        timeline=timeline,
        large=large,
        people=services.people_on_script(occurrence),
        meeting_minutes=int((occurrence.ends_at - occurrence.starts_at).total_seconds() // 60),
    )


@bp.route("/meetings/<int:meeting_id>/next-script")
@requires("group.view")
def next_script(group, meeting_id):
    """The script of the meeting's next date (a stable link for a phone's home screen)."""
    meeting = _meeting(group, meeting_id)
    upcoming, _recent = services.upcoming_and_recent(meeting, now=utcnow(), ahead=1, past=0)
    if not upcoming:
        flash(_("This meeting has no upcoming date."), "info")
        return redirect(url_for("formats.meeting", group_slug=group.slug, meeting_id=meeting.id))
    args = {"size": "large"} if request.args.get("size") == "large" else {}
    return redirect(url_for("formats.script", group_slug=group.slug, occurrence_id=upcoming[0].id, **args))
