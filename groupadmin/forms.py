"""Form pieces shared by every domain."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField, ValidationError

from groupadmin import once
from groupadmin.database import known_zones, utcnow

# Characters no one types on purpose: NUL anywhere; in a one-line field also line breaks (they split
# mail headers and feed lines) and the invisible direction overrides that make a name read backwards.
LINE_BREAKS = frozenset("\r\n\v\f\x85\u2028\u2029")
DIRECTION_MARKS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class AppForm(FlaskForm):
    """The base of every form: besides its own validators, every text field refuses NUL, and every
    visible one-line text field refuses line breaks and direction overrides (raw posts can carry
    them), with the message beside the field. WTForms' own messages come in the page's language
    (Flask-WTF's WTF_I18N_ENABLED, set in config.py)."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            problem = control_character_problem(field)
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid


def control_character_problem(field):
    data = field.data if isinstance(field, StringField) and isinstance(field.data, str) else ""
    if "\x00" in data:
        return _l("Remove the invisible characters from this text.")
    if isinstance(field, TextAreaField | HiddenField):  # several lines (a hidden field carries a file)
        return None
    if not LINE_BREAKS.isdisjoint(data):
        return _l("Keep this to one line.")
    if not DIRECTION_MARKS.isdisjoint(data):
        return _l("Remove the invisible characters from this text.")
    return None


SENT_ALREADY = _l("This form was sent already and what it made is saved. Reload the page to start again.")


class OnceForm(AppForm):
    """A form that creates something: it carries a one-time token (rendered by `hidden_tag()`), and
    sending it a second time is refused beside the form, whatever happened to the first."""

    once_token = HiddenField(default=once.new_token)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.once_token.data and not once.claim(self.once_token.data, now=utcnow()):
            self.form_errors.append(SENT_ALREADY)
            return False
        return valid


def timezone_choices() -> list[tuple[str, str]]:
    return [(z, z.replace("_", " ")) for z in sorted(known_zones()) if "/" in z or z == "UTC"]


def valid_timezone(form, field):
    if field.data not in known_zones():
        raise ValidationError(_l("Choose a time zone from the list."))


def strip(value):
    return value.strip() if isinstance(value, str) else value


class ConfirmForm(AppForm):
    """A form with nothing but its CSRF token: for one-button actions (every domain's)."""
