"""Hostile input to every form a person can reach: never a 500, and nothing stored when refused.

Over the demo data, as each demo role, the test follows the links of the signed-in pages (as a person
clicking around would), collects every form that posts, and posts each one again with its text fields
replaced by hostile values: control characters, numbers past what a database column holds, dates at
the ends of the calendar, very long text, markup. A refusal (4xx) must leave every table as it was.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa

from groupadmin import demo
from groupadmin.extensions import db
from tests.conftest import NOW

HOSTILE = [
    "\x00",
    "Tuesday\r\nBcc: all@example.org",
    "\u202eevil",
    str(2**63),
    str(-(2**70)),
    "9999-12-31",
    "0001-01-01",
    "x" * 5000,
    '<script>alert(1)</script>"',
    "",
]
# Tables that change on a refused request by design (failed logins are counted).
COUNTED_ANYWAY = {"login_throttle"}
PAGES_PER_ROLE = 60
SIGNED_IN_PAGES = ("/groups/", "/orgs/", "/profile", "/admin/")
TYPED = ("text", "email", "url", "tel", "number", "date", "time", "search")


class Forms(HTMLParser):
    """The post forms of a page, and its links."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"].split("#")[0])
        elif tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "text": set()}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea") and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self._form["fields"].setdefault(a["name"], a.get("value") or "")
            if kind in TYPED or tag == "textarea":
                self._form["text"].add(a["name"])
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["fields"].setdefault(a["name"], "")
        elif self._form is not None and tag == "option" and self._select:
            if "selected" in a or not self._form["fields"].get(self._select):
                self._form["fields"][self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _counts() -> dict[str, int]:
    db.session.rollback()
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
            for t in db.metadata.sorted_tables
            if t.name not in COUNTED_ANYWAY
        }


def _crawl(client) -> list[tuple[str, dict]]:
    queue, seen, forms = ["/"], set(), []
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen or any(word in path for word in ("logout", ".ics", ".csv", ".json", "/print")):
            continue
        seen.add(path)
        response = client.get(path)
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        parser = Forms()
        parser.feed(response.text)
        queue += [link for link in parser.links if link not in seen]
        for form in parser.forms:
            action = urljoin(path, form["action"] or path)
            if "logout" not in action and urlsplit(action).path.startswith(SIGNED_IN_PAGES):
                forms.append((action, form))
    return forms


@pytest.mark.parametrize("email", ["secretary@example.org", "admin@example.org", "sponsor@example.org"])
def test_hostile_values_in_every_form_never_give_a_500_nor_store_anything_when_refused(app, client, email):
    demo.seed(now=NOW)
    db.session.commit()
    response = client.post("/login", data={"email": email, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    forms = _crawl(client)
    assert forms, "the crawl found no form"
    tried = 0
    for action, form in {(a, repr(sorted(f["fields"].items()))): (a, f) for a, f in forms}.values():
        if not form["text"]:
            continue
        for value in HOSTILE:
            data = {**form["fields"], **dict.fromkeys(form["text"], value)}
            before = _counts()
            response = client.post(action, data=data)
            tried += 1
            assert response.status_code < 500, (action, value[:40], response.status_code)
            if 400 <= response.status_code < 500 or re.search(r'class="[^"]*error', response.text or ""):
                assert _counts() == before, (action, value[:40], "stored something though refused")
    assert tried >= len(HOSTILE)  # a sponsor has one form (the profile); the others dozens
