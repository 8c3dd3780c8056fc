"""Auto-fill: properties of the pure planner (hypothesis), and the preview/apply flow on the database."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groupadmin.extensions import db
from groupadmin.rota import autofill, services
from groupadmin.rota.models import Assignment
from tests.conftest import NOW
from tests.rota import helpers

START = datetime(2027, 1, 4, 19, 0, tzinfo=UTC)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def weekly_slots(
    weeks: int, roles: list[int], meetings: int = 1, per_occurrence: int = 1
) -> list[autofill.Slot]:
    """`meetings` meetings a week on different days, each needing every role."""
    slots = []
    for week in range(weeks):
        for m in range(meetings):
            starts = START + timedelta(weeks=week, days=m * 2)
            occurrence_id = week * 10 + m + 1
            for position, role_id in enumerate(roles):
                slots.append(
                    autofill.Slot(
                        occurrence_id,
                        role_id,
                        starts,
                        starts + timedelta(hours=1),
                        starts.date(),
                        per_occurrence,
                        position,
                    )
                )
    return slots


@st.composite
def scenarios(draw):
    roles = list(range(1, draw(st.integers(1, 3)) + 1))
    weeks = draw(st.integers(1, 8))
    meetings = draw(st.integers(1, 2))
    slots = weekly_slots(weeks, roles, meetings)
    n_people = draw(st.integers(0, 7))
    people = []
    last_day = START.date() + timedelta(weeks=weeks)
    for pid in range(1, n_people + 1):
        person_roles = frozenset(draw(st.sets(st.sampled_from(roles), max_size=len(roles))))
        blackouts = []
        for _ in range(draw(st.integers(0, 2))):
            first = START.date() + timedelta(days=draw(st.integers(0, weeks * 7)))
            blackouts.append((first, first + timedelta(days=draw(st.integers(0, 10)))))
        people.append(
            autofill.Candidate(pid, person_roles, tuple(blackouts), draw(st.booleans()) or pid % 3 != 0)
        )
    # Some existing turns: history before the period and confirmed ones inside it.
    turns = []
    for slot in slots:
        if people and draw(st.integers(0, 5)) == 0:
            who = draw(st.sampled_from(people))
            turns.append(
                autofill.Turn(who.id, slot.occurrence_id, slot.role_id, slot.starts_at, slot.ends_at)
            )
    declined = set()
    for slot in slots:
        if people and draw(st.integers(0, 8)) == 0:
            declined.add((slot.occurrence_id, slot.role_id, draw(st.sampled_from(people)).id))
    gap = timedelta(days=draw(st.sampled_from([0, 7, 14])))
    assert last_day
    return slots, people, turns, declined, gap


def _open_slots(slots, turns):
    """The planner fills only open places: existing turns already take theirs."""
    taken = Counter((t.occurrence_id, t.role_id) for t in turns)
    return [
        autofill.Slot(
            s.occurrence_id,
            s.role_id,
            s.starts_at,
            s.ends_at,
            s.local_date,
            s.open - taken[(s.occurrence_id, s.role_id)],
            s.role_position,
        )
        for s in slots
        if s.open - taken[(s.occurrence_id, s.role_id)] > 0
    ]


@FAST
@given(scenarios())
def test_roles_blackouts_and_availability_are_always_respected(scenario):
    slots, people, turns, declined, gap = scenario
    open_slots = _open_slots(slots, turns)
    plan = autofill.plan(open_slots, people, turns, declined=declined, min_gap=gap)
    by_id = {p.id: p for p in people}
    slot_by_key = {(s.occurrence_id, s.role_id): s for s in open_slots}
    taken_at = Counter()
    for p in plan.proposals:
        person, slot = by_id[p.person_id], slot_by_key[(p.occurrence_id, p.role_id)]
        assert person.active
        assert slot.role_id in person.role_ids, "role not allowed"
        assert not person.away(slot.local_date), "blackout ignored"
        assert (p.occurrence_id, p.role_id, p.person_id) not in declined, "asked again after declining"
        taken_at[(p.person_id, p.occurrence_id)] += 1
    # Nobody twice at one occurrence (planned or already there), nobody beyond the open places.
    existing_at = Counter((t.person_id, t.occurrence_id) for t in turns)
    for (person_id, occurrence_id), n in taken_at.items():
        assert n + existing_at[(person_id, occurrence_id)] <= 1
    per_slot = Counter((p.occurrence_id, p.role_id) for p in plan.proposals)
    for key, n in per_slot.items():
        assert n + plan.unfilled.get(key, 0) == slot_by_key[key].open


@FAST
@given(scenarios())
def test_existing_turns_are_never_touched_and_same_input_gives_same_plan(scenario):
    slots, people, turns, declined, gap = scenario
    open_slots = _open_slots(slots, turns)
    first = autofill.plan(open_slots, people, turns, declined=declined, min_gap=gap)
    # Same data in another order: the same plan.
    second = autofill.plan(
        list(reversed(open_slots)),
        list(reversed(people)),
        list(reversed(turns)),
        declined=set(declined),
        min_gap=gap,
    )
    assert first.proposals == second.proposals
    assert first.fingerprint() == second.fingerprint()
    existing = {(t.occurrence_id, t.role_id, t.person_id) for t in turns}
    assert not existing & {(p.occurrence_id, p.role_id, p.person_id) for p in first.proposals}


@FAST
@given(
    n_people=st.integers(1, 8),
    n_roles=st.integers(1, 3),
    weeks=st.integers(1, 10),
    meetings=st.integers(1, 2),
    gap_days=st.sampled_from([0, 7, 14, 21]),
)
def test_a_balanced_period_shares_turns_within_one(n_people, n_roles, weeks, meetings, gap_days):
    """Everyone eligible for every role, nobody away, no history: nobody serves more than one turn more
    than anyone else."""
    roles = list(range(1, n_roles + 1))
    people = [autofill.Candidate(pid, frozenset(roles)) for pid in range(1, n_people + 1)]
    slots = weekly_slots(weeks, roles, meetings)
    plan = autofill.plan(slots, people, [], min_gap=timedelta(days=gap_days))
    counts = Counter(p.person_id for p in plan.proposals)
    loads = [counts[p.id] for p in people]
    assert max(loads) - min(loads) <= 1
    # Places stay open only when there are fewer people than roles at one meeting.
    assert bool(plan.unfilled) == (n_people < n_roles)


def test_least_recently_served_goes_first_and_the_gap_is_kept_where_possible():
    people = [autofill.Candidate(i, frozenset({1})) for i in (1, 2, 3, 4)]
    # 4 served last week, 3 a month ago, 2 two months ago, 1 never.
    history = [
        autofill.Turn(4, 904, 1, START - timedelta(weeks=1), START - timedelta(weeks=1) + timedelta(hours=1)),
        autofill.Turn(3, 903, 1, START - timedelta(weeks=4), START - timedelta(weeks=4) + timedelta(hours=1)),
        autofill.Turn(2, 902, 1, START - timedelta(weeks=8), START - timedelta(weeks=8) + timedelta(hours=1)),
    ]
    plan = autofill.plan(
        weekly_slots(4, [1]),
        people,
        history,
        min_gap=timedelta(days=14),
        window=(START, START + timedelta(weeks=4)),
    )
    assert [p.person_id for p in plan.proposals] == [1, 2, 3, 4]


def test_a_person_is_not_given_two_roles_at_one_meeting():
    people = [autofill.Candidate(1, frozenset({1, 2}))]
    plan = autofill.plan(weekly_slots(1, [1, 2]), people, [])
    assert len(plan.proposals) == 1
    assert list(plan.unfilled.values()) == [1]


# ---------------------------------------------------------------------------------------------------
# On the database: preview, apply, confirmed turns untouched


@pytest.mark.postgres
def test_preview_changes_nothing_and_apply_creates_what_was_previewed(setup):
    s = setup
    start, end = s.occurrences[0].local_date, s.occurrences[3].local_date
    helpers.assign(s.occurrences[1], s.chair, s.people[2], confirmed=True, notify=False)
    preview = services.preview_autofill(s.group, start=start, end=end, now=NOW)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 1
    assert len(preview.plan.proposals) == 7  # 4 weeks × 2 roles, one already confirmed
    created = services.apply_autofill(
        s.group, start=start, end=end, fingerprint=preview.fingerprint, actor=s.secretary, now=NOW
    )
    db.session.commit()
    assert [(a.occurrence_id, a.role_id, a.person_id) for a in created] == [
        (p.occurrence_id, p.role_id, p.person_id) for p in preview.plan.proposals
    ]
    confirmed = db.session.scalars(sa.select(Assignment).where(Assignment.status == "confirmed")).all()
    assert [(a.occurrence_id, a.person_id) for a in confirmed] == [(s.occurrences[1].id, s.people[2].id)]
    # One message per person, gathering all their new turns.
    asks = helpers.outbox("rota/ask")
    assert len(asks) == 3
    assert sum(m.text_body.count("/r/rota-accept/") for m in asks) == 7


def test_apply_refuses_a_plan_that_changed_since_the_preview(setup):
    s = setup
    start, end = s.occurrences[0].local_date, s.occurrences[1].local_date
    preview = services.preview_autofill(s.group, start=start, end=end, now=NOW)
    first = preview.plan.proposals[0]
    # Meanwhile, someone fills a place by hand.
    helpers.assign(s.occurrences[0], s.chair, s.people[1], notify=False)
    with pytest.raises(services.PlanChanged) as changed:
        services.apply_autofill(
            s.group, start=start, end=end, fingerprint=preview.fingerprint, actor=None, now=NOW
        )
    db.session.rollback()
    assert changed.value.preview.fingerprint != preview.fingerprint
    assert first is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 1


def test_autofill_respects_blackouts_and_roles_of_real_people(setup):
    s = setup
    ann, cal, eve = s.people
    services.add_blackout(
        ann, actor=None, now=NOW, starts_on=s.occurrences[0].local_date, ends_on=s.occurrences[1].local_date
    )
    cal.roles = [s.speaker]
    db.session.commit()
    preview = services.preview_autofill(
        s.group, start=s.occurrences[0].local_date, end=s.occurrences[1].local_date, now=NOW
    )
    for _occurrence, role, person in preview.rows:
        assert person.id != ann.id
        if person.id == cal.id:
            assert role.id == s.speaker.id


def test_autofill_period_is_checked(setup):
    with pytest.raises(services.RotaError):
        services.preview_autofill(setup.group, start=date(2027, 3, 1), end=date(2027, 2, 1), now=NOW)
    with pytest.raises(services.RotaError):
        services.preview_autofill(setup.group, start=date(2027, 1, 1), end=date(2028, 1, 1), now=NOW)
