"""How head counts read on pages: the trend charts, money, dates, and the template helpers."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import render_template
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from groupadmin import permissions
from groupadmin.attendance import charts, services
from groupadmin.database import utcnow
from groupadmin.meetings import display as meeting_display

# Series colours: a class styled by static/style.css, and the same colour as a presentation attribute.
STYLES = {
    "in_room": (_l("In the room"), "chart-a", "#1f5fa8"),
    "online": (_l("Online"), "chart-b", "#7fb0e6"),
    "newcomers": (_l("Newcomers"), "chart-c", "#a35a00"),
    "cash": (_l("Cash"), "chart-d", "#1c6b35"),
    "digital": (_l("Digital"), "chart-e", "#79c28f"),
}

PERIOD_TITLES = {"weeks": _l("The last 12 weeks"), "months": _l("The last 12 months")}


def locale() -> str:
    try:
        return str(get_locale() or "en")
    except RuntimeError:  # outside a request
        return "en"


def when(occurrence) -> str:
    """ "Tuesday, 17 November 2026, 7:30 PM EST": a date and its start in the meeting's zone."""
    return (
        f"{meeting_display.format_day(occurrence.local_date, 'full')}, "
        f"{meeting_display.local_time_label(occurrence.starts_at, occurrence.timezone)}"
    )


def short_when(occurrence) -> str:
    """ "Tue 17 Nov, 7:30 PM": for lists and the grid."""
    return (
        f"{format_date(occurrence.local_date, 'EEE d MMM', locale=locale())}, "
        f"{meeting_display.format_clock(occurrence.local_start.time())}"
    )


def money(minor, currency: str, whole: bool = False) -> str:
    return services.format_money(minor, currency, locale(), whole=whole)


def _style(name: str) -> charts.SeriesStyle:
    label, css, fill = STYLES[name]
    return charts.SeriesStyle(str(label), css, fill)


def trend_charts(series: services.Series, *, prefix: str) -> list[charts.Chart]:
    """The three charts of a period: average attendance per meeting (in the room and online),
    newcomers, and collections (cash and digital). Each message is translated once per chart, then
    filled in per bar."""
    loc = locale()
    span = str(PERIOD_TITLES[series.period]).lower()
    return [
        _attendance_chart(series, prefix=prefix, span=span, loc=loc),
        _newcomers_chart(series, prefix=prefix, span=span),
        _collections_chart(series, prefix=prefix, span=span, loc=loc),
    ]


def _attendance_chart(series: services.Series, *, prefix: str, span: str, loc: str) -> charts.Chart:
    def avg(value):
        return services.format_average(value, loc)

    no_count = gettext("%(period)s: no head count")
    attendance_tip = gettext("%(period)s: %(average)s on average (%(room)s in the room, %(online)s online)")
    counted: dict[int, str] = {}

    def meetings_counted(n: int) -> str:
        if n not in counted:
            counted[n] = ngettext("%(num)d meeting counted", "%(num)d meetings counted", n)
        return counted[n]

    tips = [
        attendance_tip
        % {
            "period": b.long_label,
            "average": avg(b.average),
            "room": avg(b.average_in_person),
            "online": avg(b.average_online),
        }
        + ", "
        + meetings_counted(b.meetings)
        if b.meetings
        else no_count % {"period": b.long_label}
        for b in series.buckets
    ]
    averages = [b.average for b in series.buckets if b.average is not None]
    return charts.stacked_bars(
        id=f"{prefix}-attendance",
        title=gettext("Average attendance per meeting"),
        description=gettext(
            "Bars of the average number of people per meeting, %(span)s, in the room and online: "
            "from %(low)s to %(high)s. The table below gives every figure.",
            span=span,
            low=avg(min(averages)) if averages else "0",
            high=avg(max(averages)) if averages else "0",
        ),
        labels=[b.label for b in series.buckets],
        values=[[b.average_in_person, b.average_online] if b.meetings else None for b in series.buckets],
        styles=[_style("in_room"), _style("online")],
        tooltips=tips,
        tick_format=avg,
        integer_axis=True,
    )


def _newcomers_chart(series: services.Series, *, prefix: str, span: str) -> charts.Chart:
    no_count = gettext("%(period)s: no head count")
    newcomers_tip = gettext("%(period)s: %(num)s newcomers")
    return charts.stacked_bars(
        id=f"{prefix}-newcomers",
        title=gettext("Newcomers"),
        description=gettext(
            "Bars of the number of newcomers, %(span)s: %(n)d in all. The table below gives every figure.",
            span=span,
            n=series.totals.newcomers,
        ),
        labels=[b.label for b in series.buckets],
        values=[[b.newcomers] if b.meetings else None for b in series.buckets],
        styles=[_style("newcomers")],
        tooltips=[
            newcomers_tip % {"period": b.long_label, "num": b.newcomers}
            if b.meetings
            else no_count % {"period": b.long_label}
            for b in series.buckets
        ],
        tick_format=lambda v: f"{int(v)}",
        integer_axis=True,
    )


