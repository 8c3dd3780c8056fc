from tests import factories
from tests.conftest import login


def test_health_and_login_page(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    page = client.get("/login")
    assert page.status_code == 200
    assert b"Log in" in page.data


def test_secretary_reaches_dashboard(client, app):
    g = factories.group(name="Tuesday Night Group")
    factories.member(g, "secretary", email="sec@example.org")
    response = login(client, "sec@example.org")
    assert response.status_code == 302
    page = client.get("/")
    assert b"Tuesday Night Group" in page.data
    assert page.headers["Cache-Control"] == "no-store"


def test_a_visitor_can_find_the_login_and_is_not_sent_to_a_dashboard(client):
    public = client.get("/meetings/no-such-organisation")
    assert public.status_code == 404
    assert 'href="/login"' in public.text and "Back to the dashboard" not in public.text
    assert 'href="/login">Log in' not in client.get("/login").text  # not on the login page itself
