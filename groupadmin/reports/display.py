"""How reports read: the month charts (the trends page's SVG bars), figures as text, the URLs of a
report's page and exports (an organisation's or a group's own), and the template helpers."""

from __future__ import annotations

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import render_template, url_for
from flask_babel import get_locale, gettext

from groupadmin.attendance import charts
from groupadmin.attendance.display import STYLES
from groupadmin.reports.services.report import Report, figure_text


def locale() -> str:
    return str(get_locale() or "en")


def _style(name: str) -> charts.SeriesStyle:
    label, css, fill = STYLES[name]
    return charts.SeriesStyle(str(label), css, fill)


def report_charts(report: Report) -> list[charts.Chart]:
    """Attendances per month (in the room and online) and newcomers per month, from the report's own
    (suppressed) figures: a hidden month has no bar and its tooltip says why."""
    loc = report.locale
    months = report.months
    labels = [format_date(m["month"], "LLL", locale=loc) for m in months]
    long = [format_date(m["month"], "LLLL y", locale=loc) for m in months]

    def text(fig):
        return figure_text(fig, threshold=report.threshold, locale=loc)

    def number(value):
        return format_decimal(value, locale=loc)

    def parts(m, keys):
        figs = [m[k] for k in keys]
        return [f.value for f in figs] if all(f.shown for f in figs) else None

    attendance = charts.stacked_bars(
        id="report-attendances",
        title=gettext("Attendances per month"),
        description=gettext(
            "Bars of the attendances (visits) of each month, in the room and online. The table "
            '"By month" gives every figure.'
        ),
        labels=labels,
        values=[parts(m, ("in_person", "online")) for m in months],
        styles=[_style("in_room"), _style("online")],
        tooltips=[f"{long[i]}: {text(m['attendances'])}" for i, m in enumerate(months)],
        tick_format=number,
        integer_axis=True,
    )
    newcomers = charts.stacked_bars(
        id="report-newcomers",
        title=gettext("Newcomers per month"),
        description=gettext('Bars of the newcomers of each month. The table "By month" gives every figure.'),
        labels=labels,
        values=[parts(m, ("newcomers",)) for m in months],
        styles=[_style("newcomers")],
        tooltips=[f"{long[i]}: {text(m['newcomers'])}" for i, m in enumerate(months)],
        tick_format=number,
        integer_axis=True,
    )
    return [attendance, newcomers]


def chart_svg(chart: charts.Chart) -> str:
    """One chart as a standalone SVG document (the PDF embeds it)."""
    return render_template("reports/chart.svg", c=chart)


def report_url(report: Report, endpoint: str, **values) -> str:
    """The report's page or one of its exports, with the report's explicit dates and filters."""
    args = {
        "period": "custom",
        "start": report.period.start.isoformat(),
        "end": report.period.end.isoformat(),
        "template": report.template,
        **values,
    }
    if report.group is not None:
        return url_for(f"reports.group_{endpoint}", group_slug=report.group.slug, **args)
    if report.fellowship:
        args["fellowship"] = report.fellowship
    if report.filter_group:
        args["group"] = report.filter_group[0]
    return url_for(f"reports.org_{endpoint}", org_slug=report.organisation.slug, **args)


def show_figure(fig, report: Report) -> str:
    return figure_text(fig, threshold=report.threshold, locale=report.locale)


TEMPLATE_FILTERS = {}
TEMPLATE_GLOBALS = {"report_url": report_url, "show_figure": show_figure}
