"""Reports: read-only aggregates of an organisation's groups for its coordinators and funders, and of a
group for itself. Modules: ``periods`` (which dates), ``queries`` (the sums, in SQL), ``rollups`` (the
monthly roll-ups the sums read for whole months, kept by a job), ``suppression``
(which cells may be shown), ``report`` (the report object every page and export renders), ``delivery``
(subscriptions and the mailed download links)."""

from __future__ import annotations

from datetime import datetime

from groupadmin.groups.models import Organisation
from groupadmin.outreach.services.figures import OutreachMonth, monthly_figures
from groupadmin.reports.services import queries
from groupadmin.reports.services.delivery import (  # noqa: F401
    LINK_DAYS,
    deliver_due,
    download_token,
    read_token,
    set_subscriptions,
    subscriptions_of,
)
from groupadmin.reports.services.periods import (  # noqa: F401
    PRESETS,
    Period,
    PeriodError,
    choose,
    ignored_dates,
    org_today,
)
from groupadmin.reports.services.report import (  # noqa: F401
    TEMPLATE_PRESETS,
    TEMPLATES,
    Report,
    build_report,
    figure_text,
)


def _outreach_rows(organisation, period: Period, group_ids=None) -> list[OutreachMonth]:
    """The outreach domain's monthly figures for the report, the one place they come from."""
    return monthly_figures(organisation.id, period.start, period.end, group_ids)


def organisation_report(
    organisation,
    period: Period,
    *,
    now: datetime,
    locale: str,
    template: str = "summary",
    fellowship: str | None = None,
    group_id: int | None = None,
) -> Report:
    """The organisation's figures as its coordinators receive them: suppressed at its threshold."""
    return build_report(
        organisation,
        period,
        now=now,
        locale=locale,
        template=template,
        threshold=organisation.report_threshold,
        fellowship=fellowship,
        group_id=group_id,
        outreach=_outreach_rows(organisation, period, [group_id] if group_id else None),
    )


def group_report(group, period: Period, *, now: datetime, locale: str, template: str = "summary") -> Report:
    """A group's own figures, the same report object the organisation receives, unsuppressed."""
    return build_report(
        group.organisation,
        period,
        now=now,
        locale=locale,
        template=template,
        threshold=None,
        own_group=group,
        outreach=_outreach_rows(group.organisation, period, [group.id]),
    )


def report_for(
    owner,
    *,
    preset: str | None,
    start,
    end,
    template: str | None,
    now: datetime,
    locale: str,
    fellowship: str | None = None,
    group_id: int | None = None,
) -> Report:
    """The report a page or an export asks for: an organisation's (suppressed) or a group's own, for a
    preset period (resolved on the organisation's today; the template's usual one by default) or custom
    dates. Raises PeriodError for custom dates that make no period."""
    organisation = owner if isinstance(owner, Organisation) else owner.organisation
    template = template if template in TEMPLATES else "summary"
    if not preset and not (start or end):
        preset = TEMPLATE_PRESETS[template]
    period = choose(preset, start, end, today=org_today(organisation, now))
    if isinstance(owner, Organisation):
        return organisation_report(
            owner,
            period,
            now=now,
            locale=locale,
            template=template,
            fellowship=fellowship or None,
            group_id=group_id,
        )
    return group_report(owner, period, now=now, locale=locale, template=template)


def group_choices(organisation) -> list[tuple[int, str, str]]:
    """The organisation's groups (id, name, fellowship), for the report's group filter."""
    return [(g[0], g[1], g[3]) for g in queries.groups(queries.Scope(organisation.id))]
