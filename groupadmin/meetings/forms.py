"""Forms of meetings: the meeting (schedule, place, online details, types, notes), a date's changes,
a schedule change from a date, status, the import and the public page's filters."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from groupadmin.forms import AppForm, OnceForm, strip, timezone_choices, valid_timezone
from groupadmin.groups.display import FELLOWSHIP_LABELS
from groupadmin.meetings import display
from groupadmin.meetings import types as meeting_types
from groupadmin.meetings.importer.organisation import OrgChoices
from groupadmin.meetings.importer.preview import CONFLICT_CHOICES, Choices
from groupadmin.meetings.schedule import Rule
from groupadmin.meetings.services import MEETING_FIELDS, PublicFilters, listing_problems, rule_problems

TEXT = [strip]


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class MeetingForm(AppForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Give the meeting a name.")), Length(max=255)],
        filters=TEXT,
        description=_l(
            "The meeting's own name, e.g. 'Tuesday Night Big Book'. It shows in calendars and on lock "
            "screens: leave the fellowship and the day or time out of it. Up to %(n)d characters.",
            n=255,
        ),
    )
    # When
    recurrence = RadioField(
        _l("How often"), choices=list(display.RECURRENCE_LABELS.items()), default="weekly"
    )
    weekday = SelectField(_l("Day"), coerce=_int_or_none, validators=[Optional()])
    month_week = SelectField(
        _l("Which week of the month"),
        coerce=_int_or_none,
        validators=[Optional()],
        choices=[(k, v) for k, v in display.MONTH_WEEK_LABELS.items()],
        description=_l("For a monthly meeting, e.g. the business meeting on the first Sunday."),
    )
    on_date = DateField(_l("Date"), validators=[Optional()], description=_l("For a one-off meeting."))
    start_time = TimeField(
        _l("Starts at"),
        format="%H:%M",
        validators=[Optional()],  # required but by appointment: see rule_problems
        description=_l("Local time where the meeting is held."),
    )
    duration_minutes = IntegerField(
        _l("Length in minutes"),
        default=60,
        validators=[InputRequired(_l("Give the length in minutes.")), NumberRange(5, 720)],
    )
    timezone = SelectField(_l("Time zone"), choices=timezone_choices(), validators=[valid_timezone])
    effective_from = DateField(
        _l("The new day or time applies from"),
        validators=[Optional()],
        description=_l(
            "Dates before this one stay as they are. You will see which dates change before saving."
        ),
    )
    schedule_token = HiddenField()

    listed = BooleanField(
        _l("List publicly (meeting list, Meeting Guide feed and calendars)"),
        default=True,
        description=_l("Untick for a business meeting or any meeting only the group should know about."),
    )
    attendance = RadioField(
        _l("Attendance"), choices=list(display.ATTENDANCE_LABELS.items()), default="in_person"
    )

    # Where
    location = StringField(
        _l("Location name"),
        validators=[Optional(), Length(max=255)],
        filters=TEXT,
        description=_l("The building, e.g. 'St Mark's Church Hall'."),
    )
    formatted_address = StringField(
        _l("Address (one line)"),
        validators=[Optional(), Length(max=500)],
        filters=TEXT,
        description=_l(
            "e.g. '120 Lake Street, Lakeside, NY 12345, USA'. Or fill in the parts below instead."
        ),
    )
    address = StringField(_l("Street"), validators=[Optional(), Length(max=255)], filters=TEXT)
    city = StringField(
        _l("City"),
        validators=[Optional(), Length(max=120)],
        filters=TEXT,
        description=_l(
            "For an online meeting, a city or region lets people nearby find it; no street is published."
        ),
    )
    state = StringField(_l("State / province"), validators=[Optional(), Length(max=120)], filters=TEXT)
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=20)], filters=TEXT)
    country = StringField(_l("Country"), validators=[Optional(), Length(max=80)], filters=TEXT)
    region = StringField(
        _l("Region or neighbourhood"),
        validators=[Optional(), Length(max=120)],
        filters=TEXT,
    )
    latitude = FloatField(_l("Latitude"), validators=[Optional()], description=_l("Optional, e.g. 40.71277."))
    longitude = FloatField(
        _l("Longitude"), validators=[Optional()], description=_l("Optional, e.g. -74.00597.")
    )
    location_notes = TextAreaField(
        _l("Location notes"),
        validators=[Optional(), Length(max=2000)],
        filters=TEXT,
        description=_l("Shared by everyone meeting there, e.g. 'Side entrance, downstairs'."),
    )

    # Online
    conference_url = URLField(
        _l("Conference link"),
        validators=[Optional(), Length(max=500)],
        filters=TEXT,
        description=_l("An https:// link that opens the video meeting directly (Zoom, Google Meet, Jitsi…)."),
    )
    conference_url_notes = StringField(
        _l("Conference link notes"),
        validators=[Optional(), Length(max=500)],
        filters=TEXT,
        description=_l(
            "Published, e.g. 'Passcode: serenity'. Keep a passcode the group won't publish in the "
            "private notes."
        ),
    )
    conference_phone = StringField(
        _l("Dial-in phone"),
        validators=[Optional(), Length(max=60)],
        filters=TEXT,
        description=_l("Digits with + , * #, e.g. +1 646 558 8656,,81234567#."),
    )
    conference_phone_notes = StringField(
        _l("Dial-in notes"),
        validators=[Optional(), Length(max=500)],
        filters=TEXT,
    )

    types = MultiCheckboxField(_l("Meeting types"), validators=[Optional()])
    notes = TextAreaField(
        _l("Public notes"),
        validators=[Optional(), Length(max=2000)],
        filters=TEXT,
        description=_l("Shown in the meeting list and feeds. No names or contact details of members."),
    )
    private_notes = TextAreaField(
        _l("Private notes (never published)"),
        validators=[Optional(), Length(max=4000)],
        filters=TEXT,
        description=_l("Seen only by the group's trusted servants, e.g. a key-holder's instructions."),
    )
    venmo = StringField(
        _l("Venmo"),
        validators=[Optional(), Length(max=100)],
        filters=TEXT,
        description=_l("e.g. @TuesdayGroup"),
    )
    square = StringField(
        _l("Cash App"),
        validators=[Optional(), Length(max=100)],
        filters=TEXT,
        description=_l("e.g. $TuesdayGroup"),
    )
    paypal = StringField(
        _l("PayPal.me name"),
        validators=[Optional(), Length(max=100)],
        filters=TEXT,
        description=_l("e.g. TuesdayGroup"),
    )
    homegroup_online = StringField(
        _l("Homegroup code"), validators=[Optional(), Length(max=100)], filters=TEXT
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekday.choices = [(None, _l("— choose —")), *display.weekday_choices()]
        self.month_week.choices = [(None, _l("— choose —")), *display.MONTH_WEEK_LABELS.items()]
        self.types.choices = meeting_types.choices(str(get_locale() or "en"))

    def type_groups(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """The type codes grouped by category for the form, in the page's language."""
        return meeting_types.grouped_choices(str(get_locale() or "en"))

    # -- values for the services

    def rule(self) -> Rule:
        return Rule(
            recurrence=self.recurrence.data,
            weekday=self.weekday.data,
            month_week=self.month_week.data,
            on_date=self.on_date.data,
            start_time=self.start_time.data,
            duration_minutes=self.duration_minutes.data,
            timezone=self.timezone.data,
        ).normalised()

    def values(self) -> dict:
        """The meeting's values from the form; a field the viewer may not see (the private notes, for
        an organisation's admin who is not a trusted servant of the group) is left out, so kept."""
        values = {name: self[name].data for name in MEETING_FIELDS if name in self}
        values["types"] = list(self.types.data or [])
        return values

    def fill_schedule(self, latest, today) -> None:
        """Show the latest schedule in the "when" fields (the edit page's first view); a change applies
        from today, or from the latest schedule's start when that is still to come."""
        self.recurrence.data = latest.recurrence
        self.weekday.data = latest.weekday if latest.recurrence != "once" else None
        self.month_week.data = latest.month_week
        self.on_date.data = latest.on_date
        self.start_time.data = latest.start_time
        self.duration_minutes.data = latest.duration_minutes
        self.timezone.data = latest.timezone
        self.effective_from.data = max(today, latest.effective_from)

    def edit_values(self, today) -> dict:
        """The edit page's values for `services.edit_meeting`: the listing, the schedule, the date it
        applies from (today unless given) and the token of the change previewed, if any."""
        return {
            "values": self.values(),
            "rule": self.rule(),
            "effective_from": self.effective_from.data or today,
            "token": self.schedule_token.data,
        }

    def hide_private_notes(self) -> None:
        """For a viewer who may not read the private notes: no field, nothing shown, nothing changed."""
        if "private_notes" in self:
            del self.private_notes

    def validate(self, extra_validators=None) -> bool:
        """Every check in one round: the fields' own checks, then the schedule's and the listing's rules,
        each problem beside its field (a field that failed its own check keeps that one message)."""
        ok = super().validate(extra_validators)
        problems = {**listing_problems(self.values()), **rule_problems(self.rule())}
        problems = {
            name: message for name, message in problems.items() if not (name in self and self[name].errors)
        }
        self.add_problems(problems)
        return ok and not problems

    def add_problems(self, problems: dict) -> None:
        for name, message in problems.items():
            target = getattr(self, name, None) or self.name
            if str(message) not in [str(e) for e in target.errors]:
                target.errors = [*target.errors, message]


