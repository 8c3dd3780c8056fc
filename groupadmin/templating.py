"""The one place that registers template helpers: the core's, then each domain's `TEMPLATE_FILTERS`
and `TEMPLATE_GLOBALS` (declared beside the code they present, in the domain's display module)."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from groupadmin import permissions
from groupadmin.attendance import display as attendance_display
from groupadmin.audit import display as audit_display
from groupadmin.formats import rendering as format_display
from groupadmin.groups.forms import ROLE_NAMES
from groupadmin.home import display as home_display
from groupadmin.mail import services as mail
from groupadmin.meetings import display as meeting_display
from groupadmin.newsletters import display as newsletter_display
from groupadmin.outreach import display as outreach_display
from groupadmin.reports import display as report_display
from groupadmin.resources import display as resource_display
from groupadmin.rota import display as rota_display

DOMAINS = (
    meeting_display,
    attendance_display,
    rota_display,
    format_display,
    newsletter_display,
    resource_display,
    report_display,
    audit_display,
    outreach_display,
    home_display,
)


def register(app: Flask) -> None:
    app.jinja_env.filters["role_label"] = lambda role: ROLE_NAMES.get(role, role)
    app.jinja_env.globals.update(
        can=permissions.can,
        get_locale=get_locale,
        languages=app.config["LANGUAGES"],
        undeliverable_count=mail.count_undeliverable_for_group,
        mail_can_write_to=mail.can_write_to,
        mail_mask=mail.mask,
    )
    for module in DOMAINS:
        app.jinja_env.filters.update(module.TEMPLATE_FILTERS)
        app.jinja_env.globals.update(module.TEMPLATE_GLOBALS)
