"""Every link a person is shown opens: following the links of the demo as each role never leads to a
403, a 404 or a 500 (a page shows only what its reader may open)."""

from __future__ import annotations

import pytest

from groupadmin import demo
from groupadmin.extensions import db
from tests.conftest import NOW
from tests.test_hostile_forms import Forms

PAGES = 120
SKIPPED = ("logout", ".ics", ".csv", ".json", ".pdf", "/print")


@pytest.mark.parametrize(
    "email",
    ["secretary@example.org", "sponsor@example.org", "admin@example.org", "coordinator@example.org"],
)
def test_every_link_shown_to_a_role_opens(app, client, email):
    demo.seed(now=NOW)
    db.session.commit()
    assert client.post("/login", data={"email": email, "password": demo.DEMO_PASSWORD}).status_code == 302
    queue, seen, broken = ["/"], set(), []
    while queue and len(seen) < PAGES:
        path = queue.pop(0)
        if path in seen or any(word in path for word in SKIPPED):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code in (403, 404) or response.status_code >= 500:
            broken.append((response.status_code, path))
            continue
        if response.mimetype == "text/html" and response.status_code == 200:
            parser = Forms()
            parser.feed(response.text)
            queue += [link for link in parser.links if link not in seen]
    assert len(seen) >= 3 and broken == []  # a coordinator has three pages: the figures come later