class OccurrenceForm(AppForm):
    cancelled = BooleanField(_l("Cancelled on this date"))
    online_only = BooleanField(
        _l("Online only this time"),
        description=_l("The room is not available: people join with the meeting's conference link or phone."),
    )
    venue_location = StringField(
        _l("At another venue: its name"),
        validators=[Optional(), Length(max=255)],
        filters=TEXT,
    )
    venue_address = StringField(
        _l("Other venue's address"),
        validators=[Optional(), Length(max=500)],
        filters=TEXT,
    )
    note = TextAreaField(
        _l("Note for this date (public)"),
        validators=[Optional(), Length(max=500)],
        filters=TEXT,
        description=_l("e.g. 'Closed for the holiday' or 'Speaker meeting'. Never a member's name."),
    )
    # Set by the page that showed who a cancellation releases: the secretary has seen it.
    release_seen = HiddenField()

    def changes(self) -> dict:
        """The date's values for `services.update_occurrence`."""
        return {
            "cancelled": self.cancelled.data,
            "online_only": self.online_only.data,
            "venue_location": self.venue_location.data,
            "venue_address": self.venue_address.data,
            "note": self.note.data,
        }

    def add_problems(self, problems: dict) -> None:
        for name, message in problems.items():
            target = getattr(self, name, None) or self.note
            target.errors = [*target.errors, message]


