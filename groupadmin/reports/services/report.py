"""The report object: every figure of a period, already suppressed, which the page and every export
(CSV, XLSX, PDF, the mailed link) render and never recompute.

`build_report` sums in SQL (`queries`), puts the sums into cells (per group, per month, for the whole
period), hides what `suppression.suppress` says (nothing for a group's own view), derives averages and
percentages (hidden with their parts), and lays the figures out in tables chosen by the report template.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from groupadmin.attendance.services.money import format_money
from groupadmin.groups.display import FELLOWSHIP_LABELS
from groupadmin.outreach.display import OUTCOME_LABELS, SOURCE_LABELS
from groupadmin.outreach.services.figures import OutreachMonth
from groupadmin.reports.services import queries
from groupadmin.reports.services.periods import Period
from groupadmin.reports.services.suppression import NOTHING, Suppressed, suppress

TEMPLATES = {
    "summary": _l("Monthly summary"),
    "funder": _l("Quarterly funder report"),
    "coverage": _l("Data coverage by group"),
}
TEMPLATE_PRESETS = {"summary": "last-month", "funder": "last-quarter", "coverage": "last-month"}


# Counts of people: suppressed from 1 to threshold - 1. The others (dates, turns, issues, money) are not.
PEOPLE = (
    "attendances",
    "in_person",
    "online",
    "newcomers",
    "requests",
    "contacted_1d",
    "contacted_7d",
    "reached",
)
MEASURE_LABELS = {
    "groups_active": _l("Groups active (with a meeting held)"),
    "held": _l("Meetings held"),
    "counted": _l("Head counts entered"),
    "coverage": _l("Coverage (meetings with a count)"),
    "attendances": _l("Attendances (visits, not people)"),
    "in_person": _l("In the room"),
    "online": _l("Online"),
    "average": _l("Average attendance per meeting counted"),
    "newcomers": _l("Newcomers"),
    "online_share": _l("Online share"),
    "rota": _l("Service places filled"),
    "subscribers": _l("Newsletter subscribers"),
    "issues": _l("Newsletter issues sent"),
    "requests": _l("Outreach requests"),
    "contacted_1d": _l("First contact within 1 day"),
    "rate_1d": _l("Within 1 day (share)"),
    "contacted_7d": _l("First contact within 7 days"),
    "rate_7d": _l("Within 7 days (share)"),
    "reached": _l("Reached"),
    "collected_dates": _l("Dates with a collection"),
    "collected": _l("7th Tradition collections"),
    "fellowship": _l("Fellowship"),
    "count": _l("Number"),
}
RATIOS = {  # derived figure: (numerator, denominator, kind)
    "coverage": ("counted", "held", "percent"),
    "average": ("attendances", "counted", "average"),
    "online_share": ("online", "attendances", "percent"),
    "rate_1d": ("contacted_1d", "requests", "percent"),
    "rate_7d": ("contacted_7d", "requests", "percent"),
}
TOTAL, ORG_OWN = ("total",), ("org",)


@dataclass(slots=True)
class Figure:
    value: int | float | None
    kind: str = "count"  # count | percent | average | money | text
    state: str = "shown"  # shown | fewer (1 … N-1) | hidden (protects another cell)
    currency: str | None = None

    @property
    def shown(self) -> bool:
        return self.state == "shown" and self.value is not None


@dataclass(slots=True)
class Column:
    key: str
    label: str


@dataclass(slots=True)
class Row:
    label: str
    figures: list[Figure]
    total: bool = False
    group_id: int | None = None


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[Row]
    note: str | None = None
    row_header: str = ""


@dataclass
class Report:
    organisation: object
    period: Period
    template: str
    threshold: int | None  # None: the group's own figures, nothing suppressed
    locale: str
    generated_at: datetime
    group: object | None = None  # a group's own view
    fellowship: str | None = None
    filter_group: tuple | None = None  # (id, name) when filtered to one group
    tables: list[Table] = field(default_factory=list)
    months: list[dict] = field(default_factory=list)  # per month: measure -> Figure (for the charts)
    suppressed: Suppressed = NOTHING
    has_data: bool = False

    @property
    def title(self) -> str:
        return str(TEMPLATES[self.template])

    @property
    def scope_name(self) -> str:
        return self.group.name if self.group is not None else self.organisation.name

    @property
    def filters_label(self) -> str:
        if self.filter_group is not None:
            return gettext("Group: %(name)s", name=self.filter_group[1])
        if self.fellowship:
            return gettext(
                "Fellowship: %(name)s", name=FELLOWSHIP_LABELS.get(self.fellowship, self.fellowship)
            )
        return gettext("All groups") if self.group is None else ""

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)

    def method(self) -> list[str]:
        """The method note: definitions, the period, the threshold (each group's coverage is a table)."""
        notes = [
            gettext("Period: %(period)s (%(start)s to %(end)s), meetings' own local dates.")
            % {
                "period": self.period.label(self.locale),
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            gettext(
                "Meetings held: dated meetings that were not cancelled and had started when the report was "
                "made. Head counts entered: meetings held with a head count; coverage is their share."
            ),
            gettext(
                "Attendances are visits, not people: someone who came to four meetings is counted four "
                "times. Newcomers are as the group counted them. Online share: online attendances of all."
            ),
            gettext(
                "Average attendance per meeting counted: attendances divided by head counts entered, so "
                "a meeting without a count does not pull it down."
            ),
            gettext(
                "Service places filled: confirmed rota turns on meetings held. Newsletter subscribers: "
                "confirmed subscriptions at the end of the period; issues sent within it."
            ),
            gettext(
                "Outreach: requests for a call; first contact within 1 and 7 days of the request; people "
                "reached; outcomes and how people heard of us. No client-level data is included."
            ),
            gettext("7th Tradition collections are summed per currency and never converted."),
        ]
        if self.threshold is None:
            notes.append(gettext("These are the group's own figures: nothing is suppressed."))
        else:
            notes.append(
                gettext(
                    'Suppression: every count of people from 1 to %(below)s is shown as "fewer than %(n)s". '
                    "Further cells are hidden where the others of a row, a column or a total would give "
                    "them away, and percentages and averages are hidden with their parts. Zero is shown."
                )
                % {"below": self.threshold - 1, "n": self.threshold}
            )
        return notes


# ---------------------------------------------------------------------------------------------------


def build_report(
    organisation,
    period: Period,
    *,
    now: datetime,
    locale: str,
    template: str = "summary",
    threshold: int | None,
    fellowship: str | None = None,
    group_id: int | None = None,
    own_group=None,
    outreach: list[OutreachMonth] | None = None,
) -> Report:
    """The report of `organisation` (or of `own_group`, unsuppressed when `threshold` is None) for
    `period`, filtered to a fellowship or a group. `outreach`: the outreach domain's monthly rows."""
    if own_group is not None:
        group_id, fellowship = own_group.id, None
    scope = queries.Scope(organisation.id, fellowship, group_id, org_lists=own_group is None)
    group_list = queries.groups(scope)
    counts = queries.count_rows(scope, period.start, period.end, now=now)
    news = queries.newsletter_rows(scope, period.start, period.end, timezone=organisation.timezone, now=now)
    in_scope = {g[0] for g in group_list}
    outreach = [
        r
        for r in (outreach or [])
        if (r.group_id in in_scope)
        or (r.group_id is None and scope.org_lists and group_id is None and fellowship is None)
    ]

    sums = _Sums(period.months)
    for row in counts:
        sums.add_counts(row)
    for gid, subs, sent in news:
        target = ("g", gid) if gid is not None else ORG_OWN
        sums.cells[(target, "subscribers")] += subs
        sums.cells[(TOTAL, "subscribers")] += subs
        sums.cells[(target, "issues")] += sent
        sums.cells[(TOTAL, "issues")] += sent
    for r in outreach:
        target = ("g", r.group_id) if r.group_id is not None else ORG_OWN
        for measure in ("requests", "contacted_1d", "contacted_7d", "reached"):
            sums.add(target, r.month, measure, getattr(r, measure))
        for name, n in r.outcomes.items():
            sums.cells[(TOTAL, f"outcome:{name}")] += n
        for name, n in r.sources.items():
            sums.cells[(TOTAL, f"source:{name}")] += n
    sums.cells[(TOTAL, "groups_active")] = len(
        {k[0][1] for k, v in sums.cells.items() if k[1] == "held" and k[0][0] == "g" and v}
    )

    group_scopes = [("g", g[0]) for g in group_list]
    month_scopes = [("m", m) for m in period.months]
    org_own = [ORG_OWN] if any(k[0] == ORG_OWN for k in sums.cells) else []
    cells = sums.complete(group_scopes + org_own, month_scopes)
    equations = _equations(cells, group_scopes + org_own, month_scopes)
    sensitive = [
        k
        for k in cells
        if k[1] in PEOPLE
        or k[1] == "subscribers"
        or k[1].startswith(("outcome:", "source:"))
        or k[1] in ("outcomes_all", "sources_all")
    ]
    hidden = suppress(
        cells, equations, threshold=threshold, sensitive=sensitive, totals=[k for k in cells if k[0] == TOTAL]
    )

    report = Report(
        organisation=organisation,
        period=period,
        template=template if template in TEMPLATES else "summary",
        threshold=threshold,
        locale=locale,
        generated_at=now,
        group=own_group,
        fellowship=fellowship,
        filter_group=next(((g[0], g[1]) for g in group_list if g[0] == group_id), None)
        if own_group is None
        else None,
        suppressed=hidden,
        has_data=any(v for k, v in cells.items() if k[0] == TOTAL),
    )
    figure = _figures(cells, hidden, sums.collections)
    report.months = [
        {
            m: figure(("m", month), m)
            for m in ("held", "counted", "attendances", "in_person", "online", "newcomers", "average")
        }
        | {"month": month}
        for month in period.months
    ]
    report.tables = _tables(report, figure, group_list, sums, locale)
    return report


class _Sums:
    def __init__(self, months):
        self.months = months
        self.cells: dict[tuple, int] = defaultdict(int)
        self.collections: dict[str, list[int]] = {}  # currency -> [dates, minor]

    def add(self, scope, month, measure, n):
        self.cells[(scope, measure)] += n
        self.cells[(("m", month), measure)] += n
        self.cells[(TOTAL, measure)] += n

    def add_counts(self, row: queries.CountRow):
        """A row of one group in one month counts for the group, the month and the whole; a roll-up's row
        of a group (month None) for the group only, of a month (group None) for the month and the whole."""
        g = ("g", row.group_id) if row.group_id is not None else None
        m = ("m", row.month) if row.month is not None else None
        for measure, n in (
            ("held", row.held),
            ("counted", row.counted),
            ("attendances", row.total),
            ("in_person", row.in_person),
            ("online", row.online),
            ("newcomers", row.newcomers),
            ("rota", row.rota),
        ):
            if g is not None:
                self.cells[(g, measure)] += n
            if m is not None:
                self.cells[(m, measure)] += n
                self.cells[(TOTAL, measure)] += n
        if m is not None and row.currency and row.collected_dates:
            entry = self.collections.setdefault(row.currency, [0, 0])
            entry[0] += row.collected_dates
            entry[1] += row.collected_minor

    def complete(self, group_scopes, month_scopes) -> dict:
        """Every cell the tables show, 0 where nothing was summed (a zero is a cell of its equations)."""
        cells = dict(self.cells)
        measures = (
            "held",
            "counted",
            "attendances",
            "in_person",
            "online",
            "newcomers",
            "rota",
            "requests",
            "contacted_1d",
            "contacted_7d",
            "reached",
        )
        for scope in [TOTAL, *group_scopes, *month_scopes]:
            for m in measures:
                cells.setdefault((scope, m), 0)
        for scope in [TOTAL, *group_scopes]:
            cells.setdefault((scope, "subscribers"), 0)
            cells.setdefault((scope, "issues"), 0)
        cells.setdefault((TOTAL, "groups_active"), 0)
        outcomes = [k for k in cells if k[0] == TOTAL and k[1].startswith("outcome:")]
        cells[(TOTAL, "outcomes_all")] = sum(cells[k] for k in outcomes)
        sources = [k for k in cells if k[0] == TOTAL and k[1].startswith("source:")]
        cells[(TOTAL, "sources_all")] = sum(cells[k] for k in sources)
        return cells


def _equations(cells, group_scopes, month_scopes) -> list[list]:
    """What a reader can add up: each measure over the groups and over the months gives its total; the
    room and online parts give the attendances; outcomes and sources give their totals (the sources, the
    requests too when every request has one)."""
    eqs = []
    for m in PEOPLE:
        eqs.append([(TOTAL, m)] + [(s, m) for s in group_scopes])
        eqs.append([(TOTAL, m)] + [(s, m) for s in month_scopes])
    eqs.append([(TOTAL, "subscribers")] + [(s, "subscribers") for s in group_scopes])
    for s in [TOTAL, *group_scopes, *month_scopes]:
        eqs.append([(s, "attendances"), (s, "in_person"), (s, "online")])
    outcomes = [k for k in cells if k[0] == TOTAL and k[1].startswith("outcome:")]
    eqs.append([(TOTAL, "outcomes_all"), *outcomes])
    sources = [k for k in cells if k[0] == TOTAL and k[1].startswith("source:")]
    eqs.append([(TOTAL, "sources_all"), *sources])
    if cells[(TOTAL, "sources_all")] == cells[(TOTAL, "requests")]:
        eqs.append([(TOTAL, "requests"), *sources])
    return eqs


def _figures(cells, hidden: Suppressed, collections) -> Callable[[tuple, str], Figure]:
    primary, complementary = hidden.primary, hidden.complementary  # what `hidden.state` reads, looked up once

    def figure(scope, measure) -> Figure:
        if measure in RATIOS:
            top, bottom, kind = RATIOS[measure]
            parts = [(scope, top), (scope, bottom)]
            if any(p in primary or p in complementary for p in parts):
                return Figure(None, kind, "hidden")
            denominator = cells.get(parts[1], 0)
            return Figure(cells.get(parts[0], 0) / denominator if denominator else None, kind)
        key = (scope, measure)
        if key in primary:
            return Figure(None, "count", "fewer")
        if key in complementary:
            return Figure(None, "count", "hidden")
        return Figure(cells.get(key, 0))

    return figure


def _tables(report: Report, figure, group_list, sums: _Sums, locale: str) -> list[Table]:
    def columns(keys):
        return [Column(k, str(MEASURE_LABELS[k])) for k in keys]

    def month_label(month):
        return format_date(month, "LLLL y", locale=locale)

    def by_month(key, title, measures, note=None):
        rows = [Row(month_label(m), [figure(("m", m), k) for k in measures]) for m in report.period.months]
        rows.append(Row(gettext("Whole period"), [figure(TOTAL, k) for k in measures], total=True))
        return Table(key, title, columns(measures), rows, note, row_header=gettext("Month"))

    fellowships = {}  # each label translated once, not once per group

    def fellowship_label(code):
        if code not in fellowships:
            fellowships[code] = str(FELLOWSHIP_LABELS.get(code, code))
        return fellowships[code]

    def by_group(key, title, measures, note=None):
        rows = [
            Row(
                name,
                [Figure(fellowship_label(fellowship), "text")] + [figure(("g", gid), k) for k in measures],
                group_id=gid,
            )
            for gid, name, _slug, fellowship in group_list
        ]
        if any(k[0] == ORG_OWN for k in sums.cells) and "subscribers" in measures:
            rows.append(
                Row(
                    gettext("The organisation's own"),
                    [Figure("", "text")] + [figure(ORG_OWN, k) for k in measures],
                )
            )
        rows.append(
            Row(
                gettext("All groups"), [Figure("", "text")] + [figure(TOTAL, k) for k in measures], total=True
            )
        )
        return Table(key, title, columns(["fellowship", *measures]), rows, note, row_header=gettext("Group"))

    def overview(measures):
        rows = [Row(str(MEASURE_LABELS[k]), [figure(TOTAL, k)]) for k in measures]
        for currency, (_dates, minor) in sorted(sums.collections.items()):
            rows.append(
                Row(
                    gettext("7th Tradition collections (%(currency)s)", currency=currency),
                    [Figure(minor, "money", currency=currency)],
                )
            )
        return Table(
            "overview",
            gettext("The period at a glance"),
            columns(["count"]),
            rows,
            row_header=gettext("Figure"),
        )

    def outcome_table(prefix, key, title, total_key):
        names = sorted(k[1].split(":", 1)[1] for k in sums.cells if k[0] == TOTAL and k[1].startswith(prefix))
        rows = [Row(_outreach_label(n), [figure(TOTAL, f"{prefix}{n}")]) for n in names]
        rows.append(Row(gettext("All"), [figure(TOTAL, total_key)], total=True))
        return Table(key, title, columns(["count"]), rows, row_header=gettext("Kind"))

    outreach_measures = ["requests", "contacted_1d", "rate_1d", "contacted_7d", "rate_7d", "reached"]
    coverage = by_group(
        "coverage",
        gettext("Data coverage by group"),
        ["held", "counted", "coverage"],
        gettext("Whose head counts are missing: meetings held without a count."),
    )
    collections = Table(
        "collections",
        gettext("7th Tradition collections by currency"),
        columns(["collected_dates", "collected"]),
        [
            Row(currency, [Figure(dates), Figure(minor, "money", currency=currency)])
            for currency, (dates, minor) in sorted(sums.collections.items())
        ],
        gettext("Amounts in different currencies are never added together."),
        row_header=gettext("Currency"),
    )
    if report.template == "coverage":
        return [coverage]
    if report.template == "funder":
        return [
            overview(
                [
                    "groups_active",
                    "held",
                    "attendances",
                    "average",
                    "newcomers",
                    "requests",
                    "rate_1d",
                    "rate_7d",
                    "reached",
                ]
            ),
            by_month("months", gettext("By month"), ["held", "attendances", "newcomers", "average"]),
            by_month("outreach", gettext("Outreach by month"), outreach_measures),
            outcome_table("outcome:", "outcomes", gettext("Outreach outcomes"), "outcomes_all"),
            coverage,
        ]
    return [
        overview(
            [
                "groups_active",
                "held",
                "counted",
                "coverage",
                "attendances",
                "average",
                "newcomers",
                "online_share",
                "rota",
                "subscribers",
                "issues",
                "requests",
                "reached",
            ]
        ),
        by_month(
            "months",
            gettext("By month"),
            ["held", "counted", "attendances", "in_person", "online", "newcomers", "average"],
        ),
        by_group(
            "groups",
            gettext("By group"),
            ["held", "counted", "attendances", "newcomers", "online_share", "rota", "subscribers", "issues"],
        ),
        collections,
        by_month("outreach", gettext("Outreach by month"), outreach_measures),
        outcome_table("outcome:", "outcomes", gettext("Outreach outcomes"), "outcomes_all"),
        outcome_table("source:", "sources", gettext("How people heard of us"), "sources_all"),
        coverage,
    ]


def _outreach_label(code: str) -> str:
    """An outcome's or a source's name in the outreach domain's words (a code it no longer knows reads
    as itself)."""
    label = str(OUTCOME_LABELS.get(code) or SOURCE_LABELS.get(code) or code.replace("_", " "))
    return label[:1].upper() + label[1:]


# ---------------------------------------------------------------------------------------------------
# One way to write a figure, for the page and every export.


def figure_text(fig: Figure, *, threshold: int | None, locale: str) -> str:
    if fig.state == "fewer":
        return gettext("fewer than %(n)s", n=threshold)
    if fig.state == "hidden":
        return gettext("hidden")
    if fig.value is None:
        return "–" if fig.kind != "text" else ""
    if fig.kind == "text":
        return str(fig.value)
    if fig.kind == "percent":
        return format_percent(fig.value, format="#,##0.#%", locale=locale)
    if fig.kind == "average":
        return format_decimal(round(fig.value, 1), format="#,##0.#", locale=locale)
    if fig.kind == "money":
        return format_money(fig.value, fig.currency, locale)
    return format_decimal(fig.value, locale=locale)
