"""The database triggers that keep the monthly roll-ups exact: whenever a head count, a rota turn, a dated
meeting (occurrence) or a meeting is entered, changed or removed, and its date falls in a month already rolled
up (before ``report_rollup_state.rolled_until``), the group-month is marked stale (a ``report_stale``
row) in the same transaction. The report then reads that month from the raw data; the ``report-rollups``
job recomputes it. Triggers see every write (the services, bulk statements, cascades), which no
application hook would.

One statement list per dialect; the migration (0014_report_speed) and ``create_all`` (tests) run the same.
Deletions are marked BEFORE the row goes (a cascade may take the meeting with it). Before the first
roll-up the triggers do nothing (seeding and imports pay nothing).
"""

# ruff: noqa: E501, S608  (SQL text, no user input)
from __future__ import annotations

import sqlalchemy as sa

from groupadmin.extensions import db

_ROLLED = "WHEN (SELECT rolled_until FROM report_rollup_state WHERE id = 1) IS NOT NULL"
_SQLITE_MARK = """INSERT INTO report_stale (group_id, month, until)
  SELECT {group}, date({day}, 'start of month'), date({day}, 'start of month', '+1 month')
  {rest} {day} < (SELECT rolled_until FROM report_rollup_state WHERE id = 1)"""


def _sqlite_mark(group: str, day: str, rest: str) -> str:
    return _SQLITE_MARK.format(group=group, day=day, rest=rest) + ";"


def _via_occurrence(ref: str) -> str:
    return _sqlite_mark(
        "m.group_id",
        "o.local_date",
        f"FROM occurrence o JOIN meeting m ON m.id = o.meeting_id WHERE o.id = {ref}.occurrence_id AND",
    )


def _occurrence(ref: str) -> str:
    return _sqlite_mark(
        "m.group_id", f"{ref}.local_date", f"FROM meeting m WHERE m.id = {ref}.meeting_id AND"
    )


def _meeting(ref: str, group: str) -> str:
    return _sqlite_mark(
        group,
        "o.local_date",
        "FROM (SELECT DISTINCT date(local_date, 'start of month') AS local_date FROM occurrence "
        f"WHERE meeting_id = {ref}.id) o WHERE",
    )


SQLITE = [
    f"CREATE TRIGGER report_stale_rota_insert AFTER INSERT ON rota_assignment {_ROLLED} BEGIN "
    f"{_via_occurrence('NEW')} END",
    "CREATE TRIGGER report_stale_rota_update AFTER UPDATE OF occurrence_id, role_id, status ON rota_assignment "
    f"{_ROLLED} BEGIN {_via_occurrence('OLD')} {_via_occurrence('NEW')} END",
    f"CREATE TRIGGER report_stale_rota_delete BEFORE DELETE ON rota_assignment {_ROLLED} BEGIN "
    f"{_via_occurrence('OLD')} END",
    f"CREATE TRIGGER report_stale_head_count_insert AFTER INSERT ON head_count {_ROLLED} BEGIN {_via_occurrence('NEW')} END",
    f"CREATE TRIGGER report_stale_head_count_update AFTER UPDATE ON head_count {_ROLLED} BEGIN "
    f"{_via_occurrence('OLD')} {_via_occurrence('NEW')} END",
    f"CREATE TRIGGER report_stale_head_count_delete BEFORE DELETE ON head_count {_ROLLED} BEGIN {_via_occurrence('OLD')} END",
    f"CREATE TRIGGER report_stale_occurrence_insert AFTER INSERT ON occurrence {_ROLLED} BEGIN {_occurrence('NEW')} END",
    "CREATE TRIGGER report_stale_occurrence_update "
    f"AFTER UPDATE OF meeting_id, local_date, starts_at, status ON occurrence {_ROLLED} BEGIN "
    f"{_occurrence('OLD')} {_occurrence('NEW')} END",
    f"CREATE TRIGGER report_stale_occurrence_delete BEFORE DELETE ON occurrence {_ROLLED} BEGIN {_occurrence('OLD')} END",
    f"CREATE TRIGGER report_stale_meeting_update AFTER UPDATE OF group_id ON meeting {_ROLLED} BEGIN "
    f"{_meeting('NEW', 'OLD.group_id')} {_meeting('NEW', 'NEW.group_id')} END",
    f"CREATE TRIGGER report_stale_meeting_delete BEFORE DELETE ON meeting {_ROLLED} BEGIN {_meeting('OLD', 'OLD.group_id')} END",
]

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION report_mark_stale(p_group integer, p_day date) RETURNS void AS $$
BEGIN
  INSERT INTO report_stale (group_id, month, until)
  SELECT p_group, date_trunc('month', p_day)::date, (date_trunc('month', p_day) + interval '1 month')::date
  WHERE p_day < (SELECT rolled_until FROM report_rollup_state WHERE id = 1);
