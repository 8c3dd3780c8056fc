"""The monthly re-check reminder (once per admin and month, with the clock moved) and the printable card
with its QR code of the group's public page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage
from groupadmin.resources import jobs, services
from tests import factories
from tests.conftest import NOW, login


def _reminders() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.idempotency_key.startswith("resources-recheck:"))
            .order_by(OutboxMessage.id)
        )
    )


@pytest.fixture
def org(app):
    org = factories.organisation()
    factories.org_member(org, "admin", email="one@example.org")
    factories.org_member(org, "admin", email="two@example.org")
    factories.org_member(org, "coordinator", email="coord@example.org")
    return org


def test_admins_are_reminded_once_a_month_of_entries_due(app, org):
    factories.resource(org, checked_days_ago=200)
    factories.resource(org, checked_days_ago=190)
    factories.resource(org, checked_days_ago=10)
    group = factories.group(org)
    factories.resource(group, checked_days_ago=400)  # a group's own: its secretaries keep it
    other = factories.organisation()  # nothing due there
    factories.org_member(other, "admin", email="other@example.org")
    factories.resource(other, checked_days_ago=30)

    for day in range(3):  # the daily job, three mornings running
        with time_machine.travel(NOW + timedelta(days=day), tick=False):
            jobs.recheck(utcnow())
            db.session.commit()
    sent = _reminders()
    assert (
        len(sent) == 2 and len({m.idempotency_key for m in sent}) == 2
    )  # the two admins, not the coordinator
    body = sent[0].text_body
    assert "2 entries of the resources directory" in body
    assert f"/orgs/{org.slug}/resources/?due=1" in body
    assert sent[0].subject == "Resources to re-check"

    with time_machine.travel(NOW + timedelta(days=12), tick=False):  # December: once more
        jobs.recheck(utcnow())
        db.session.commit()
    assert len(_reminders()) == 4


def test_no_reminder_when_everything_was_checked_or_the_setting_is_longer(app, org):
    entry = factories.resource(org, checked_days_ago=200)
    services.save_recheck_days(org, 365, now=NOW, actor=None)
    db.session.commit()
    assert services.send_recheck_reminders(now=NOW) == 0
    services.save_recheck_days(org, 30, now=NOW, actor=None)
    services.mark_checked(org, entry, now=NOW, actor=None)
    db.session.commit()
    assert services.send_recheck_reminders(now=NOW) == 0
    assert services.due_counts(now=NOW + timedelta(days=31)) == {org.id: 1}


def test_the_due_link_lists_only_the_entries_due(client, org):
    factories.resource(org, name="Old Line", checked_days_ago=300)
    factories.resource(org, name="Fresh Line", checked_days_ago=3)
    login(client, "one@example.org")
    page = client.get(f"/orgs/{org.slug}/resources/?due=1").text
    assert "Old Line" in page and "Fresh Line" not in page


def _qr_matrix_from_svg(svg: str) -> list[list[int]]:
    """Read the dark modules back from segno's SVG path (relative h-moves on rows at y + .5)."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    path = re.search(r'class="qrline"[^>]*d="([^"]+)"', svg).group(1)
    grid = [[0] * size for _ in range(size)]
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:[ ,]?(-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                grid[int(y)][column] = 1
            x += float(a)
    return grid


def test_the_card_has_a_qr_code_of_the_groups_public_page(client, app, org):
    group = factories.group(org)
    factories.member(group, "secretary", email="sec@example.org")
    factories.resource(org, "crisis_line", name="Night Line")
    factories.resource(group, "housing", name="Our House")
    app.config["BASE_URL"] = "https://groups.example.org"
    login(client, "sec@example.org")
    page = client.get(f"/groups/{group.slug}/resources/card")
    assert page.status_code == 200
    expected = f"https://groups.example.org/resources/{org.slug}/{group.slug}"
    assert expected in page.text
    svg = re.search(r"<svg.*?</svg>", page.text, re.S).group(0)
    assert svg == services.qr_svg(expected)
    # The modules drawn are the ones a QR code of exactly that address has (border of 2).
    matrix = [list(row) for row in services.qr_code(expected).matrix]
    drawn = _qr_matrix_from_svg(svg)
    assert [row[2:-2] for row in drawn[2:-2]] == matrix
    assert page.text.index("Night Line") < page.text.index("Our House")


def test_the_card_keeps_to_one_page_with_many_entries(client, org):
    group = factories.group(org)
    factories.member(group, "secretary", email="sec@example.org")
    for n in range(services.CARD_ENTRIES + 3):
        factories.resource(org, "crisis_line" if n == 14 else "legal_aid", name=f"Entry {n:02d}")
    login(client, "sec@example.org")
    page = client.get(f"/groups/{group.slug}/resources/card").text
    assert page.count('class="resource-entry') == services.CARD_ENTRIES
    assert "Entry 14" in page  # the crisis line is pinned first, never cut
    assert "3 more entries on the page the QR code opens" in page
