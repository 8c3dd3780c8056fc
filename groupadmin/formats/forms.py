from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from groupadmin.formats.models import MAX_SECTION_MINUTES
from groupadmin.formats.rendering import KIND_LABELS
from groupadmin.forms import strip

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


class ActionForm(FlaskForm):
    """A button that changes something: CSRF only."""


class FormatForm(FlaskForm):
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


class SectionForm(FlaskForm):
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


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired()])


class SaveForm(FlaskForm):
    note = StringField(
        _l("What changed (optional)"),
        validators=[Optional(), Length(max=200)],
        filters=[strip],
        description=_l("For the history, e.g. “Shorter announcements; new closing”."),
    )


class AssignForm(FlaskForm):
    format_id = SelectField(
        _l("Format"),
        description=_l("Dates that have started keep the format they had; later dates use this one."),
    )


class DateFormatForm(FlaskForm):
    choice = SelectField(
        _l("Format for this date"),
        description=_l(
            "“Newest before this date” follows the format's edits until the meeting starts; a numbered "
            "version stays exactly as it is."
        ),
    )


class CompareForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    a = SelectField(_l("From version"), coerce=int)
    b = SelectField(_l("To version"), coerce=str)
