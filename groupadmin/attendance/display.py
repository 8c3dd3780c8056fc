"""How head counts read on pages: the trend charts, money, dates, and the template helpers."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from groupadmin.attendance import charts, services
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
    from babel.dates import format_date

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
    newcomers, and collections (cash and digital)."""
    loc = locale()
    labels = [b.label for b in series.buckets]
    span = str(PERIOD_TITLES[series.period]).lower()

    def avg(value):
        return services.format_average(value, loc)

    attendance_tips = []
    for b in series.buckets:
        if b.meetings:
            tip = _l(
                "%(period)s: %(average)s on average (%(room)s in the room, %(online)s online), "
                "%(n)d meetings counted",
                period=b.long_label,
                average=avg(b.average),
                room=avg(b.average_in_person),
                online=avg(b.average_online),
                n=b.meetings,
            )
        else:
            tip = _l("%(period)s: no head count", period=b.long_label)
        attendance_tips.append(str(tip))
    averages = [b.average for b in series.buckets if b.average is not None]
    attendance = charts.stacked_bars(
        id=f"{prefix}-attendance",
        title=str(_l("Average attendance per meeting")),
        description=str(
            _l(
                "Bars of the average number of people per meeting, %(span)s, in the room and online: "
                "from %(low)s to %(high)s. The table below gives every figure.",
                span=span,
                low=avg(min(averages)) if averages else "0",
                high=avg(max(averages)) if averages else "0",
            )
        ),
        labels=labels,
        values=[[b.average_in_person, b.average_online] if b.meetings else None for b in series.buckets],
        styles=[_style("in_room"), _style("online")],
        tooltips=attendance_tips,
        tick_format=lambda v: services.format_average(v, loc),
        integer_axis=True,
    )
    newcomers = charts.stacked_bars(
        id=f"{prefix}-newcomers",
        title=str(_l("Newcomers")),
        description=str(
            _l(
                "Bars of the number of newcomers, %(span)s: %(n)d in all. "
                "The table below gives every figure.",
                span=span,
                n=series.totals.newcomers,
            )
        ),
        labels=labels,
        values=[[b.newcomers] if b.meetings else None for b in series.buckets],
        styles=[_style("newcomers")],
        tooltips=[
            str(_l("%(period)s: %(n)d newcomers", period=b.long_label, n=b.newcomers))
            if b.meetings
            else str(_l("%(period)s: no head count", period=b.long_label))
            for b in series.buckets
        ],
        tick_format=lambda v: f"{int(v)}",
        integer_axis=True,
    )
    currency = series.currency
    digits = services.precision(currency)
    collections = charts.stacked_bars(
        id=f"{prefix}-collections",
        title=str(_l("Collections (%(currency)s)", currency=currency)),
        description=str(
            _l(
                "Bars of the 7th Tradition collections, %(span)s, cash and digital: %(total)s in all. "
                "The table below gives every figure.",
                span=span,
                total=money(series.totals.cash + series.totals.digital, currency),
            )
        ),
        labels=labels,
        values=[
            [b.cash / 10**digits, b.digital / 10**digits] if b.collected_dates else None
            for b in series.buckets
        ],
        styles=[_style("cash"), _style("digital")],
        tooltips=[
            str(
                _l(
                    "%(period)s: %(total)s (cash %(cash)s, digital %(digital)s)",
                    period=b.long_label,
                    total=money(b.cash + b.digital, currency),
                    cash=money(b.cash, currency),
                    digital=money(b.digital, currency),
                )
            )
            if b.collected_dates
            else str(_l("%(period)s: no collection recorded", period=b.long_label))
            for b in series.buckets
        ],
        tick_format=lambda v: services.format_money(round(v * 10**digits), currency, loc, whole=True),
    )
    return [attendance, newcomers, collections]


def group_trends(group, *, now, meeting=None) -> dict:
    """Everything the trends partial needs (two queries: the settings and the sums)."""
    trends = services.trends(group, now=now, locale=locale(), meeting=meeting)
    return {
        "trends": trends,
        "periods": [
            (trends.weeks, trend_charts(trends.weeks, prefix="weeks")),
            (trends.months, trend_charts(trends.months, prefix="months")),
        ],
    }


def count_summary(count) -> str:
    return services.summary(count, count.currency, locale())


def instant(value, occurrence) -> str:
    """An instant (when a count was entered) in the meeting's zone: "17 Nov 2026, 9:12 PM EST"."""
    from babel.dates import format_date

    local = value.astimezone(ZoneInfo(occurrence.timezone))
    day = format_date(local.date(), "medium", locale=locale())
    return f"{day}, {meeting_display.local_time_label(value, occurrence.timezone)}"


def register(app) -> None:
    from groupadmin.database import utcnow

    app.add_template_global(when, "count_when")
    app.add_template_global(short_when, "count_short_when")
    app.add_template_global(money, "money")
    app.add_template_global(count_summary, "count_summary")
    app.add_template_filter(instant, "count_instant")
    app.add_template_global(PERIOD_TITLES, "COUNT_PERIOD_TITLES")
    app.add_template_filter(lambda v: services.format_average(v, locale()), "average")
    app.add_template_filter(lambda v: services.format_share(v, locale()), "share")
    app.add_template_global(lambda group: group_trends(group, now=utcnow()), "attendance_trends")
