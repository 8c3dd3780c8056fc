"""Access control: every endpoint declares a rule; another group's URLs answer 404; a role matrix."""

from __future__ import annotations

import pytest

from groupadmin.permissions import ALL_RULES, PUBLIC_ENDPOINTS
from tests import factories
from tests.conftest import login


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        yield rule, app.view_functions[rule.endpoint]


def _fill(rule, **given) -> str:
    """A URL for `rule` with the given slugs and 1 for every other argument."""
    from werkzeug.routing import IntegerConverter

    values = dict(rule.defaults or {})
    for arg in rule.arguments:
        if arg in given:
            values[arg] = given[arg]
        elif arg not in values:
            values[arg] = 1 if isinstance(rule._converters.get(arg), IntegerConverter) else "x"
    return rule.build(values)[1]


def test_every_endpoint_declares_an_access_rule(app):
    undeclared = [
        rule.endpoint for rule, view in _routes(app) if getattr(view, "access_rule", None) not in ALL_RULES
    ]
    assert undeclared == [], f"endpoints without @requires(...): {undeclared}"


def test_anonymous_visitors_reach_only_public_endpoints(app, client):
    g = factories.group()
    for rule, view in _routes(app):
        if view.access_rule == "public":
            continue
        url = _fill(rule, group_slug=g.slug, org_slug=g.organisation.slug)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (
            rule.rule,
            response.status_code,
        )


def test_every_group_url_answers_404_to_another_groups_secretary(app, client):
    mine, theirs = factories.group(), factories.group()
    factories.member(mine, "secretary", email="me@example.org")
    login(client, "me@example.org")
    checked = 0
    for rule, _view in _routes(app):
        if "group_slug" not in rule.arguments:
            continue
        url = _fill(rule, group_slug=theirs.slug)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 404, (method, url, response.status_code)
        checked += 1
    assert checked >= 5


def test_every_org_url_answers_404_to_someone_without_a_role_there(app, client):
    theirs = factories.organisation()
    mine = factories.organisation()
    factories.org_member(mine, "admin", email="me@example.org")
    login(client, "me@example.org")
    for rule, _view in _routes(app):
        if "org_slug" not in rule.arguments or _view.access_rule == "public":
            continue
        url = _fill(rule, org_slug=theirs.slug)
        method = "GET" if "GET" in rule.methods else "POST"
        assert client.open(url, method=method).status_code == 404, url


# Each role against each kind of page: the status a GET answers.
PAGES = {
    "dashboard": "/",
    "group home": "/groups/{g}/",
    "group settings": "/groups/{g}/settings",
    "group members": "/groups/{g}/members",
    "group audit": "/groups/{g}/audit",
    "other group": "/groups/{other}/",
    "organisation": "/orgs/{o}/",
    "org settings": "/orgs/{o}/settings",
    "organisations": "/orgs/",
    "users": "/admin/users",
    "profile": "/profile",
}
MATRIX = {
    #                 dash grp  set  mem  aud  othr org  oset orgs users prof
    "secretary": (200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 200),
    "leader": (200, 200, 403, 403, 403, 404, 404, 404, 404, 404, 200),
    "sponsor": (200, 200, 403, 403, 403, 404, 404, 404, 404, 404, 200),
    "coordinator": (200, 404, 404, 404, 404, 404, 200, 403, 404, 404, 200),
    "org admin": (200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 200),
    "site admin": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "no role": (200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200),
}


@pytest.mark.postgres
@pytest.mark.parametrize("role", MATRIX)
def test_role_matrix(client, role):
    org = factories.organisation()
    group = factories.group(org)
    other = factories.group(org)
    factories.member(other, "secretary")
    email = "who@example.org"
    if role in {"secretary", "leader", "sponsor"}:
        factories.member(group, role, email=email)
    elif role == "coordinator":
        factories.org_member(org, "coordinator", email=email)
    elif role == "org admin":
        factories.org_member(org, "admin", email=email)
    else:
        factories.user(email, site_admin=role == "site admin")
    login(client, email)
    got = {
        name: client.get(path.format(g=group.slug, other=other.slug, o=org.slug)).status_code
        for name, path in PAGES.items()
    }
    assert got == dict(zip(PAGES, MATRIX[role], strict=True))
