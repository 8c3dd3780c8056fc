from types import SimpleNamespace

import pytest

from tests import factories


@pytest.fixture
def setup(app):
    """An organisation (New York time) with a group: its secretary, two sponsors, a leader; the
    organisation's outreach volunteer, admin and coordinator."""
    org = factories.organisation()
    group = factories.group(org)
    return SimpleNamespace(
        org=org,
        group=group,
        secretary=factories.member(group, "secretary", email="sec@example.org", name="Sam S."),
        sponsor=factories.member(group, "sponsor", email="sponsor@example.org", name="Pat P."),
        other_sponsor=factories.member(group, "sponsor", email="sponsor2@example.org", name="Lee L."),
        leader=factories.member(group, "leader", email="leader@example.org"),
        outreach=factories.org_member(org, "outreach", email="outreach@example.org", name="Ola O."),
        admin=factories.org_member(org, "admin", email="orgadmin@example.org"),
        coordinator=factories.org_member(org, "coordinator", email="coord@example.org"),
    )
