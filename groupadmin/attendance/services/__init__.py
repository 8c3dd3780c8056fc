"""Head counts and collections: the business rules. Callers (views, jobs, the CLI) commit.

Every function takes the current time as ``now``; nothing here reads the clock, the request or the
signed-in user. Numbers come in as the text people typed and are cleaned here, so the single form, the
catch-up grid and the chair's link share one set of rules and messages.

Anonymity: a count holds numbers, a currency and a short note (which the form asks to keep free of names,
and which refuses anything that looks like an email address or a phone number). The only people it
mentions are the trusted servants who recorded or last changed it; the chair who enters it through the
signed link is not stored at all.

The modules, by what they do (their public names are re-exported here):
  settings   a group's currency and reminders
  money      amounts as people type and read them
  counts     the count rules: cleaning what was typed, recording, changing, removing a date's count
  entry      one date's form (the secretary's page and the chair's link): what it shows, saving it
  queries    what the pages and the dashboard list; a group's meetings and dates
  grid       the catch-up grid: many dates at once, all or nothing
  figures    trends per week and month, and the calendar arithmetic they share
  treasurer  collections per month and meeting, the treasurer's page and its CSV
  links      the chair's signed link
  reminders  the morning-after reminder
  hooks      what hangs off an occurrence (keep_counted_dates)
"""

from groupadmin.attendance.services.counts import (
    MAX_PEOPLE,
    MONEY_FIELDS,
    NOTE_MAX,
    PEOPLE_FIELDS,
    CountError,
    CountValues,
    clean_count,
    clean_note,
    count_for,
    count_problem,
    delete_count,
    entry_mode,
    parse_people,
    raw_from_count,
    remove_count,
    save_count,
    summary,
)
from groupadmin.attendance.services.entry import Entry, Saved, count_entry, record_entry
from groupadmin.attendance.services.figures import (
    TREND_MONTHS,
    TREND_WEEKS,
    Bucket,
    Series,
    Trends,
    TrendWindow,
    add_months,
    build_trends,
    format_average,
    format_share,
    group_today,
    trend_rows,
    trend_window,
    trends,
    week_start,
)
from groupadmin.attendance.services.grid import (
    CATCH_UP_MAX_WEEKS,
    CATCH_UP_WEEKS,
    Grid,
    GridError,
    catch_up_grid,
    catch_up_rows,
    is_blank,
    save_grid,
    save_many,
)
from groupadmin.attendance.services.hooks import keep_counted_dates
from groupadmin.attendance.services.links import (
    link_entry,
    link_max_age,
    link_may_edit,
    link_token,
    load_link,
)
from groupadmin.attendance.services.money import (
    MAX_AMOUNT_MAJOR,
    amount_for_input,
    ascii_digits,
    format_money,
    parse_amount,
    plain_amount,
    precision,
    to_major,
)
from groupadmin.attendance.services.queries import (
    TO_ENTER_DAYS,
    TO_ENTER_LIMIT,
    Overview,
    counts_to_enter,
    group_meetings,
    open_dates,
    overview,
    recent_counts,
)
from groupadmin.attendance.services.reminders import (
    REMINDER_WINDOW,
    chairs_for,
    due_dates,
    reminder_due_at,
    send_reminders,
)
from groupadmin.attendance.services.settings import (
    currency_choices,
    default_currency,
    save_settings,
    settings_for,
)
from groupadmin.attendance.services.treasurer import (
    LedgerRow,
    MoneyLine,
    Period,
    TreasurerPage,
    TreasurerReport,
    available_years,
    collections_csv,
    period,
    sum_collections,
    treasurer_csv,
    treasurer_page,
    treasurer_report,
)

__all__ = [
    "CATCH_UP_MAX_WEEKS",
    "CATCH_UP_WEEKS",
    "MAX_AMOUNT_MAJOR",
    "MAX_PEOPLE",
    "MONEY_FIELDS",
    "NOTE_MAX",
    "PEOPLE_FIELDS",
    "REMINDER_WINDOW",
    "TO_ENTER_DAYS",
    "TO_ENTER_LIMIT",
    "TREND_MONTHS",
    "TREND_WEEKS",
    "Bucket",
    "CountError",
    "CountValues",
    "Entry",
    "Grid",
    "GridError",
    "LedgerRow",
    "MoneyLine",
    "Overview",
    "Period",
    "Saved",
    "Series",
    "TreasurerPage",
    "TreasurerReport",
    "TrendWindow",
    "Trends",
    "add_months",
    "amount_for_input",
    "ascii_digits",
    "available_years",
    "build_trends",
    "catch_up_grid",
    "catch_up_rows",
    "chairs_for",
    "clean_count",
    "clean_note",
    "collections_csv",
    "count_entry",
    "count_for",
    "count_problem",
    "counts_to_enter",
    "currency_choices",
    "default_currency",
    "delete_count",
    "due_dates",
    "entry_mode",
    "format_average",
    "format_money",
    "format_share",
    "group_meetings",
    "group_today",
    "is_blank",
    "keep_counted_dates",
    "link_entry",
    "link_max_age",
    "link_may_edit",
    "link_token",
    "load_link",
    "open_dates",
    "overview",
    "parse_amount",
    "parse_people",
    "period",
    "plain_amount",
    "precision",
    "raw_from_count",
    "recent_counts",
    "record_entry",
    "reminder_due_at",
    "remove_count",
    "save_count",
    "save_grid",
    "save_many",
    "save_settings",
    "send_reminders",
    "settings_for",
    "sum_collections",
    "summary",
    "to_major",
    "treasurer_csv",
    "treasurer_page",
    "treasurer_report",
    "trend_rows",
    "trend_window",
    "trends",
    "week_start",
]
