from types import SimpleNamespace

import pytest

from groupadmin.extensions import db
from tests import factories
from tests.attendance import helpers


@pytest.fixture
def setup(app):
    """An organisation (New York) with a coordinator and two groups, hand-counted:

    - AA "Tuesday Group" (in person, USD): 20 Oct 20 people (2 newcomers, $30 cash), 27 Oct 12, 3 Nov
      cancelled, 10 Nov 15 (1 newcomer, $5 digital), 17 Nov held without a count.
    - NA "Thursday Hybrid" (hybrid, EUR): 22 Oct and 29 Oct held without a count, 5 Nov 6 in the room +
      4 online (1 newcomer, EUR 10 cash), 12 Nov 8 + 5, 19 Nov held without a count.
    """
    org = factories.organisation("lakeside", "Lakeside Intergroup")
    coordinator = factories.org_member(org, "coordinator", email="coord@example.org", name="Cora C.")
    aa = factories.group(org, "tuesday-group", name="Tuesday Group")
    na = factories.group(org, "thursday-group", name="Thursday Group", fellowship="na")
    secretary = factories.member(aa, "secretary", email="sec@example.org")
    tuesday = factories.meeting(aa, "Tuesday Night", now=helpers.START)
    hybrid = factories.meeting(
        na,
        "Thursday Hybrid",
        now=helpers.START,
        weekday=3,
        start="12:00",
        attendance="hybrid",
        conference_url="https://zoom.us/j/81234567890",
    )
    t = helpers.occurrences(tuesday, past=True)
    h = helpers.occurrences(hybrid, past=True)
    assert [o.local_date.isoformat() for o in t] == [
        "2026-10-20",
        "2026-10-27",
        "2026-11-03",
        "2026-11-10",
        "2026-11-17",
    ]
    assert [o.local_date.isoformat() for o in h] == [
        "2026-10-22",
        "2026-10-29",
        "2026-11-05",
        "2026-11-12",
        "2026-11-19",
    ]
    helpers.record(t[0], total=20, newcomers=2, cash="30")
    helpers.record(t[1], total=12, newcomers=0)
    t[2].status = "cancelled"
    db.session.commit()
    helpers.record(t[3], total=15, newcomers=1, digital="5")
    helpers.record(h[2], in_person=6, online=4, newcomers=1, cash="10", currency="EUR")
    helpers.record(h[3], in_person=8, online=5, newcomers=0, currency="EUR")
    return SimpleNamespace(
        org=org, coordinator=coordinator, aa=aa, na=na, secretary=secretary, tuesday=tuesday, hybrid=hybrid
    )
