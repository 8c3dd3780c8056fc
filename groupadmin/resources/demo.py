"""Demo directory for Lakeside: one entry of each kind (fictitious: 555-01xx numbers, example.org links),
two crisis lines (one round the clock), one entry last checked over six months ago (so the re-check
reminder has something to say), and one entry of the AA group's own. Idempotent: an organisation
that has entries already is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.resources.models import Resource

ENTRIES = [
    # kind, name, phone, url, hours, 24/7, languages, cost, note, days since checked
    (
        "crisis_line",
        "Lakeside Crisis Line",
        "555-0100",
        "https://crisis.example.org",
        None,
        True,
        "English, Spanish",
        "Free",
        "Talk to someone now, day or night. Text or call.",
        20,
    ),
    (
        "crisis_line",
        "Lakeside Warmline",
        "555-0101",
        "https://warmline.example.org",
        "Every evening, 5 pm to 11 pm",
        False,
        "English",
        "Free",
        "Peers in recovery to talk to when things are hard but not an emergency.",
        35,
    ),
    (
        "detox_treatment",
        "Harbour Detox and Treatment Centre",
        "555-0110",
        "https://harbour-detox.example.org",
        "Admissions weekdays 8 am to 6 pm",
        False,
        "English, Spanish",
        "Insurance accepted, sliding scale",
        None,
        60,
    ),
    (
        "medication_assisted",
        "Northside MAT Clinic",
        "555-0120",
        "https://northside-mat.example.org",
        "Monday to Saturday, 7 am to 3 pm",
        False,
        "English",
        "Sliding scale",
        "Buprenorphine and methadone; walk-ins on Mondays.",
        90,
    ),
    (
        "peer_recovery",
        "Lakeside Peer Recovery Centre",
        "555-0130",
        "https://peer-centre.example.org",
        "Daily, 10 am to 8 pm",
        False,
        "English, Spanish",
        "Free",
        "Coffee, recovery coaches, a quiet room.",
        45,
    ),
    (
        "housing",
        "Springfield Recovery Housing",
        "555-0140",
        "https://recovery-housing.example.org",
        "Weekdays 9 am to 5 pm",
        False,
        "English",
        "Sliding scale",
        None,
        200,
    ),
    (
        "legal_aid",
        "Lakeside Legal Aid",
        "555-0150",
        "https://legal-aid.example.org",
        "Tuesdays and Thursdays, 1 pm to 5 pm",
        False,
        "English, Spanish",
        "Free",
        None,
        30,
    ),
    (
        "employment",
        "Second Start Employment Services",
        "555-0160",
        "https://second-start.example.org",
        "Weekdays 9 am to 4 pm",
        False,
        "English",
        "Free",
        None,
        75,
    ),
    (
        "family_groups",
        "Lakeside Al-Anon and Nar-Anon Family Groups",
        "555-0170",
        "https://family-groups.example.org",
        "Meetings most evenings; see the website",
        False,
        "English",
        "Free",
        "For families and friends of people with a drinking or drug problem.",
        50,
    ),
]
GROUP_ENTRY = (
    "peer_recovery",
    "Tuesday Night Group's sober coffee",
    None,
    "https://tuesday-coffee.example.org",
    "Tuesdays after the meeting, 8:30 pm",
    False,
    "English",
    "Free",
    "Coffee and fellowship at the diner on Main Street after the meeting.",
    10,
)


def seed_resources(*, now: datetime, actor, organisation_id: int, group_id: int) -> None:
    exists = db.session.scalar(
        sa.select(Resource.id).where(Resource.organisation_id == organisation_id).limit(1)
    )
    if exists is not None:
        return
    for values in ENTRIES:
        db.session.add(_entry(values, now=now, actor=actor, organisation_id=organisation_id, group_id=None))
    db.session.add(
        _entry(GROUP_ENTRY, now=now, actor=actor, organisation_id=organisation_id, group_id=group_id)
    )
    db.session.flush()


def _entry(values, *, now, actor, organisation_id, group_id) -> Resource:
    kind, name, phone, url, hours, all_day, languages, cost, note, days = values
    return Resource(
        organisation_id=organisation_id,
        group_id=group_id,
        kind=kind,
        name=name,
        phone=phone,
        url=url,
        address="1 Main Street, Springfield"
        if kind in ("peer_recovery", "legal_aid") and group_id is None
        else None,
        hours=hours,
        is_24_7=all_day,
        languages=languages,
        cost=cost,
        note=note,
        checked_at=now - timedelta(days=days),
        checked_by_id=actor.id,
        created_at=now - timedelta(days=days),
    )
