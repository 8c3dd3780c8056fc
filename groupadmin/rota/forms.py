from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
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

from groupadmin.forms import strip
from groupadmin.rota.display import APPLIES_TO_LABELS, ROLE_KIND_LABELS
from groupadmin.rota.models import DEFAULT_REMIND_AT

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


class RoleForm(FlaskForm):
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


class PersonForm(FlaskForm):
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


class BlackoutForm(FlaskForm):
    starts_on = DateField(_l("First day away"), validators=[InputRequired(_l("Give the first day away."))])
    ends_on = DateField(
        _l("Last day away"), validators=[Optional()], description=_l("Leave empty for a single day.")
    )


class SettingsForm(FlaskForm):
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


class AutofillForm(FlaskForm):
    class Meta:
        csrf = False  # the preview is a GET; applying posts a separate form with its token

    start = DateField(_l("From"), validators=[InputRequired(_l("Give the first day."))])
    end = DateField(_l("To"), validators=[InputRequired(_l("Give the last day."))])
    roles = MultiCheckboxField(
        _l("Roles to fill"), coerce=_safe_int, description=_l("None ticked: every role.")
    )


class AssignForm(FlaskForm):
    role_id = SelectField(_l("Role"), coerce=_int_or_none, validators=[InputRequired(_l("Choose a role."))])
    person_id = SelectField(
        _l("Person"), coerce=_int_or_none, validators=[InputRequired(_l("Choose a person."))]
    )
    confirmed = BooleanField(_l("They have already said yes (mark as confirmed)"))
    accept_warnings = BooleanField(_l("Save even with the conflicts shown"))


class SwapForm(FlaskForm):
    colleague = RadioField(
        _l("Who could take it?"),
        coerce=_int_or_none,
        validators=[InputRequired(_l("Choose someone from the list."))],
    )
