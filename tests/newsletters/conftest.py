from types import SimpleNamespace

import pytest

from tests import factories
from tests.newsletters import helpers


@pytest.fixture
def setup(app):
    """A group with a secretary and a public list, and an organisation admin."""
    group = factories.group()
    secretary = factories.member(group, "secretary", email="sec@example.org")
    admin = factories.org_member(group.organisation, "admin", email="orgadmin@example.org")
    mlist = helpers.mailing_list(group, slug="tuesday-news", name="Tuesday News")
    return SimpleNamespace(group=group, secretary=secretary, admin=admin, mlist=mlist)
