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

    class Setup:
        pass

    s = Setup()
    s.group, s.secretary, s.leader, s.meeting = group, secretary, leader, meeting
    s.chair, s.speaker, s.people = chair, speaker, people
    s.occurrences = helpers.occurrences(meeting)
    return s
