"""Forms of the resources directory: an entry (new entries with a one-time token), the re-check setting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from groupadmin.forms import AppForm, OnceForm, strip
from groupadmin.resources.models import KIND_LABELS, MAX_RECHECK_DAYS, MIN_RECHECK_DAYS


class ResourceForm(AppForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    # No default: an entry never becomes a crisis line (pinned first everywhere) by an untouched select.
    kind = SelectField(
        _l("Kind"),
        choices=[("", _l("— choose —")), *KIND_LABELS.items()],
        validators=[InputRequired(message=_l("Choose a kind from the list."))],
    )
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=40)],
        filters=[strip],
        description=_l("As people dial it, e.g. 555-0100 or +1 555 0100."),
    )
    url = StringField(
        _l("Web address"),
        validators=[Optional(), Length(max=500)],
        filters=[strip],
        description=_l("e.g. www.example.org (https:// is added when missing)."),
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)], filters=[strip])
    hours = StringField(
        _l("Hours"),
        validators=[Optional(), Length(max=200)],
        filters=[strip],
        description=_l("In plain words, e.g. “Weekdays 9 am to 5 pm”."),
    )
    is_24_7 = BooleanField(_l("Open 24 hours a day, 7 days a week"))
    languages = StringField(
        _l("Languages"),
        validators=[Optional(), Length(max=120)],
        filters=[strip],
        description=_l("e.g. English, Spanish"),
    )
    cost = StringField(
        _l("Cost"),
        validators=[Optional(), Length(max=120)],
        filters=[strip],
        description=_l("e.g. Free, Sliding scale, Insurance accepted"),
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=500)],
        filters=[strip],
        render_kw={"rows": 3},
        description=_l(
            "Shown to the public: what to expect, who it is for. No names of people. Up to %(n)d characters.",
            n=500,
        ),
    )

    def values(self) -> dict:
        return {
            name: getattr(self, name).data
            for name in (
                "name",
                "kind",
                "phone",
                "url",
                "address",
                "hours",
                "is_24_7",
                "languages",
                "cost",
                "note",
            )
        }


class NewResourceForm(ResourceForm, OnceForm):
    """A new entry: sending the form twice adds it once."""


class RecheckForm(AppForm):
    recheck_days = IntegerField(
        _l("Remind us to re-check entries older than (days)"),
        validators=[InputRequired(), NumberRange(min=MIN_RECHECK_DAYS, max=MAX_RECHECK_DAYS)],
        description=_l("Administrators get one reminder a month while entries are older than this."),
    )
