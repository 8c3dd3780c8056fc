"""Head-count pages: a group's counts (its secretaries and leaders), the figures (trends and the
treasurer's view), and the chair's signed link (public: the link is the authority; GET shows, only
POST records). One blueprint; the modules below add its routes.

Views parse, check, call one service, commit once. Whatever was typed comes back with its message."""

from __future__ import annotations

from flask import Blueprint, request

from groupadmin.attendance import services
from groupadmin.attendance.forms import CountForm
from groupadmin.extensions import db
from groupadmin.web import show_error

bp = Blueprint("attendance", __name__)


def count_form(entry: services.Entry) -> CountForm:
    """A date's form: shown with the saved count, or as it was sent, labelled for the date's mode."""
    form = CountForm()
    if request.method == "GET":
        form.fill(entry.typed)
    form.label_for(entry.mode)
    return form


def save_entry(entry: services.Entry, form: CountForm, *, actor, now, via: str = "account"):
    """Record what the form holds and commit (services.Saved); on a refusal, roll back, put the messages
    beside their fields and answer None."""
    try:
        saved = services.record_entry(entry, form.raw(), actor=actor, now=now, via=via)
    except services.CountError as error:
        db.session.rollback()
        show_error(form, error)
        return None
    db.session.commit()
    return saved


from groupadmin.attendance.views import counts, figures, link  # noqa: E402, F401  (they add the routes)
