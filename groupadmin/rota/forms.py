"""The rota's forms, and the parsing of the grid (one select per open place, named
``a-<occurrence id>-<role id>``) into typed choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TimeField,
    widgets,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from groupadmin.forms import AppForm, strip
from groupadmin.rota.display import APPLIES_TO_LABELS, ROLE_KIND_LABELS
from groupadmin.rota.models import DEFAULT_REMIND_AT
from groupadmin.rota.services import Choice, RotaError, parse_remind_days
from groupadmin.web import MAX_DATE, MAX_ID, MIN_DATE

TEXT = [strip]


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not one of the choices: the field says so, instead of a 500


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        # Unknown values (a role archived meanwhile) are dropped rather than refused.
        known = {value for value, _label in self.choices}
        self.data = [v for v in (self.data or []) if v in known]


def _safe_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RoleForm(AppForm):
    name = StringField(
        _l("Name"),
        validators=[Length(max=60)],
        filters=TEXT,
        description=_l("In the group's own words, e.g. “Chair”, “Speaker”, “Coffee”."),
    )
    kind = SelectField(
        _l("What kind of role"),
        choices=list(ROLE_KIND_LABELS.items()),
        default="other",
        description=_l("The chair is named on the script and may enter the head count."),
    )
    per_occurrence = IntegerField(
        _l("People per meeting"),
        default=1,
        validators=[
            InputRequired(_l("Give a number from 1 to 10.")),
            NumberRange(1, 10, _l("From 1 to 10 people.")),
        ],
    )
    applies_to = RadioField(
        _l("Which meetings need it"), choices=list(APPLIES_TO_LABELS.items()), default="all"
    )
    meetings = MultiCheckboxField(_l("Meetings"), coerce=_safe_int)
    remind_days = StringField(
        _l("Remind how many days before"),
        default="3, 1",
        filters=TEXT,
        description=_l("Whole days, separated by commas; leave empty for no reminders."),
    )
    remind_at = TimeField(
        _l("Remind at"),
        default=DEFAULT_REMIND_AT,
        validators=[InputRequired(_l("Give a time, e.g. 10:00."))],
        description=_l("In the meeting's time zone."),
    )

    def validate_remind_days(self, field):
        """ "3, 1" -> remind_days_list [3, 1] (the service's rule, beside the field when broken)."""
        try:
            self.remind_days_list = parse_remind_days(field.data)
        except RotaError as error:
            raise ValidationError(error.message) from error


class PersonForm(AppForm):
    display_name = StringField(
        _l("Name on the rota"),
        validators=[Length(max=60)],
        filters=TEXT,
        description=_l("First name and the initial of the last name only, e.g. “Sam T.”."),
    )
    email = EmailField(
        _l("Email (optional)"),
        validators=[Length(max=254)],
        filters=TEXT,
        description=_l("For requests with Accept and Decline buttons, reminders and a calendar."),
    )
    phone = TelField(
        _l("Phone (optional)"),
        validators=[Length(max=40)],
        filters=TEXT,
        description=_l("For the secretary to call; never shown to others."),
    )
    consent = BooleanField(_l("The person agreed to this:"))
    roles = MultiCheckboxField(_l("Roles they can take"), coerce=_safe_int)
    active = BooleanField(_l("Active: can be given turns"), default=True)
    user_id = SelectField(
        _l("Linked account (optional)"),
        coerce=_int_or_none,
        validators=[Optional()],
        description=_l(
            "A member of the group who is this person. Mail goes to the email "
            "above, or to the account's when it is empty."
        ),
    )

    def validate_user_id(self, field):
        if field.data == -1:
            raise ValidationError(_l("Choose one of the group's members, or nobody."))


class BlackoutForm(AppForm):
    starts_on = DateField(_l("First day away"), validators=[InputRequired(_l("Give the first day away."))])
    ends_on = DateField(
        _l("Last day away"), validators=[Optional()], description=_l("Leave empty for a single day.")
    )


class SettingsForm(AppForm):
    min_gap_days = IntegerField(
        _l("Days between one person's turns"),
        default=14,
        validators=[
            InputRequired(_l("Give a number of days.")),
            NumberRange(0, 120, _l("From 0 to 120 days.")),
        ],
        description=_l("Auto-fill keeps at least this many days between turns where the pool allows."),
    )
    weekly_summary = BooleanField(
        _l("Send the secretaries a weekly rota summary (Monday morning)"), default=True
    )


class AutofillForm(AppForm):
    class Meta:
        csrf = False  # the preview is a GET; applying posts a separate form with its token

    start = DateField(_l("From"), validators=[InputRequired(_l("Give the first day."))])
    end = DateField(_l("To"), validators=[InputRequired(_l("Give the last day."))])
    roles = MultiCheckboxField(
        _l("Roles to fill"), coerce=_safe_int, description=_l("None ticked: every role.")
    )


class AssignForm(AppForm):
    role_id = SelectField(_l("Role"), coerce=_int_or_none, validators=[InputRequired(_l("Choose a role."))])
    person_id = SelectField(
        _l("Person"), coerce=_int_or_none, validators=[InputRequired(_l("Choose a person."))]
    )
    confirmed = BooleanField(_l("They have already said yes (mark as confirmed)"))
    accept_warnings = BooleanField(_l("Save even with the conflicts shown"))


class SwapForm(AppForm):
    colleague = RadioField(
        _l("Who could take it?"),
        coerce=_int_or_none,
        validators=[InputRequired(_l("Choose someone from the list."))],
    )


# ---------------------------------------------------------------------------------------------------
# The grid: its period and the people chosen for its open places

DEFAULT_WEEKS, MAX_GRID_WEEKS = 4, 12
GONE = _l("This choice is no longer possible: reload the page.")


@dataclass
class GridPost:
    """What a grid post asks: the period shown, the choices (in the order posted), what was chosen per
    place ((occurrence id, role id) -> person ids, to show again), and problems of ids no database
    holds ((occurrence id, role id, person id) -> messages, as `AssignmentProblems.errors`)."""

    start: date
    weeks: int
    accept_warnings: bool
    choices: list[Choice] = field(default_factory=list)
    selected: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    problems: dict[tuple[int, int, int], list[str]] = field(default_factory=dict)


def _posted_date(value: str | None, default: date) -> date:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return default
    return day if MIN_DATE <= day <= MAX_DATE else default


def _posted_int(value: str | None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_grid(formdata, *, today: date) -> GridPost:
    """Read a grid post. A field name or value that is not a number is no choice (ignored, as an empty
    select is); a number no id can be (beyond what an id column holds, or below 1) is refused with
    the message of a choice that no longer exists, never sent to the database."""
    weeks = _posted_int(formdata.get("weeks", DEFAULT_WEEKS))
    post = GridPost(
        start=_posted_date(formdata.get("start"), today),
        weeks=DEFAULT_WEEKS if weeks is None else min(max(weeks, 1), MAX_GRID_WEEKS),
        accept_warnings=bool(formdata.get("accept_warnings")),
    )
    for name in formdata:
        parts = name.split("-")
        if len(parts) != 3 or parts[0] != "a":
            continue
        occurrence_id, role_id = _posted_int(parts[1]), _posted_int(parts[2])
        if occurrence_id is None or role_id is None:
            continue
        for value in formdata.getlist(name):
            person_id = _posted_int(value) if value else None
            if person_id is None:
                continue
            post.selected.setdefault((occurrence_id, role_id), []).append(person_id)
            if all(0 < n <= MAX_ID for n in (occurrence_id, role_id, person_id)):
                post.choices.append(Choice(occurrence_id, role_id, person_id))
            else:
                post.problems[(occurrence_id, role_id, person_id)] = [str(GONE)]
    return post


def autofill_form(source, roles, *, today: date) -> AutofillForm:
    """The auto-fill period form, read from `source` once a period was given, else the next four weeks."""
    form = AutofillForm(formdata=source if source.get("start") else None)
    form.roles.choices = [(r.id, r.name) for r in roles]
    if not source.get("start"):
        form.start.data = today
        form.end.data = today + timedelta(days=27)
    return form


class GiveBackForm(AppForm):
    """Give the people released when a date was cancelled their places back: the turns the page showed."""

    turns = HiddenField(validators=[InputRequired()])

    def turn_ids(self) -> set[int]:
        ids = set()
        for part in (self.turns.data or "").split(","):
            if part.strip().isdigit() and int(part) <= MAX_ID:
                ids.add(int(part))
        return ids
