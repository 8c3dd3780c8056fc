"""How groups and roles are named on pages and in mail (labels used by forms, services and templates)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

FELLOWSHIP_LABELS = {
    "aa": _l("Alcoholics Anonymous (AA)"),
    "na": _l("Narcotics Anonymous (NA)"),
    "ca": _l("Cocaine Anonymous (CA)"),
    "smart": _l("SMART Recovery"),
    "al-anon": _l("Al-Anon / Alateen"),
    "other": _l("Another fellowship"),
}
# Least powerful first, so that a form's default role is the safe one.
GROUP_ROLE_LABELS = {
    "leader": _l("Trusted servant (chair, treasurer, GSR…)"),
    "sponsor": _l("Sponsor / outreach volunteer"),
    "secretary": _l("Secretary"),
}
ORG_ROLE_LABELS = {
    "coordinator": _l("Coordinator (figures only)"),
    "outreach": _l("Outreach volunteer (the organisation's call requests)"),
    "admin": _l("Administrator"),
}
# Short names of every role, for running text and lists (the `role_label` template filter).
ROLE_NAMES = {
    "secretary": _l("Secretary"),
    "leader": _l("Trusted servant"),
    "sponsor": _l("Sponsor"),
    "coordinator": _l("Coordinator"),
    "admin": _l("Administrator"),
    "outreach": _l("Outreach volunteer"),
}
