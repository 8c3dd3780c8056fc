"""Language: the user's choice, else the browser's, else English; Spanish covers the layout and login."""

from tests import factories
from tests.conftest import login


def test_the_browser_language_is_used_for_visitors(client):
    page = client.get("/login", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "Iniciar sesión" in html and "Correo electrónico" in html and "Saltar al contenido" in html


def test_an_unsupported_browser_language_falls_back_to_english(client):
    html = client.get("/login", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "Log in" in html


def test_the_users_choice_beats_the_browser(client):
    user = factories.user("pat@example.org", name="Pat P.")
    group = factories.group()
    factories.member(group, "secretary", u=user)
    login(client, "pat@example.org")
    client.post("/profile", data={"profile-display_name": "Pat P.", "profile-locale": "es"})
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Hola, Pat P." in html and "Tus grupos" in html and "Qué hay que hacer" in html
    assert "Secretario/a" in html, "role names are translated too"


def test_error_messages_are_translated(client):
    response = client.post(
        "/login",
        data={"email": "nobody@example.org", "password": "wrong password!"},
        headers={"Accept-Language": "es"},
    )
    assert "no corresponden a ninguna cuenta" in response.get_data(as_text=True)


def test_translations_keep_every_placeholder():
    """A translated message with a missing or extra placeholder would raise or mislead at render time."""
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    token = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")
    root = Path(__file__).resolve().parents[1] / "groupadmin" / "translations"
    problems = []
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as f:
            for message in read_po(f):
                if not message.id or not message.string:
                    continue
                ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
                strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
                expected = sorted(set(token.findall(ids[-1])))
                for s in strings:
                    if s and sorted(set(token.findall(s))) != expected:
                        problems.append((po.parent.parent.name, ids[0]))
    assert problems == []
