"""Forms of newsletters: the public sign-up (with its honeypot and fill-time stamp), a list's settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from groupadmin.forms import strip

VISIBILITY_LABELS = {
    "public": _l("Public: anyone may sign up on its page"),
    "private": _l("Private: people are added by hand or by import"),
}


class SignupForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)], filters=[strip])
    first_name = StringField(
        _l("First name (optional)"), validators=[Optional(), Length(max=60)], filters=[strip]
    )
    consent = BooleanField(validators=[DataRequired(message=_l("Tick the box to agree."))])
    # Bots: a field people never see (and must leave empty), and when the form was shown.
    website = StringField(_l("Leave this field empty"))
    started = HiddenField()


class ListForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    slug = StringField(
        _l("Web address"),
        validators=[DataRequired(), Length(max=64)],
        filters=[strip],
        description=_l("The sign-up page will be /news/<address>: lower-case letters, digits and hyphens."),
    )
    description = TextAreaField(
        _l("Short description"), validators=[Optional(), Length(max=500)], filters=[strip]
    )
    visibility = SelectField(_l("Who may sign up"), choices=list(VISIBILITY_LABELS.items()))
    language = SelectField(_l("Language"), choices=[])
    sender_name = StringField(
        _l("Sender name"),
        validators=[Optional(), Length(max=120)],
        filters=[strip],
        description=_l(
            "Shown as the sender of every issue. Empty: the group's own name, never the fellowship's."
        ),
    )
    consent_wording = TextAreaField(
        _l("What people agree to"),
        render_kw={"rows": 3},
        validators=[DataRequired(), Length(max=500)],
        filters=[strip],
        description=_l("Shown beside the sign-up box and kept with each person's consent."),
    )

    def values(self) -> dict:
        return {
            name: getattr(self, name).data
            for name in (
                "name",
                "slug",
                "description",
                "visibility",
                "language",
                "sender_name",
                "consent_wording",
            )
        }


class ForgetForm(FlaskForm):
    sure = BooleanField(
        _l("Yes, forget my address everywhere"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class IssueForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    body = TextAreaField(
        _l("Text"),
        validators=[Length(max=50_000)],
        render_kw={"rows": 18},
        description=_l(
            "Markdown: *italics*, **bold**, [a link](https://example.org), lines starting with - for a list. "
            "No images or anything loaded from elsewhere."
        ),
    )


class ScheduleForm(FlaskForm):
    send_date = DateField(_l("Date"), validators=[DataRequired()])
    send_time = TimeField(_l("Time"), validators=[DataRequired()])


class StateForm(FlaskForm):
    action = HiddenField(validators=[AnyOf(("pause", "resume", "cancel"))])


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a file to import.")),
            FileAllowed(["csv", "txt"], _l("Choose a .csv file.")),
        ],
        description=_l(
            "Columns: email, first_name, consent_date (YYYY-MM-DD), consent_source (how they agreed). "
            "Rows without consent are refused. Nothing changes until you confirm the preview."
        ),
    )


class ImportConfirmForm(FlaskForm):
    content = HiddenField(validators=[DataRequired()])


TIMING_LABELS = {
    "evening": _l("The evening before (6 pm)"),
    "two_hours": _l("Two hours before"),
}


class RemindForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)], filters=[strip])
    timing = RadioField(_l("When"), choices=list(TIMING_LABELS.items()), default="evening")
    consent = BooleanField(validators=[DataRequired(message=_l("Tick the box to agree."))])
    website = StringField(_l("Leave this field empty"))
    started = HiddenField()


class AddByHandForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)], filters=[strip])
    first_name = StringField(
        _l("First name (optional)"), validators=[Optional(), Length(max=60)], filters=[strip]
    )
    how = StringField(
        _l("How they agreed"),
        validators=[DataRequired(), Length(max=500)],
        filters=[strip],
        description=_l("For example: asked me at the Tuesday meeting, 3 March. Kept as their consent."),
    )
