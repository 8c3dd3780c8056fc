"""Plural forms where the rota shows a count (issue 15 item 6)."""

from __future__ import annotations

import pytest
import time_machine

from tests.conftest import NOW, login
from tests.rota import helpers


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_counts_use_plural_forms(client, setup):
    s = setup
    helpers.assign(s.occurrences[1], s.chair, s.people[0])
    login(client, "sec@example.org")
    client.post(f"/groups/{s.group.slug}/rota/people/{s.people[0].id}/remove")
    html = client.get(f"/groups/{s.group.slug}/rota/people").get_data(as_text=True)
    assert "1 upcoming turn is open again." in html and "1 upcoming turns" not in html
