"""The rules of a count: what people type, cleaned or refused with a message per field; dates that can
have a count; the audit entry; the database's own CHECK constraints; a counted date is never cancelled."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from groupadmin.attendance import services
from groupadmin.attendance.models import HeadCount
from groupadmin.audit.models import AuditEvent
from groupadmin.extensions import db
from groupadmin.meetings import services as meetings
from tests.attendance import helpers
from tests.conftest import NOW


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("0", 0),
        ("", None),
        ("  7 ", 7),
        ("5000", 5000),
        ("1 200", 1200),
        (None, None),
        ("٢٣", 23),
    ],
)
def test_people_numbers(text, expected):
    assert services.parse_people(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-3", "can't be negative"),
        ("abc", "whole number"),
        ("12.5", "whole number"),
        ("5001", "more than 5000"),
        ("99999999999999999999", "more than 5000"),
        ("½", "whole number"),
        ("²", "whole number"),  # a digit to isdigit(), not to int()
    ],
)
def test_bad_people_numbers_are_refused_with_a_message(app, text, message):
    with pytest.raises(ValueError) as error:
        services.parse_people(text)
    assert message in str(error.value.args[0])


@pytest.mark.parametrize(
    ("text", "currency", "locale", "minor"),
    [
        ("45", "USD", "en", 4500),
        ("45.5", "USD", "en", 4550),
        ("45.50", "USD", "en", 4550),
        ("45,50", "USD", "en", 4550),
        ("$45.50", "USD", "en", 4550),
        ("1,250", "USD", "en", 125000),
        ("1,250.75", "USD", "en", 125075),
        ("1.250,75 €", "EUR", "es", 125075),
        ("1.250", "EUR", "es", 125000),
        ("12,5", "EUR", "es", 1250),
        (".50", "USD", "en", 50),
        ("1500", "JPY", "en", 1500),
        ("0", "USD", "en", 0),
        ("", "USD", "en", None),
        ("12.500", "USD", "en", 1250),  # trailing zeros beyond the cents are harmless
    ],
)
def test_amounts(app, text, currency, locale, minor):
    assert services.parse_amount(text, currency=currency, locale=locale) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("-5", "USD", "can't be negative"),
        ("abc", "USD", "such as 45.50"),
        ("12.505", "USD", "at most 2 decimal places"),
        ("15.5", "JPY", "no decimal places"),
        ("1e5", "USD", "such as"),
        ("2000000", "USD", "more than"),
        ("4..5", "USD", "such as"),
    ],
)
def test_bad_amounts_are_refused_with_a_message(app, text, currency, message):
    with pytest.raises(ValueError) as error:
        services.parse_amount(text, currency=currency, locale="en")
    assert message in str(error.value.args[0])


def _clean(mode="in_person", **raw):
    return services.clean_count(raw, mode=mode, currency="USD", locale="en")


def test_an_in_person_count(app):
    values = _clean(total="23", newcomers="2", cash="41.25", digital="")
    assert (values.total, values.newcomers, values.in_person, values.online) == (23, 2, 23, 0)
    assert (values.cash_minor, values.digital_minor, values.note) == (4125, None, None)


def test_newcomers_default_to_none_and_online_dates_count_online(app):
    values = _clean(mode="online", total="15")
    assert (values.total, values.newcomers, values.in_person, values.online) == (15, 0, 0, 15)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"in_person": "18", "online": "7"}, (25, 18, 7)),
        ({"total": "25", "online": "7"}, (25, 18, 7)),
        ({"total": "25", "in_person": "18"}, (25, 18, 7)),
        ({"total": "25", "in_person": "18", "online": "7"}, (25, 18, 7)),
        ({"in_person": "0", "online": "9"}, (9, 0, 9)),
    ],
)
def test_a_hybrid_count_takes_any_two_of_three(app, raw, expected):
    values = _clean(mode="hybrid", **raw)
    assert (values.total, values.in_person, values.online) == expected


@pytest.mark.parametrize(
    ("mode", "raw", "field", "message"),
    [
        ("in_person", {}, "total", "How many came?"),
        ("online", {}, "total", "How many joined?"),
        ("in_person", {"total": "5", "newcomers": "6"}, "newcomers", "at most 5"),
        ("hybrid", {"total": "25", "in_person": "18", "online": "6"}, "total", "add up to 24, not 25"),
        ("hybrid", {"total": "5", "online": "7"}, "online", "more than the total (5)"),
        ("hybrid", {"total": "25"}, "in_person", "in the room"),
        ("hybrid", {}, "online", "joined online"),
        ("in_person", {"total": "-1"}, "total", "negative"),
        ("in_person", {"total": "12", "not_counted": True}, "total", "Leave the numbers empty"),
        (
            "in_person",
            {"total": "12", "note": "Ann came with Bob, call 555-123-4567"},
            "note",
            "contact details",
        ),
        ("in_person", {"total": "12", "note": "ask ann@example.org"}, "note", "contact details"),
        ("in_person", {"total": "12", "note": "x" * 201}, "note", "under 200"),
        ("in_person", {"total": "12", "cash": "lots"}, "cash", "such as"),
    ],
)
def test_bad_counts_are_refused_field_by_field(app, mode, raw, field, message):
    with pytest.raises(services.CountError) as error:
        _clean(mode=mode, **raw)
    assert message in str(error.value.problems[field])


def test_no_head_count_taken_keeps_the_collection(app):
    values = _clean(not_counted=True, cash="12", note="Basket only")
    assert values.total is None and values.in_person is None and values.cash_minor == 1200
    assert values.note == "Basket only"


def test_only_started_scheduled_dates_take_a_count(setup):
    s = setup
    assert services.count_problem(s.past[-1], now=NOW) is None
    assert "not started" in str(services.count_problem(s.future[0], now=NOW))
    s.past[0].status = "cancelled"
    assert "cancelled" in str(services.count_problem(s.past[0], now=NOW))
    s.past[1].status = "paused"
    assert "paused" in str(services.count_problem(s.past[1], now=NOW))
    with pytest.raises(services.CountError):
        services.save_count(s.future[0], _clean(total="3"), actor=s.secretary, now=NOW, currency="USD")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HeadCount)) == 0


def test_recording_and_changing_are_audited_without_the_note(setup):
    s = setup
    occurrence = s.past[-1]
    count = helpers.record(occurrence, actor=s.secretary, total="20", newcomers="1", note="Cold hall")
    assert count.recorded_by_id == s.secretary.id and count.recorded_via == "account"
    helpers.record(occurrence, actor=s.leader, total="21", newcomers="1", note="Cold hall")
    helpers.record(occurrence, actor=s.leader, total="21", newcomers="1", note="Cold hall")  # no change
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action.like("headcount.%")).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["headcount.recorded", "headcount.changed"]
    assert events[0].actor_id == s.secretary.id and events[1].actor_id == s.leader.id
    assert events[1].details["fields"] == ["total", "in_person"]
    assert events[0].details["date"] == occurrence.local_date.isoformat()
    assert "Cold hall" not in str([e.details for e in events])
    db.session.refresh(count)
    assert count.updated_by_id == s.leader.id and count.total == 21


def _raw_insert(occurrence_id, **values):
    row = {
        "occurrence_id": occurrence_id,
        "total": 10,
        "newcomers": 1,
        "in_person": 10,
        "online": 0,
        "currency": "USD",
        "recorded_via": "account",
        "recorded_at": NOW,
        "updated_at": NOW,
        **values,
    }
    db.session.execute(sa.insert(HeadCount), [row])
    db.session.flush()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "values",
    [
        {"newcomers": 11},
        {"in_person": 6, "online": 3},
        {"total": -1, "in_person": -1},
        {"in_person": 12, "online": -2},
        {"cash_minor": -5},
        {"digital_minor": -1},
        {"total": None},
        {"currency": "DOLLARS"},
        {"recorded_via": "guess"},
    ],
)
def test_the_database_refuses_what_the_form_refuses(setup, values):
    # A CHECK or NOT NULL constraint (IntegrityError), or on PostgreSQL a too-long code (DataError).
    with pytest.raises((sa.exc.IntegrityError, sa.exc.DataError)):
        _raw_insert(setup.past[0].id, **values)
    db.session.rollback()


@pytest.mark.postgres
def test_one_count_per_date(setup):
    _raw_insert(setup.past[0].id)
    with pytest.raises(sa.exc.IntegrityError):
        _raw_insert(setup.past[0].id)
    db.session.rollback()


def test_a_counted_date_cannot_be_cancelled_until_its_count_is_removed(setup):
    s = setup
    occurrence = s.past[-1]
    count = helpers.record(occurrence, actor=s.secretary, total="20")
    with pytest.raises(meetings.MeetingError) as error:
        meetings.update_occurrence(
            occurrence,
            actor=s.secretary,
            now=NOW,
            cancelled=True,
            online_only=False,
            venue_location=None,
            venue_address=None,
            note=None,
        )
    assert "has a head count" in str(error.value.problems["cancelled"])
    db.session.rollback()
    services.delete_count(db.session.get(HeadCount, count.id), actor=s.secretary, now=NOW)
    db.session.commit()
    meetings.update_occurrence(
        occurrence,
        actor=s.secretary,
        now=NOW,
        cancelled=True,
        online_only=False,
        venue_location=None,
        venue_address=None,
        note=None,
    )
    db.session.commit()
    assert occurrence.status == "cancelled"
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "headcount.removed")
        )
        == 1
    )


def test_a_summary_line(app):
    values = _clean(mode="hybrid", in_person="18", online="7", newcomers="2", cash="40", digital="12.50")
    assert services.summary(values, "USD", "en") == "25 people, 2 newcomers, 7 online · $52.50"
    assert services.summary(_clean(not_counted=True), "USD", "en") == "no head count taken"


def test_every_problem_is_reported_in_one_round(app):
    """A phone user fixing one field at a time should not be sent back twice."""
    with pytest.raises(services.CountError) as error:
        _clean(mode="hybrid", total="12", in_person="10", online="5", newcomers="20")
    messages = {field: str(message) for field, message in error.value.problems.items()}
    assert "add up to 15, not 12" in messages["total"]
    assert "at most 15" in messages["newcomers"]
