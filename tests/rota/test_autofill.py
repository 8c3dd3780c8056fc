"""Auto-fill: properties of the pure planner (hypothesis), and the preview/apply flow on the database."""

from __future__ import annotations

import os
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
FAST = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


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


def _turn(person_id, occurrence_id, role_id, starts):
    return autofill.Turn(person_id, occurrence_id, role_id, starts, starts + timedelta(hours=1))


@st.composite
def existing_turns(draw, slots, people, roles, weeks):
    """Turns already on the rota, as the database has them: asked or confirmed ones in the open slots
    of the period, and at other meetings before the period, inside it (other days and hours) and just
    after it."""
    turns = []
    if not people:
        return turns
    for slot in slots:
        if draw(st.integers(0, 4)) == 0:
            who = draw(st.sampled_from(people))
            turns.append(_turn(who.id, slot.occurrence_id, slot.role_id, slot.starts_at))
    days = weeks * 7 + 28
    for n in range(draw(st.integers(0, 12))):
        at = START + timedelta(days=draw(st.integers(-28, days)), hours=draw(st.sampled_from([-8, -2, 0, 3])))
        who = draw(st.sampled_from(people))
        turns.append(_turn(who.id, 900 + n, draw(st.sampled_from(roles)), at))
    return turns


@st.composite
def scenarios(draw):
    roles = list(range(1, draw(st.integers(1, 3)) + 1))
    weeks = draw(st.integers(1, 8))
    meetings = draw(st.integers(1, 2))
    slots = weekly_slots(weeks, roles, meetings)
    n_people = draw(st.integers(0, 7))
    people = []
    for pid in range(1, n_people + 1):
        person_roles = frozenset(draw(st.sets(st.sampled_from(roles), max_size=len(roles))))
        blackouts = []
        for _ in range(draw(st.integers(0, 2))):
            first = START.date() + timedelta(days=draw(st.integers(0, weeks * 7)))
            blackouts.append((first, first + timedelta(days=draw(st.integers(0, 10)))))
        people.append(
            autofill.Candidate(pid, person_roles, tuple(blackouts), draw(st.booleans()) or pid % 3 != 0)
        )
    turns = draw(existing_turns(slots, people, roles, weeks))
    declined = set()
    for slot in slots:
        if people and draw(st.integers(0, 8)) == 0:
            declined.add((slot.occurrence_id, slot.role_id, draw(st.sampled_from(people)).id))
    gap = timedelta(days=draw(st.sampled_from([0, 3, 7, 14])))
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
    # Nobody twice on one day (at one meeting or two, planned or already on the rota), nobody beyond
    # the open places.
    existing_at = Counter((t.person_id, t.occurrence_id) for t in turns)
    for (person_id, occurrence_id), n in taken_at.items():
        assert n + existing_at[(person_id, occurrence_id)] <= 1
    days = Counter((t.person_id, t.starts_at.date()) for t in turns)
    days.update((p.person_id, slot_by_key[(p.occurrence_id, p.role_id)].local_date) for p in plan.proposals)
    planned_days = {
        (p.person_id, slot_by_key[(p.occurrence_id, p.role_id)].local_date) for p in plan.proposals
    }
    assert all(days[day] == 1 for day in planned_days), "two turns on one day"
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


def _replay(open_slots, people, turns, declined, plan):
    """Each proposal with the candidates the planner had at that moment: (slot, person, others), where
    `others` maps every other person who was free and allowed to take the slot to their turns then
    (existing ones and those planned before), and the chosen person's turns are under their id."""
    slot_by_key = {(s.occurrence_id, s.role_id): s for s in open_slots}
    held = {
        p.id: [(t.starts_at, t.ends_at, t.occurrence_id) for t in turns if t.person_id == p.id]
        for p in people
    }
    for proposal in plan.proposals:
        slot = slot_by_key[(proposal.occurrence_id, proposal.role_id)]
        free = {}
        for person in people:
            mine = held[person.id]
            if (
                person.active
                and slot.role_id in person.role_ids
                and not person.away(slot.local_date)
                and (slot.occurrence_id, slot.role_id, person.id) not in declined
                and not any(
                    o == slot.occurrence_id
                    or s.date() == slot.local_date
                    or (s < slot.ends_at and slot.starts_at < e)
                    for s, e, o in mine
                )
            ):
                free[person.id] = list(mine)
        assert proposal.person_id in free
        yield slot, proposal.person_id, free
        held[proposal.person_id].append((slot.starts_at, slot.ends_at, slot.occurrence_id))


def _nearest(turns, at):
    return min((abs(s - at) for s, _e, _o in turns), default=None)


@FAST
@given(scenarios())
def test_the_gap_is_kept_before_and_after_existing_turns_where_the_pool_allows(scenario):
    """A turn closer than the minimum gap to another of the person's turns (existing, before or after
    it, or planned) is planned only when every other free person would be as close or closer."""
    slots, people, turns, declined, gap = scenario
    open_slots = _open_slots(slots, turns)
    plan = autofill.plan(open_slots, people, turns, declined=declined, min_gap=gap)
    for slot, chosen, free in _replay(open_slots, people, turns, declined, plan):
        mine = _nearest(free[chosen], slot.starts_at)
        if mine is None or mine >= gap:
            continue
        for other, theirs in free.items():
            nearest = _nearest(theirs, slot.starts_at)
            assert nearest is not None and nearest <= mine, (
                f"person {chosen} serves {mine} from another turn while {other} was {nearest} away"
            )


