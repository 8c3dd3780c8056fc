from types import SimpleNamespace

import pytest

from tests import factories
from tests.attendance import helpers


@pytest.fixture
def setup(app):
    """A group (New York) with a secretary, a leader and a sponsor; an in-person Tuesday meeting and a
    hybrid Thursday one, with dates from five weeks before NOW."""
    group = factories.group(name="Lakeside Group")
    secretary = factories.member(group, "secretary", email="sec@example.org", name="Sam S.")
    leader = factories.member(group, "leader", email="leader@example.org")
    sponsor = factories.member(group, "sponsor", email="sponsor@example.org")
    tuesday = factories.meeting(group, "Tuesday Night Group", now=helpers.START)
    hybrid = factories.meeting(
        group,
        "Thursday Hybrid",
        now=helpers.START,
        weekday=3,
        start="12:00",
        attendance="hybrid",
        conference_url="https://zoom.us/j/81234567890",
    )

    return SimpleNamespace(
        group=group,
        secretary=secretary,
        leader=leader,
        sponsor=sponsor,
        tuesday=tuesday,
        hybrid=hybrid,
        past=helpers.occurrences(tuesday, past=True),
        future=helpers.occurrences(tuesday, past=False),
        hybrid_past=helpers.occurrences(hybrid, past=True),
    )
