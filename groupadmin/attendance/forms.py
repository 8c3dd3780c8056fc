"""Forms for head counts. The fields are plain text (numeric keyboards on phones through `inputmode`), so
that whatever was typed comes back with its message; the rules live in services.clean_count."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length

from groupadmin.forms import strip

NOTE_HELP = _l(
    "Optional, for the group's records: “Hall was cold”, “$10 of the cash was for literature”. "
    "Never anyone's name: counts are anonymous."
)


class CountForm(FlaskForm):
    total = StringField(_l("How many came"), filters=[strip], validators=[Length(max=20)])
    newcomers = StringField(
        _l("Newcomers"),
        filters=[strip],
        validators=[Length(max=20)],
        description=_l("Part of the total. Leave empty for none."),
    )
    in_person = StringField(_l("In the room"), filters=[strip], validators=[Length(max=20)])
    online = StringField(_l("Online"), filters=[strip], validators=[Length(max=20)])
    cash = StringField(_l("Cash"), filters=[strip], validators=[Length(max=30)])
    digital = StringField(_l("Digital"), filters=[strip], validators=[Length(max=30)])
    not_counted = BooleanField(_l("No head count was taken"))
    note = StringField(_l("Note"), filters=[strip], validators=[Length(max=400)], description=NOTE_HELP)

    def raw(self) -> dict:
        return {
            "total": self.total.data,
            "newcomers": self.newcomers.data,
            "in_person": self.in_person.data,
            "online": self.online.data,
            "cash": self.cash.data,
            "digital": self.digital.data,
            "note": self.note.data,
            "not_counted": self.not_counted.data,
        }

    def fill(self, raw: dict) -> None:
        for name, value in raw.items():
            getattr(self, name).data = value

    def add_problems(self, problems: dict) -> None:
        for name, message in problems.items():
            target = getattr(self, name, None) or self.total
            target.errors = [*list(target.errors or []), str(message)]


class SettingsForm(FlaskForm):
    currency = SelectField(_l("Currency of the collections"))
    reminders = BooleanField(
        _l("The morning after a meeting without a count, remind its chair (or else the secretaries)")
    )