@FAST
@given(
    n_people=st.integers(1, 8),
    n_roles=st.integers(1, 3),
    weeks=st.integers(1, 10),
    meetings=st.integers(1, 2),
    data=st.data(),
)
def test_existing_turns_in_the_period_count_towards_fairness(n_people, n_roles, weeks, meetings, data):
    """Everyone eligible for every role, nobody away, no gap to keep, and turns already on the rota in
    the period (in its slots and at other meetings): each planned turn goes to someone with the fewest
    turns in the period, counting those already on the rota, among the people free to take it."""
    roles = list(range(1, n_roles + 1))
    people = [autofill.Candidate(pid, frozenset(roles)) for pid in range(1, n_people + 1)]
    slots = weekly_slots(weeks, roles, meetings)
    window = (START, slots[-1].ends_at)
    turns = data.draw(existing_turns(slots, people, roles, weeks))
    open_slots = _open_slots(slots, turns)
    plan = autofill.plan(open_slots, people, turns, window=window)
    for _slot, chosen, free in _replay(open_slots, people, turns, set(), plan):
        load = {pid: sum(1 for s, _e, _o in held if window[0] <= s < window[1]) for pid, held in free.items()}
        assert load[chosen] == min(load.values()), f"person {chosen} had {load[chosen]} turns: {load}"
    if not turns:  # nothing on the rota yet: nobody serves more than one turn more than anyone else
        counts = Counter(p.person_id for p in plan.proposals)
        assert max(counts[p.id] for p in people) - min(counts[p.id] for p in people) <= 1


@FAST
@given(
    n_people=st.integers(1, 8),
    n_roles=st.integers(1, 3),
    weeks=st.integers(1, 10),
    meetings=st.integers(1, 2),
    gap_days=st.sampled_from([0, 7, 14, 21]),
    history=st.lists(st.tuples(st.integers(1, 8), st.integers(1, 60)), max_size=10),
)
def test_a_balanced_period_shares_turns_within_one(n_people, n_roles, weeks, meetings, gap_days, history):
    """Everyone eligible for every role, nobody away, whatever they served before the period: nobody
    serves more than one turn more than anyone else."""
    roles = list(range(1, n_roles + 1))
    people = [autofill.Candidate(pid, frozenset(roles)) for pid in range(1, n_people + 1)]
    slots = weekly_slots(weeks, roles, meetings)
    turns = [
        _turn(pid, 800 + n, roles[n % n_roles], START - timedelta(days=days))
        for n, (pid, days) in enumerate(history)
        if pid <= n_people
    ]
    plan = autofill.plan(slots, people, turns, min_gap=timedelta(days=gap_days))
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


def test_existing_turns_near_the_date_keep_a_person_off_while_colleagues_are_free():
    """The QA case: Sky (speaker only) has a confirmed turn on Thursday; Casey and Robin also speak and
    have more turns in the period, but none near Friday: Friday goes to one of them, not to Sky."""
    sky, casey, robin = (autofill.Candidate(i, frozenset({1} if i == 1 else {1, 2})) for i in (1, 2, 3))
    thursday = START + timedelta(days=3)
    friday = thursday + timedelta(days=1)
    turns = [
        _turn(1, 50, 1, thursday),
        # Casey and Robin served other roles in the period, a while before and after Friday.
        *(_turn(pid, 60 + pid * 10 + w, 2, START + timedelta(weeks=w)) for pid in (2, 3) for w in (-2, 2, 3)),
    ]
    slot = autofill.Slot(51, 1, friday, friday + timedelta(hours=1), friday.date(), 1)
    plan = autofill.plan(
        [slot],
        [sky, casey, robin],
        turns,
        min_gap=timedelta(days=14),
        window=(START - timedelta(weeks=2), START + timedelta(weeks=4)),
    )
    assert [p.person_id for p in plan.proposals] == [2]
    # A turn just after the date counts for the gap too.
    turns.append(_turn(2, 52, 2, friday + timedelta(days=2)))
    plan = autofill.plan([slot], [sky, casey, robin], turns, min_gap=timedelta(days=14))
    assert [p.person_id for p in plan.proposals] == [3]


def test_a_person_serving_that_day_elsewhere_is_busy():
    people = [autofill.Candidate(1, frozenset({1})), autofill.Candidate(2, frozenset({1}))]
    # Person 1 serves (another role) at a morning meeting the same day; the evening slot is open.
    turns = [_turn(1, 70, 2, START - timedelta(hours=9)), _turn(2, 71, 1, START - timedelta(days=3))]
    plan = autofill.plan(weekly_slots(1, [1]), people, turns)
    assert [p.person_id for p in plan.proposals] == [2]
    plan = autofill.plan(weekly_slots(1, [1]), people[:1], turns)
    assert plan.proposals == [] and list(plan.unfilled.values()) == [1]


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
