"""Asking for a call: the public pages, the consent recorded on every path, bots, limits, a returning
person, the do-not-contact list, and newcomers met in person."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from groupadmin import crypto
from groupadmin.extensions import db
from groupadmin.outreach.models import DoNotContact
from groupadmin.outreach.services.newcomers import phone_key
from tests import factories
from tests.conftest import NOW, login
from tests.outreach.helpers import ask_form, newcomers, outbox


def _ask(client, path, **values):
    stamp = _stamp(client, path)
    with time_machine.travel(NOW + timedelta(seconds=10), tick=False):
        return client.post(path, data={**ask_form(**values), "started": stamp})


def _stamp(client, path) -> str:
    html = client.get(path).text
    return re.search(r'name="started" type="hidden" value="([^"]+)"', html).group(1)


def test_the_group_page_takes_a_request_with_the_consent_wording_recorded(setup, client):
    path = f"/help/{setup.org.slug}/{setup.group.slug}"
    page = client.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "not an emergency service" in page.text
    response = _ask(client, path)
    assert response.status_code == 302 and "sent=1" in response.headers["Location"]
    (n,) = newcomers()
    assert (n.name, n.phone, n.group_id, n.source) == ("Jo", "555-0142", setup.group.id, "group_page")
    assert (
        n.consent_via == "web_form"
        and n.consent_by_id is None
        and n.consent_at == NOW + timedelta(seconds=10)
    )
    assert n.consent_wording in page.text and n.consent_version == 1
    assert [f.due_on.isoformat() for f in n.follow_ups] == ["2026-11-21", "2026-11-28", "2026-12-21"]
    sent = client.get(response.headers["Location"])
    assert "call your local emergency number" in sent.text and sent.headers["Cache-Control"] == "no-store"


def test_the_organisation_page_takes_a_request_without_a_group(setup, client):
    response = _ask(
        client, f"/help/{setup.org.slug}", email="jo@example.org", by_email="y", wants_welcome="y"
    )
    assert response.status_code == 302
    (n,) = newcomers()
    assert n.group_id is None and n.source == "org_page" and n.email == "jo@example.org"
    (welcome,) = outbox("outreach/welcome")
    assert welcome.recipient == "jo@example.org" and "Jo" not in welcome.subject


def test_no_consent_or_no_way_to_reach_is_refused_beside_the_field_and_keeps_what_was_typed(setup, client):
    path = f"/help/{setup.org.slug}/{setup.group.slug}"
    response = _ask(client, path, consent=None, phone="", safe_times="weekday evenings")
    assert response.status_code == 422
    assert "Tick the box to agree." in response.text and "weekday evenings" in response.text
    response = _ask(client, path, phone="")
    assert response.status_code == 422 and "Leave a phone number or an email address" in response.text
    assert newcomers() == []


def test_bots_get_the_same_answer_and_nothing_is_stored(setup, client):
    path = f"/help/{setup.org.slug}/{setup.group.slug}"
    assert _ask(client, path, website="http://spam.example").status_code == 302
    too_fast = client.post(path, data={**ask_form(), "started": _stamp(client, path)})
    assert too_fast.status_code == 422
    assert newcomers() == []


def test_a_network_asking_too_often_is_limited(setup, client, app):
    app.config["OUTREACH_CLIENT_LIMIT"] = 2
    path = f"/help/{setup.org.slug}/{setup.group.slug}"
    assert _ask(client, path, phone="555-0111").status_code == 302
    assert _ask(client, path, phone="555-0112").status_code == 302
    assert _ask(client, path, phone="555-0113").status_code == 429
    assert len(newcomers()) == 2


def test_a_returning_person_gets_no_second_card_but_is_flagged(setup, client):
    first = factories.newcomer(
        setup.group, phone="(555) 0142", volunteer=setup.sponsor, now=NOW - timedelta(days=3)
    )
    response = _ask(client, f"/help/{setup.org.slug}/{setup.group.slug}", phone="555 0142", name="J.")
    assert response.status_code == 302
    (n,) = newcomers()
    assert n.id == first.id and n.asked_again_at == NOW + timedelta(seconds=10) and n.name == "Jo"
    login(client, "sponsor@example.org")
    card = client.get(f"/groups/{setup.group.slug}/outreach/{n.id}/")
    assert "Asked again on Nov 21, 2026" in card.text


def test_someone_on_the_do_not_contact_list_is_accepted_silently_and_nothing_is_stored(setup, client):
    db.session.add(
        DoNotContact(
            organisation_id=setup.org.id, value_hash=crypto.lookup_hash(phone_key("555-0142")), created_at=NOW
        )
    )
    db.session.commit()
    response = _ask(client, f"/help/{setup.org.slug}/{setup.group.slug}")
    assert response.status_code == 302 and "sent=1" in response.headers["Location"]
    assert newcomers() == []


def test_a_sponsor_adds_someone_met_in_person_with_consent_recorded_as_given_to_them(setup, client):
    login(client, "sponsor@example.org")
    path = f"/groups/{setup.group.slug}/outreach/new"
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(path, data=ask_form(name="Kim", phone="555-0177"))
    assert response.status_code == 302
    (n,) = newcomers()
    assert (n.source, n.consent_via, n.consent_by_id, n.volunteer_id) == (
        "in_person",
        "in_person",
        setup.sponsor.id,
        setup.sponsor.id,
    )
    refused = client.post(path, data=ask_form(name="Lou", phone="555-0178", consent=None))
    assert refused.status_code == 422 and len(newcomers()) == 1


def test_unknown_organisation_or_group_answers_404(setup, client):
    assert client.get("/help/nowhere").status_code == 404
    assert client.get(f"/help/{setup.org.slug}/nowhere").status_code == 404
    other = factories.group()
    assert client.get(f"/help/{setup.org.slug}/{other.slug}").status_code == 404


def test_the_confirmation_pins_the_directorys_crisis_lines_and_the_welcome_carries_resources(setup, client):
    factories.resource(setup.org, "housing", name="Springfield Housing")
    factories.resource(setup.org, "crisis_line", name="Night Line", phone="555-0100", is_24_7=True)
    response = _ask(
        client,
        f"/help/{setup.org.slug}/{setup.group.slug}",
        email="jo@example.org",
        by_email="y",
        wants_welcome="y",
    )
    sent = client.get(response.headers["Location"]).text
    crisis = sent[sent.index("Need help right now?") : sent.index("A volunteer will contact you")]
    assert "Night Line" in crisis and 'href="tel:555-0100"' in crisis and "24/7" in crisis
    (welcome,) = outbox("outreach/welcome")
    body = welcome.text_body
    assert "Help between meetings" in body
    assert body.index("Night Line") < body.index("Springfield Housing")
    assert "Crisis line" in body and "crisis_line" not in body


def test_a_spanish_reader_gets_spanish_preselected_and_the_welcome_in_spanish(setup, client):
    factories.meeting(setup.group, "Martes de Lakeside")  # Tuesdays at 19:00: Tuesday 24 November comes
    path = f"/help/{setup.org.slug}/{setup.group.slug}"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-ES,es;q=0.9"
    page = client.get(path).text
    assert "Pedir una llamada" in page or 'lang="es"' in page
    assert '<option selected value="es">' in page  # the page's language, not the organisation's English
    response = _ask(client, path, email="jo@example.org", by_email="y", wants_welcome="y", language="es")
    assert response.status_code == 302
    (n,) = newcomers()
    assert n.language == "es"
    (welcome,) = outbox("outreach/welcome")
    assert welcome.subject == "Bienvenida: las reuniones cerca de ti"
    assert "Próximas reuniones:" in welcome.text_body and "Coming meetings" not in welcome.text_body
    assert "mar 24 nov" in welcome.text_body and "Tue" not in welcome.text_body
    assert "Martes de Lakeside" in welcome.html_body and "Tue 24" not in welcome.html_body


def test_every_problem_comes_in_one_round_and_no_email_error_without_the_email_way(setup, client):
    path = f"/help/{setup.org.slug}/{setup.group.slug}"
    response = _ask(client, path, consent=None, phone="", by_call=None)
    assert response.status_code == 422
    assert "Tick the box to agree." in response.text
    assert "Leave a phone number or an email address" in response.text
    assert "An email needs an address." not in response.text  # "An email" was not ticked
    response = _ask(client, path, phone="", by_call=None, by_email="y")
    assert "An email needs an address." in response.text
    login(client, "sec@example.org")
    form = client.get(f"/groups/{setup.group.slug}/outreach/new").text
    token = re.search(r'name="once_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(
        f"/groups/{setup.group.slug}/outreach/new",
        data={"once_token": token, "name": "Robin", "phone": "12", "by_call": "y", "language": "en"},
    )
    assert response.status_code == 422 and "Robin" in response.text
    assert (
        "their consent is needed" in response.text
        and "Enter a phone number with its area code" in response.text
    )
    assert newcomers() == []
    data = {"once_token": token, "name": "Robin", "phone": "555-0190", "by_call": "y", "language": "en"}
    assert (
        client.post(f"/groups/{setup.group.slug}/outreach/new", data={**data, "consent": "y"}).status_code
        == 302
    )


def test_the_in_person_form_speaks_to_the_volunteer_about_the_newcomer(setup, client):
    login(client, "sec@example.org")
    form = client.get(f"/groups/{setup.group.slug}/outreach/new").text
    assert "How may we reach them?" in form and "Send them a welcome email" in form
    assert "the wording above says" in form and "Any name they like" in form
    assert "reach you?" not in form and "Send me" not in form
    public = client.get(f"/help/{setup.org.slug}/{setup.group.slug}").text
    assert "How may we reach you?" in public and "Send me a welcome email" in public


def test_spanish_speaks_tu_on_the_public_form_and_reached_fits_one_person(setup, client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    public = client.get(f"/help/{setup.org.slug}/{setup.group.slug}").text
    assert "Envíame un correo de bienvenida" in public and "Enviadme" not in public
    n = factories.newcomer(setup.group, volunteer=setup.sponsor)
    login(client, "sponsor@example.org")
    card = client.get(f"/groups/{setup.group.slug}/outreach/{n.id}/").text
    assert '<option value="reached">Contactado/a</option>' in card and "Contactadas" not in card