class StatusForm(AppForm):
    status = HiddenField(validators=[DataRequired()])


class ImportForm(AppForm):
    file = FileField(
        _l("Meeting Guide JSON or CSV file"),
        validators=[
            FileRequired(_l("Choose a file to import.")),
            FileAllowed(["json", "csv", "txt"], _l("Choose a .json or .csv file.")),
        ],
        description=_l(
            "A Meeting Guide feed (.json), a CSV with the Meeting Guide column names, or the 12 Step Meeting "
            "List plugin's export. Nothing changes until you confirm the preview."
        ),
    )
    archive_missing = BooleanField(
        _l("Archive this group's meetings that are not in the file"),
        description=_l("Off by default: meetings missing from the file are left as they are."),
    )


class ImportConfirmForm(AppForm):
    """The preview's choices, carried with the file's text: the zone for rows without one, what to do
    with rows that have problems and with slugs another group uses. `shown` holds the choices the
    preview on screen was made with: changed choices show a new preview instead of importing."""

    content = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[DataRequired()])
    archive_missing = HiddenField()
    shown = HiddenField()
    timezone = SelectField(
        _l("Time zone of the meetings that name none"),
        choices=timezone_choices(),
        validators=[valid_timezone],
        description=_l("The file gives no time zone for some meetings: their times are read in this one."),
    )
    skip_bad = BooleanField(_l("Import the rows without problems and skip the others"))
    on_conflict = RadioField(
        _l("Slugs that another group's meetings already use"),
        choices=[
            ("skip", _l("Skip those rows")),
            ("rename", _l("Import them with a suffix added to the slug (e.g. -2)")),
        ],
        default="skip",
    )
    refresh = SubmitField(_l("Update the preview"))

    def choices(self, *, archive_missing: bool | None = None):
        return Choices(
            timezone=self.timezone.data,
            skip_bad=bool(self.skip_bad.data),
            on_conflict=self.on_conflict.data if self.on_conflict.data in CONFLICT_CHOICES else "skip",
            archive_missing=self.archive_missing.data == "1" if archive_missing is None else archive_missing,
        )

    @staticmethod
    def signature(choices) -> str:
        return f"{choices.timezone}|{int(choices.skip_bad)}|{choices.on_conflict}"

    @property
    def changed(self) -> bool:
        """The choices differ from those of the preview on screen."""
        return bool(self.refresh.data) or self.shown.data != self.signature(self.choices())


