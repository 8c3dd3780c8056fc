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
