"""Import (preview, rows without consent refused and listed, people who left never added back) and a
formula-safe export, for the list's managers only."""

from __future__ import annotations

import io

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.newsletters import services
from groupadmin.newsletters.models import Subscription
from tests.conftest import NOW, login
from tests.newsletters import helpers

CSV = (
    "email,first_name,consent_date,consent_source\r\n"
    "ann@example.net,Ann,2026-05-01,paper sheet at the May meeting\r\n"
    '=cmd@example.net,=HYPERLINK("x"),2026-05-01,paper sheet\r\n'
    "noconsent@example.net,Bo,,\r\n"
    "not an address,Cy,2026-05-01,paper sheet\r\n"
    "future@example.net,Di,2027-01-01,paper sheet\r\n"
    "ANN@example.net,Ann,2026-05-01,again\r\n"
    "left@example.net,Ed,2026-05-01,paper sheet\r\n"
)


def _upload(client, url, content: str):
    return client.post(url, data={"file": (io.BytesIO(content.encode()), "people.csv")})


def test_import_previews_refuses_rows_without_consent_and_never_adds_back_who_left(client, setup):
    left = helpers.subscribe(setup.mlist, "left@example.net")
    services.unsubscribe(left, now=NOW)
    db.session.commit()
    login(client, "sec@example.org")
    url = f"/groups/{setup.group.slug}/news/{setup.mlist.id}/import"
    preview = _upload(client, url, CSV)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "3 rows can be imported" in html
    assert "n***@example.net" in html and "No consent recorded" in html and "twice" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 1  # nothing yet
    response = client.post(url + "/apply", data={"content": CSV})
    assert response.status_code == 302
    db.session.expire_all()
    subs = {s.subscriber.email: s for s in db.session.scalars(sa.select(Subscription))}
    assert set(subs) == {"ann@example.net", "=cmd@example.net", "left@example.net"}
    assert subs["left@example.net"].status == "unsubscribed"
    ann = subs["ann@example.net"]
    assert (ann.status, ann.consent_source, ann.consent_wording) == (
        "confirmed",
        "import",
        "paper sheet at the May meeting",
    )
    assert ann.consent_at.date().isoformat() == "2026-05-01" and ann.recorded_by_id == setup.secretary.id
    assert helpers.outbox() == [helpers.outbox()[0]]  # only the earlier sign-up's: an import sends nothing


def test_files_that_cannot_be_read_are_refused_beside_the_field(client, setup):
    login(client, "sec@example.org")
    url = f"/groups/{setup.group.slug}/news/{setup.mlist.id}/import"
    assert _upload(client, url, "name,phone\r\nAnn,123\r\n").status_code == 422
    assert client.post(url, data={"file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.csv")}).status_code == 422
    assert client.post(url, data={}).status_code == 422
    assert client.post(url + "/apply", data={"content": "garbage"}).status_code == 302


def test_export_is_formula_safe(client, setup):
    helpers.subscribe(setup.mlist, "jo@example.net", first_name="=SUM(A1)")
    login(client, "sec@example.org")
    response = client.get(f"/groups/{setup.group.slug}/news/{setup.mlist.id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffemail,first_name,status")  # the mark makes spreadsheets read UTF-8
    assert "jo@example.net,'=SUM(A1),confirmed" in text


def test_add_someone_by_hand_with_their_consent_recorded(client, setup):
    left = helpers.subscribe(setup.mlist, "left@example.net")
    services.unsubscribe(left, now=NOW)
    db.session.commit()
    login(client, "sec@example.org")
    url = f"/groups/{setup.group.slug}/news/{setup.mlist.id}/add"
    assert client.get(url).status_code == 200
    how = "Asked me at the Tuesday meeting"
    assert client.post(url, data={"email": "kim@example.net", "how": how}).status_code == 302
    assert client.post(url, data={"email": "kim@example.net", "how": how}).status_code == 302  # already
    assert client.post(url, data={"email": "left@example.net", "how": how}).status_code == 422
    assert client.post(url, data={"email": "nope", "how": how}).status_code == 422
    assert client.post(url, data={"email": "x@example.net", "how": ""}).status_code == 422
    db.session.expire_all()
    (kim,) = [
        s for s in db.session.scalars(sa.select(Subscription)) if s.subscriber.email == "kim@example.net"
    ]
    assert (kim.status, kim.consent_source, kim.consent_wording) == ("confirmed", "hand", how)
    assert kim.recorded_by_id == setup.secretary.id
    assert helpers.reload(left).status == "unsubscribed"
