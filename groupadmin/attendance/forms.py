"""Forms for head counts. The fields are plain text (numeric keyboards on phones through `inputmode`), so
that whatever was typed comes back with its message; the rules live in services.clean_count. The
catch-up grid is parsed here too (`parse_grid`), row by row, for the dates on the page."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length

from groupadmin.forms import AppForm, strip

NOTE_HELP = _l(
    "Optional, for the group's records: “Hall was cold”, “$10 of the cash was for literature”. "
    "Never anyone's name: counts are anonymous."
)


class CountForm(AppForm):
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

    def label_for(self, mode: str) -> None:
        """The labels of a date's mode (services.entry_mode): a hybrid date asks for the split."""
        if mode == "hybrid":
            self.total.label.text = _("Total")
            self.total.description = _("Leave empty to add up the two numbers above.")
        elif mode == "online":
            self.total.label.text = _("How many joined")


class SettingsForm(AppForm):
    currency = SelectField(_l("Currency of the collections"))
    reminders = BooleanField(
        _l("The morning after a meeting without a count, remind its chair (or else the secretaries)")
    )


# ---------------------------------------------------------------------------------------------------
# The catch-up grid: one row of plain inputs per date, named c<occurrence id>-<field>

GRID_COLUMNS = {
    "in_person": _l("In the room"),
    "online": _l("Online"),
    "total": _l("Total"),
    "newcomers": _l("Newcomers"),
    "cash": _l("Cash"),
    "digital": _l("Digital"),
    "not_counted": _l("Not counted"),
    "note": _l("Note"),
}
GRID_FIELDS = ("total", "newcomers", "in_person", "online", "cash", "digital", "note", "not_counted")
GRID_TEXT_MAX = 400


def grid_field(occurrence_id: int, name: str) -> str:
    return f"c{occurrence_id}-{name}"


def parse_grid(formdata, rows) -> dict[int, dict]:
    """What was typed in each row of the grid that was on the page when it was sent ({occurrence id:
    texts, as services.clean_count takes them}). Only the dates of `rows` are read, so names of other
    ids, however large, are ignored; texts are cut at GRID_TEXT_MAX and checked by the count rules."""
    typed = {}
    for occurrence, _count in rows:
        if grid_field(occurrence.id, "present") not in formdata:
            continue  # a row that was not on the page when it was sent
        raw = {n: formdata.get(grid_field(occurrence.id, n), "").strip()[:GRID_TEXT_MAX] for n in GRID_FIELDS}
        raw["not_counted"] = bool(raw["not_counted"])
        typed[occurrence.id] = raw
    return typed