def _collections_chart(series: services.Series, *, prefix: str, span: str, loc: str) -> charts.Chart:
    currency = series.currency
    digits = services.precision(currency)

    def cash(minor):
        return services.format_money(minor, currency, loc)

    money_tip = gettext("%(period)s: %(total)s (cash %(cash)s, digital %(digital)s)")
    no_money = gettext("%(period)s: no collection recorded")
    return charts.stacked_bars(
        id=f"{prefix}-collections",
        title=gettext("Collections (%(currency)s)", currency=currency),
        description=gettext(
            "Bars of the 7th Tradition collections, %(span)s, cash and digital: %(total)s in all. "
            "The table below gives every figure.",
            span=span,
            total=cash(series.totals.cash + series.totals.digital),
        ),
        labels=[b.label for b in series.buckets],
        values=[
            [b.cash / 10**digits, b.digital / 10**digits] if b.collected_dates else None
            for b in series.buckets
        ],
        styles=[_style("cash"), _style("digital")],
        tooltips=[
            money_tip
            % {
                "period": b.long_label,
                "total": cash(b.cash + b.digital),
                "cash": cash(b.cash),
                "digital": cash(b.digital),
            }
            if b.collected_dates
            else no_money % {"period": b.long_label}
            for b in series.buckets
        ],
        tick_format=lambda v: services.format_money(round(v * 10**digits), currency, loc, whole=True),
    )


# Rendered trends, per process, keyed by everything they show: the group, the meeting, the language,
# the currency, the day, whether the reader may enter counts, and a digest of the sums read from the
# database. A new or changed count changes the sums, hence the key: nothing needs invalidating, and a
# group page viewed again renders its charts from here instead of anew.
_FRAGMENTS: OrderedDict[tuple, Markup] = OrderedDict()
FRAGMENTS_KEPT = 256


def trends_html(group, *, now, meeting=None, can_enter: bool) -> Markup:
    """The trends of a group (or one of its meetings) as HTML: one query (the sums, and the currency)."""
    loc = locale()
    window = services.trend_window(group, now=now, locale=loc)
    rows, chosen = services.trend_rows(group, window, meeting=meeting)
    currency = chosen or services.default_currency()
    digest = hashlib.blake2b(repr(rows).encode(), digest_size=16).hexdigest()
    key = (group.id, group.slug, getattr(meeting, "id", None), loc, currency, window, can_enter, digest)
    html = _FRAGMENTS.get(key)
    if html is not None:
        _FRAGMENTS.move_to_end(key)
        return html
    trends = services.build_trends(rows, window, currency=currency, locale=loc, meeting=meeting)
    html = Markup(  # noqa: S704 (the output of an autoescaped template)
        render_template(
            "attendance/_trends.html",
            group=group,
            trends=trends,
            can_enter=can_enter,
            periods=[
                (trends.weeks, trend_charts(trends.weeks, prefix="weeks")),
                (trends.months, trend_charts(trends.months, prefix="months")),
            ],
        )
    )
    _FRAGMENTS[key] = html
    while len(_FRAGMENTS) > FRAGMENTS_KEPT:
        _FRAGMENTS.popitem(last=False)
    return html


def count_summary(count) -> str:
    return services.summary(count, count.currency, locale())


def instant(value, occurrence) -> str:
    """An instant (when a count was entered) in the meeting's zone: "17 Nov 2026, 9:12 PM EST"."""
    local = value.astimezone(ZoneInfo(occurrence.timezone))
    day = format_date(local.date(), "medium", locale=locale())
    return f"{day}, {meeting_display.local_time_label(value, occurrence.timezone)}"


def group_trends_html(group) -> Markup:
    """The group page's trends panel, as the signed-in person may see it."""
    return trends_html(group, now=utcnow(), can_enter=permissions.can("group.leader", group))


# Registered with every template by groupadmin.templating.
TEMPLATE_FILTERS = {
    "count_instant": instant,
    "average": lambda v: services.format_average(v, locale()),
    "share": lambda v: services.format_share(v, locale()),
}
TEMPLATE_GLOBALS = {
    "count_when": when,
    "count_short_when": short_when,
    "money": money,
    "count_summary": count_summary,
    "COUNT_PERIOD_TITLES": PERIOD_TITLES,
    "attendance_trends_html": group_trends_html,
}