END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION report_stale_via_occurrence() RETURNS trigger AS $$
BEGIN
  IF (SELECT rolled_until FROM report_rollup_state WHERE id = 1) IS NULL THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM report_mark_stale(m.group_id, o.local_date) FROM occurrence o JOIN meeting m ON m.id = o.meeting_id
      WHERE o.id = OLD.occurrence_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    PERFORM report_mark_stale(m.group_id, o.local_date) FROM occurrence o JOIN meeting m ON m.id = o.meeting_id
      WHERE o.id = NEW.occurrence_id;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION report_stale_occurrence() RETURNS trigger AS $$
BEGIN
  IF (SELECT rolled_until FROM report_rollup_state WHERE id = 1) IS NULL THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM report_mark_stale(m.group_id, OLD.local_date) FROM meeting m WHERE m.id = OLD.meeting_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    PERFORM report_mark_stale(m.group_id, NEW.local_date) FROM meeting m WHERE m.id = NEW.meeting_id;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION report_stale_meeting() RETURNS trigger AS $$
BEGIN
  IF (SELECT rolled_until FROM report_rollup_state WHERE id = 1) IS NULL THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  PERFORM report_mark_stale(OLD.group_id, d.local_date)
    FROM (SELECT DISTINCT date_trunc('month', local_date)::date AS local_date FROM occurrence
          WHERE meeting_id = OLD.id) d;
  IF TG_OP = 'UPDATE' THEN
    PERFORM report_mark_stale(NEW.group_id, d.local_date)
      FROM (SELECT DISTINCT date_trunc('month', local_date)::date AS local_date FROM occurrence
            WHERE meeting_id = NEW.id) d;
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER report_stale_head_count_write AFTER INSERT OR UPDATE ON head_count "
    "FOR EACH ROW EXECUTE PROCEDURE report_stale_via_occurrence()",
    "CREATE TRIGGER report_stale_head_count_delete BEFORE DELETE ON head_count "
    "FOR EACH ROW EXECUTE PROCEDURE report_stale_via_occurrence()",
    "CREATE TRIGGER report_stale_rota_write AFTER INSERT OR UPDATE OF occurrence_id, role_id, status "
    "ON rota_assignment FOR EACH ROW EXECUTE PROCEDURE report_stale_via_occurrence()",
    "CREATE TRIGGER report_stale_rota_delete BEFORE DELETE ON rota_assignment "
    "FOR EACH ROW EXECUTE PROCEDURE report_stale_via_occurrence()",
    "CREATE TRIGGER report_stale_occurrence_write AFTER INSERT OR UPDATE OF meeting_id, local_date, starts_at, "
    "status ON occurrence FOR EACH ROW EXECUTE PROCEDURE report_stale_occurrence()",
    "CREATE TRIGGER report_stale_occurrence_delete BEFORE DELETE ON occurrence "
    "FOR EACH ROW EXECUTE PROCEDURE report_stale_occurrence()",
    "CREATE TRIGGER report_stale_meeting_update AFTER UPDATE OF group_id ON meeting "
    "FOR EACH ROW EXECUTE PROCEDURE report_stale_meeting()",
    "CREATE TRIGGER report_stale_meeting_delete BEFORE DELETE ON meeting "
    "FOR EACH ROW EXECUTE PROCEDURE report_stale_meeting()",
]

TRIGGERS = {  # name -> table, to drop them
    "report_stale_rota_insert": "rota_assignment",
    "report_stale_rota_update": "rota_assignment",
    "report_stale_rota_write": "rota_assignment",
    "report_stale_rota_delete": "rota_assignment",
    "report_stale_head_count_insert": "head_count",
    "report_stale_head_count_update": "head_count",
    "report_stale_head_count_write": "head_count",
    "report_stale_head_count_delete": "head_count",
    "report_stale_occurrence_insert": "occurrence",
    "report_stale_occurrence_update": "occurrence",
    "report_stale_occurrence_write": "occurrence",
    "report_stale_occurrence_delete": "occurrence",
    "report_stale_meeting_update": "meeting",
    "report_stale_meeting_delete": "meeting",
}
FUNCTIONS = (
    "report_stale_meeting",
    "report_stale_occurrence",
    "report_stale_via_occurrence",
    "report_mark_stale",
)


def statements(dialect: str) -> list[str]:
    """The statements creating the triggers on `dialect` (sqlite or postgresql)."""
    return SQLITE if dialect == "sqlite" else POSTGRESQL


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in TRIGGERS.items()] + [
        f"DROP FUNCTION IF EXISTS {name}" + ("(integer, date)" if name == "report_mark_stale" else "()")
        for name in FUNCTIONS
    ]


@sa.event.listens_for(db.Model.metadata, "after_create")
def _create_triggers(target, connection, **kw) -> None:
    """`create_all` (tests, a fresh database without migrations) gets the triggers too."""
    if connection.dialect.name in ("sqlite", "postgresql"):
        for statement in drop_statements(connection.dialect.name) + statements(connection.dialect.name):
            connection.exec_driver_sql(statement)
