"""The report's choices (a GET form: template, period, filters) and a coordinator's mail subscriptions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import Optional, ValidationError

from groupadmin.forms import AppForm
from groupadmin.groups.display import FELLOWSHIP_LABELS
from groupadmin.reports.services import PRESETS, TEMPLATES


def _optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return -1  # not a choice: refused beside the field


class ReportForm(AppForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    # An unknown report or period in the address falls back to the default (a stale bookmark still opens).
    template = SelectField(
        _l("Report"), choices=list(TEMPLATES.items()), default="summary", validate_choice=False
    )
    period = SelectField(_l("Period"), choices=list(PRESETS.items()), default="", validate_choice=False)
    start = DateField(_l("From"), validators=[Optional()], description=_l("For dates of your choice."))
    end = DateField(_l("To (included)"), validators=[Optional()])
    fellowship = SelectField(
        _l("Fellowship"), choices=[("", _l("All fellowships")), *FELLOWSHIP_LABELS.items()], default=""
    )
    group = SelectField(_l("Group"), coerce=_optional_int, validators=[Optional()], default=None)
    group_fellowships: dict[int, str] = {}

    def validate_group(self, field):
        chosen = self.fellowship.data
        if field.data and chosen and self.group_fellowships.get(field.data, chosen) != chosen:
            raise ValidationError(
                _l(
                    "This group is not of the fellowship chosen above (%(fellowship)s): choose "
                    "“All fellowships” or another group.",
                    fellowship=FELLOWSHIP_LABELS.get(chosen, chosen),
                )
            )


def report_form(args, groups=None) -> ReportForm:
    """The form bound to the query string; `groups` [(id, name, fellowship)] for an organisation's report."""
    form = ReportForm(args, meta={"csrf": False})
    if groups is None:
        del form.fellowship
        del form.group
    else:
        # "" (not None) for all groups: the address then reads group= rather than group=None.
        form.group.choices = [("", _l("All groups")), *((g[0], g[1]) for g in groups)]
        form.group_fellowships = {g[0]: g[2] for g in groups}
    return form


class SubscriptionForm(AppForm):
    monthly = BooleanField(
        _l("Mail me the monthly summary"), description=_l("On the 2nd of each month, for the month before.")
    )
    quarterly = BooleanField(
        _l("Mail me the quarterly funder report"),
        description=_l("On the 2nd of January, April, July and October, for the quarter before."),
    )
