"""Forms of formats: new format, settings, sections, a meeting's or a date's format, comparing versions."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from groupadmin.formats import starters
from groupadmin.formats.models import MAX_SECTION_MINUTES
from groupadmin.formats.rendering import KIND_LABELS
from groupadmin.forms import AppForm, strip

# Suggestions for "led by" (a datalist: any other name may be typed). The rota's own service roles
# are added to these when the rota exists.
LED_BY_SUGGESTIONS = (
    _l("Chair"),
    _l("Speaker"),
    _l("Reader"),
    _l("Secretary"),
    _l("Treasurer"),
    _l("Tech host"),
    _l("Greeter"),
    _l("Everyone"),
)

MARKDOWN_HELP = _l(
    "Plain text is fine. For emphasis: **bold**, *italic*; a line starting with - makes a list, "
    "1. a numbered list; [words](https://…) a link. Readings: give the title and page only. "
    "HTML is shown as typed, never run."
)


class ActionForm(AppForm):
    """A button that changes something: CSRF only."""


class FormatForm(AppForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Give the format a name.")), Length(max=120)],
        filters=[strip],
        description=_l("As the group calls it, e.g. “Tuesday speaker format”."),
    )
    description = StringField(
        _l("Short description"),
        validators=[Optional(), Length(max=500)],
        filters=[strip],
        description=_l("Optional: when the group uses it."),
    )


def led_by_suggestions() -> list[str]:
    return [str(s) for s in LED_BY_SUGGESTIONS]


class NewFormatForm(FormatForm):
    start_from = SelectField(
        _l("Start from"),
        default="starter:open",
        description=_l(
            "A starter is written in plain words for you to adapt; a copy takes the newest saved "
            "version of another format of the group."
        ),
    )
    meeting_id = SelectField(
        _l("Use it for"),
        default="",
        description=_l("Optional: the meeting that will use this format from now on."),
    )

    @classmethod
    def for_group(cls, formats: list, meetings: list, args=None) -> NewFormatForm:
        """The form with the group's starters, formats and meetings; `args` (a GET's query) may choose
        what to start from and for which meeting."""
        form = cls()
        form.start_from.choices = [("", _("A blank format"))]
        form.start_from.choices += [
            (f"starter:{key}", _("Starter: %(name)s", name=name)) for key, name in starters.starter_choices()
        ]
        form.start_from.choices += [(f"format:{f.id}", _("Copy of “%(name)s”", name=f.name)) for f in formats]
        form.meeting_id.choices = [("", _("No meeting yet"))] + [(str(m.id), m.name) for m in meetings]
        if args is not None:
            form._prefill(args)
        return form

    def _prefill(self, args) -> None:
        if args.get("start_from") in dict(self.start_from.choices):
            self.start_from.data = args["start_from"]
        if args.get("meeting") in dict(self.meeting_id.choices):
            self.meeting_id.data = args["meeting"]
        if not self.name.data and self.start_from.data.startswith("starter:"):
            key = self.start_from.data.removeprefix("starter:")
            self.name.data = str(starters.STARTERS[key][0]) if key in starters.STARTERS else ""

    def chosen(self, formats: list, meetings: list) -> dict:
        """What the new format starts from and which meeting uses it: create_format's arguments."""
        start = self.start_from.data or ""
        starter = start.removeprefix("starter:") if start.startswith("starter:") else None
        copy_of = None
        if start.startswith("format:"):
            copy_of = next((f for f in formats if str(f.id) == start.removeprefix("format:")), None)
        meeting = next((m for m in meetings if str(m.id) == self.meeting_id.data), None)
        return {"starter": starter, "copy_of": copy_of, "meeting": meeting}


class SectionForm(AppForm):
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()), default="custom")
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give the section a title, e.g. “Opening” or “Readings”.")),
            Length(max=120),
        ],
        filters=[strip],
    )
    body = TextAreaField(
        _l("What the chair says or does"),
        validators=[Optional(), Length(max=20_000)],
        description=MARKDOWN_HELP,
        render_kw={"rows": 8},
    )
    duration_minutes = IntegerField(
        _l("Expected minutes"),
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_SECTION_MINUTES,
                message=_l(
                    "Enter minutes between 0 and %(max)s, or leave it empty.", max=MAX_SECTION_MINUTES
                ),
            ),
        ],
        description=_l("Used to add up the format's length against the meeting's."),
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_SECTION_MINUTES},
    )
    led_by = StringField(
        _l("Led by"),
        validators=[Optional(), Length(max=60)],
        filters=[strip],
        description=_l("Optional: the service role that leads this part, e.g. Chair or Treasurer."),
        render_kw={"list": "led-by-suggestions", "autocomplete": "off"},
    )
    place = SelectField(_l("Place it"), default="end")

    @classmethod
    def for_adding(cls, version, args=None) -> SectionForm:
        """A new section's form: placed at the end, the start, or after a section of `version` (the
        working copy); `args` (a GET's query) may choose the place."""
        form = cls()
        form.place.choices = [("end", _("At the end")), ("start", _("At the start"))]
        form.place.choices += [
            (f"after-{s.key}", _("After “%(title)s”", title=s.title))
            for s in (version.sections if version else [])
        ]
        if args is not None and args.get("place") in dict(form.place.choices):
            form.place.data = args["place"]
        return form

    @classmethod
    def for_editing(cls, section=None) -> SectionForm:
        """A section's form, filled from `section` (on a GET) or from what was posted."""
        form = cls(obj=section)
        form.place.choices = [("end", "")]  # not shown when editing
        form.place.data = "end"
        return form

    def values(self) -> dict:
        return {
            "kind": self.kind.data,
            "title": self.title.data,
            "body": self.body.data,
            "duration_minutes": self.duration_minutes.data,
            "led_by": self.led_by.data,
        }