class OrgImportForm(ImportForm):
    """An organisation's file: the meetings of all its groups (nothing is archived from here)."""

    archive_missing = None


class NewGroupForm(Form):
    """The fellowship of a group the organisation's import creates."""

    key = HiddenField()
    fellowship = SelectField(_l("Fellowship"), choices=list(FELLOWSHIP_LABELS.items()), default="aa")


class OrgImportConfirmForm(ImportConfirmForm):
    new_groups = FieldList(FormField(NewGroupForm))

    def choices(self, *, archive_missing: bool | None = None):
        base = super().choices(archive_missing=False)
        fellowships = {entry.key.data: entry.fellowship.data for entry in self.new_groups}
        return OrgChoices(base.timezone, base.skip_bad, base.on_conflict, False, fellowships)


class PublicFilterForm(AppForm):
    class Meta:
        csrf = False

    day = SelectField(_l("Day"), coerce=_int_or_none, validators=[Optional()])
    type = SelectField(_l("Type"), validators=[Optional()])
    attendance = SelectField(_l("Attendance"), validators=[Optional()])
    fellowship = SelectField(_l("Fellowship"), validators=[Optional()])
    group = SelectField(_l("Group"), validators=[Optional()])

    def __init__(self, *args, groups=(), types=None, **kwargs):
        """`types`: the codes the listed meetings use (None: every code). A code chosen in the address
        stays a choice, so an old link still filters (and finds nothing) rather than being ignored."""
        super().__init__(*args, **kwargs)
        self.day.choices = [(None, _l("Any day")), *display.weekday_choices()]
        offered = meeting_types.choices(str(get_locale() or "en"))
        if types is not None:
            wanted = set(types) | {self.type.data}
            offered = [(code, name) for code, name in offered if code in wanted]
        self.type.choices = [("", _l("Any type")), *offered]
        self.attendance.choices = [("", _l("In person or online")), *display.ATTENDANCE_LABELS.items()]
        self.group.choices = [("", _l("Any group")), *((g.slug, g.name) for g in groups)]
        offered = {g.fellowship for g in groups} | ({self.fellowship.data} & FELLOWSHIP_LABELS.keys())
        self.fellowship.choices = [
            ("", _l("Any fellowship")),
            *((code, label) for code, label in FELLOWSHIP_LABELS.items() if code in offered),
        ]

    def fellowships(self) -> dict:
        """{code: label} of the fellowships of the groups listed (the filter's choices)."""
        return dict(self.fellowship.choices[1:])

    def filters(self) -> PublicFilters:
        """The filters asked for; none when any is not a choice."""
        if not self.validate():
            return PublicFilters()
        return PublicFilters(
            day=self.day.data,
            type=self.type.data or None,
            attendance=self.attendance.data or None,
            group=self.group.data or None,
            fellowship=self.fellowship.data or None,
        )


class NewMeetingForm(MeetingForm, OnceForm):
    """The meeting form of a new meeting: sent twice, it creates one meeting."""
