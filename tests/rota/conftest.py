from types import SimpleNamespace

import pytest

from tests import factories
from tests.rota import helpers


@pytest.fixture
def setup(app):
    """A group with a secretary, a leader, a weekly Tuesday meeting (12 weeks of dates), chair and
    speaker roles, and three people who take both."""
    group = factories.group()
    secretary = factories.member(group, "secretary", email="sec@example.org")
    leader = factories.member(group, "leader", email="leader@example.org")
    meeting = factories.meeting(group, "Tuesday Night Group")
    chair = helpers.role(group, "Chair", kind="chair")
    speaker = helpers.role(group, "Speaker", kind="speaker")
    people = [helpers.person(group, name, roles=[chair, speaker]) for name in ("Ann B.", "Cal D.", "Eve F.")]

    return SimpleNamespace(
        group=group,
        secretary=secretary,
        leader=leader,
        meeting=meeting,
        chair=chair,
        speaker=speaker,
        people=people,
        occurrences=helpers.occurrences(meeting),
    )