class MoveForm(AppForm):
    direction = HiddenField(validators=[DataRequired()])


class SaveForm(AppForm):
    note = StringField(
        _l("What changed (optional)"),
        validators=[Optional(), Length(max=200)],
        filters=[strip],
        description=_l("For the history, e.g. “Shorter announcements; new closing”."),
    )


class AssignForm(AppForm):
    format_id = SelectField(
        _l("Format"),
        description=_l("Dates that have started keep the format they had; later dates use this one."),
    )

    @classmethod
    def for_formats(cls, formats: list, **kwargs) -> AssignForm:
        form = cls(**kwargs)
        form.format_id.choices = [("", _("No format"))] + [(str(f.id), f.name) for f in formats]
        return form

    @classmethod
    def showing(cls, formats: list, current) -> AssignForm:
        """The form as the meeting's page shows it: the format it uses now chosen."""
        form = cls.for_formats(formats, formdata=None)
        form.format_id.data = str(current.id) if current else ""
        return form

    def chosen(self, formats: list):
        """The chosen format, or None for no format."""
        return next((f for f in formats if str(f.id) == self.format_id.data), None)


class DateFormatForm(AppForm):
    choice = SelectField(
        _l("Format for this date"),
        description=_l(
            "“Newest before this date” follows the format's edits until the meeting starts; a numbered "
            "version stays exactly as it is."
        ),
    )

    @classmethod
    def for_date(cls, options, *, fill: bool = False) -> DateFormatForm:
        """The choices (`options`: formats.services.DateChoices): the meeting's usual format, or for each
        format its newest version before the date or one exact version; `fill` shows the date's current
        choice."""
        form = cls()
        choices: dict = {"": [("", _("The meeting's usual format"))]}
        for f in options.formats:
            choices[f.name] = [(f"f:{f.id}", _("%(name)s: newest before this date", name=f.name))] + [
                (f"v:{v.id}", _("%(name)s: version %(n)s exactly", name=f.name, n=v.number))
                for v in options.versions.get(f.id, [])
            ]
        form.choice.choices = choices
        if fill:
            override = options.override
            if override is None:
                form.choice.data = ""
            elif override.version_id:
                form.choice.data = f"v:{override.version_id}"
            else:
                form.choice.data = f"f:{override.format_id}"
        return form

    def chosen(self, options) -> tuple:
        """(format, version) chosen among `options`: (None, None) for the meeting's usual format."""
        choice = self.choice.data or ""
        fmt = version = None
        if choice.startswith("f:"):
            fmt = next((f for f in options.formats if f"f:{f.id}" == choice), None)
        elif choice.startswith("v:"):
            versions = (v for vs in options.versions.values() for v in vs)
            version = next((v for v in versions if f"v:{v.id}" == choice), None)
            fmt = next((f for f in options.formats if version and f.id == version.format_id), None)
        return fmt, version


class CompareForm(AppForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    a = SelectField(_l("From version"), coerce=int)
    b = SelectField(_l("To version"), coerce=str)

    @classmethod
    def for_history(cls, history: list, has_draft: bool, a=None, b=None) -> CompareForm:
        """Versions to compare (and the draft, for an editor); `a` and `b` as shown, else the newest
        against the one before it, or the draft against the newest."""
        form = cls(formdata=None)
        form.a.choices = [(v.number, _("Version %(n)s", n=v.number)) for v in history]
        form.b.choices = ([("draft", _("Unsaved changes"))] if has_draft else []) + [
            (str(v.number), _("Version %(n)s", n=v.number)) for v in history
        ]
        if history:
            form.a.data = (
                a if a is not None else (history[1].number if len(history) > 1 else history[0].number)
            )
            form.b.data = b if b is not None else ("draft" if has_draft else str(history[0].number))
        return form
