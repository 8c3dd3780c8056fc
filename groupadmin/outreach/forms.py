"""Forms of outreach: asking for a call (public, with its honeypot and fill-time stamp), a newcomer met
in person, recording a follow-up, snoozing, assigning, and the settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from groupadmin.forms import AppForm, OnceForm, strip
from groupadmin.outreach.display import OUTCOME_LABELS
from groupadmin.outreach.services import Contact, contact_problems


class _ContactFields:
    name = StringField(
        _l("First name, or any name"),
        validators=[Optional(), Length(max=60)],
        filters=[strip],
        description=_l("Any name you like: it is only for the volunteer who calls."),
    )
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=30)], filters=[strip])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)], filters=[strip])
    by_call = BooleanField(_l("A call"))
    by_text = BooleanField(_l("A text message"))
    by_email = BooleanField(_l("An email"))
    safe_times = StringField(
        _l("Safe times to call"),
        validators=[Optional(), Length(max=120)],
        filters=[strip],
        description=_l("For example: weekdays after 6 pm."),
    )
    voicemail_ok = BooleanField(_l("A voicemail message is all right"))
    may_name_group = BooleanField(_l("The caller may say the group's name"))
    language = SelectField(_l("Language"), choices=[])
    wants_welcome = BooleanField(_l("Send me a welcome email with the coming meetings"))

    def validate(self, extra_validators=None) -> bool:
        """Every problem in one round: the contact's (a phone, an address for the chosen ways) beside
        their fields together with the form's own (consent). A one-time token taken meanwhile is only
        kept when the view commits."""
        valid = super().validate(extra_validators)
        problems = contact_problems(self.contact())
        for name, message in problems.items():
            field = getattr(self, name)
            field.errors = [*field.errors, str(message)]
        return valid and not problems

    def contact(self) -> Contact:
        channels = [
            c for c, f in (("call", self.by_call), ("text", self.by_text), ("email", self.by_email)) if f.data
        ]
        return Contact(
            name=self.name.data,
            phone=self.phone.data,
            email=self.email.data,
            channels=channels,
            safe_times=self.safe_times.data,
            voicemail_ok=bool(self.voicemail_ok.data),
            may_name_group=bool(self.may_name_group.data),
            language=self.language.data or "en",
            wants_welcome=bool(self.wants_welcome.data),
        )


class RequestForm(_ContactFields, AppForm):
    consent = BooleanField(validators=[DataRequired(message=_l("Tick the box to agree."))])
    # Bots: a field people never see (and must leave empty), and when the form was shown.
    website = StringField(_l("Leave this field empty"))
    started = HiddenField()


class InPersonForm(_ContactFields, OnceForm):
    """The same fields as the public form, filled by the volunteer: the labels speak of the newcomer."""

    name = StringField(
        _l("First name, or any name"),
        validators=[Optional(), Length(max=60)],
        filters=[strip],
        description=_l("Any name they like: it is only for the volunteer who calls."),
    )
    wants_welcome = BooleanField(_l("Send them a welcome email with the coming meetings"))
    consent = BooleanField(
        _l("They agreed, in person, to be contacted these ways and to what the wording above says"),
        validators=[DataRequired(message=_l("Tick the box: their consent is needed."))],
    )


class FollowUpForm(AppForm):
    outcome = SelectField(
        _l("What happened"),
        choices=[("", _l("— choose —")), *OUTCOME_LABELS.items()],
        validators=[DataRequired(message=_l("Choose what happened."))],
    )
    note = StringField(
        _l("Short note (optional)"),
        validators=[Optional(), Length(max=200)],
        filters=[strip],
        description=_l(
            'No health details: just what the next caller needs, like "prefers texts". '
            "Up to %(n)d characters.",
            n=200,
        ),
    )
    confirm_erase = BooleanField(_l("Yes: they asked not to be contacted; erase their details now"))


class SnoozeForm(AppForm):
    until = DateField(_l("Snooze until"), validators=[InputRequired(message=_l("Choose a date."))])


class AssignForm(AppForm):
    volunteer = SelectField(_l("Assign to"), coerce=int, choices=[], validate_choice=False)


class SettingsForm(AppForm):
    plan = StringField(
        _l("Follow-up plan (days after the request)"),
        validators=[DataRequired(), Length(max=60)],
        filters=[strip],
        description=_l(
            "For example 0, 7, 30: a call the same day, after a week, after a month. A changed plan "
            "applies to new requests; the newcomers already followed keep their dates."
        ),
    )
    retention_days = IntegerField(
        _l("Erase personal details after (days without activity)"),
        validators=[InputRequired(), NumberRange(min=7, max=730)],
    )
    consent_wording = TextAreaField(
        _l("What people agree to"),
        render_kw={"rows": 3},
        validators=[DataRequired(), Length(max=500)],
        filters=[strip],
        description=_l("Shown beside the consent box and kept with each request."),
    )
