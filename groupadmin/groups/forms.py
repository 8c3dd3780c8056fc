"""Forms of organisations and groups: settings, roles, invitations, removing a role (with hand-over)."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, SelectField, StringField, URLField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from groupadmin.forms import AppForm, OnceForm, strip, timezone_choices, valid_timezone
from groupadmin.groups.display import FELLOWSHIP_LABELS, GROUP_ROLE_LABELS, ORG_ROLE_LABELS, ROLE_NAMES  # noqa: F401
from groupadmin.groups.models import REPORT_THRESHOLD_DEFAULT, REPORT_THRESHOLD_MAX, REPORT_THRESHOLD_MIN

LOCALE_CHOICES = [("en", "English"), ("es", "Español")]
SLUG = Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and dashes only."))


class OrganisationForm(AppForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), Length(max=64), SLUG],
        filters=[strip],
        description=_l("Used in links, e.g. /meetings/lakeside. Leave empty to make one from the name."),
    )
    timezone = SelectField(
        _l("Time zone"), choices=timezone_choices(), default="UTC", validators=[valid_timezone]
    )
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES, default="en")


class OrganisationSettingsForm(AppForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    timezone = SelectField(_l("Time zone"), choices=timezone_choices(), validators=[valid_timezone])
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES)
    website_url = URLField(
        _l("Website"),
        validators=[Optional(), Length(max=255)],
        filters=[strip],
        description=_l("Shown in meeting feeds as the service entity's website."),
    )
    contact_email = EmailField(_l("Public contact email"), validators=[Optional(), Email()], filters=[strip])
    phone = StringField(_l("Public phone"), validators=[Optional(), Length(max=40)], filters=[strip])
    report_threshold = IntegerField(
        _l("Smallest number shown in reports"),
        default=REPORT_THRESHOLD_DEFAULT,
        validators=[
            InputRequired(),
            NumberRange(min=REPORT_THRESHOLD_MIN, max=REPORT_THRESHOLD_MAX),
        ],
        description=_l(
            'Counts of people from 1 to one less than this number are shown as "fewer than" it in the '
            "organisation's reports and exports, so nobody can be singled out. 11 follows the CMS rule."
        ),
    )

    def validate_website_url(self, field):
        if field.data and not field.data.startswith("https://"):
            raise ValidationError(_l("Use an https:// address."))


class GroupCreateForm(OnceForm):
    name = StringField(_l("Group name"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    fellowship = SelectField(_l("Fellowship"), choices=list(FELLOWSHIP_LABELS.items()))
    timezone = SelectField(
        _l("Time zone"),
        choices=timezone_choices(),
        validators=[valid_timezone],
        description=_l("Where the group meets: its meetings' times are in this zone."),
    )
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), Length(max=64), SLUG],
        filters=[strip],
        description=_l("Used in links, e.g. /groups/tuesday-night. Leave empty to make one from the name."),
    )


class GroupSettingsForm(AppForm):
    name = StringField(_l("Group name"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    fellowship = SelectField(_l("Fellowship"), choices=list(FELLOWSHIP_LABELS.items()))
    timezone = SelectField(_l("Time zone"), choices=timezone_choices(), validators=[valid_timezone])
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES)
    contact_email = EmailField(
        _l("Group contact email"),
        validators=[Optional(), Email(), Length(max=254)],
        filters=[strip],
        description=_l("Replies to the group's mail go here."),
    )
    mail_naming = SelectField(
        _l("In emails and calendars, call the group"),
        choices=[
            ("group", _l("by its own name only (recommended: nothing on a lock screen says 'recovery')")),
            ("fellowship", _l("by its name with the fellowship")),
        ],
    )
    display_name = StringField(
        _l("Name used in emails and calendars"),
        validators=[Optional(), Length(max=120)],
        filters=[strip],
        description=_l("Leave empty to use the group name, e.g. 'Tuesday Night Group'."),
    )


class InviteForm(AppForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip])
    role = SelectField(_l("Role"))


class AddRoleForm(AppForm):
    user_id = SelectField(_l("Member"), coerce=int)
    role = SelectField(_l("Role"), choices=list(GROUP_ROLE_LABELS.items()))


class RemoveRoleForm(AppForm):
    successor_id = SelectField(_l("Who takes over as secretary"), coerce=int, validators=[Optional()])
