"""Each demo role's main pages pass axe-core (no serious or critical violation) at desktop and phone
widths: the pages a role reaches from its dashboard, breadth first, as it would click through them. The
check itself is the `page`/`phone` fixtures' (tests/e2e/conftest.py): every document they load is checked."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import AWAIT_AXE, assert_accessible, check_a11y, checked_page, log_in

pytestmark = pytest.mark.e2e

PAGES = 30  # per role and width
SKIPPED = ("logout", ".ics", ".csv", ".json", ".pdf", ".xlsx", "/print", "/export")  # no downloads
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LINKS = "els => els.map((e) => e.getAttribute('href'))"


def same_site_links(page) -> list[str]:
    links = []
    for href in page.eval_on_selector_all("a[href]", LINKS):
        path = href.split("#", 1)[0]
        if path.startswith("/") and not path.startswith("//") and not any(w in path for w in SKIPPED):
            links.append(path)
    return links


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "email",
    [None, "secretary@example.org", "sponsor@example.org", "coordinator@example.org", "admin@example.org"],
)
def test_main_pages_of_each_role_pass_axe(browser, live_server, email, width):
    phone = width == "phone"
    context = browser.new_context(
        base_url=live_server, viewport=WIDTHS[width], is_mobile=phone, has_touch=phone
    )
    try:
        page = checked_page(context)
        if email:
            log_in(page, email)
            queue = ["/"]
        else:  # a visitor: the login page and what it links to
            queue = ["/login"]
        seen: set[str] = set()
        shown: set[str] = set()  # where each visit landed (after redirects)
        while queue and len(seen) < PAGES:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            response = page.goto(path)
            assert response.status == 200, path
            shown.add(page.url.removeprefix(live_server))
            if email:
                assert page.url != f"{live_server}/login", f"{path} logged {email} out"
            queue += [link for link in same_site_links(page) if link not in seen]
        assert_accessible(page)
        # Every page shown was checked (the login page and the dashboard included).
        assert {u.removeprefix(live_server) for u in page.a11y_checked} >= shown
    finally:
        context.close()


def test_the_check_names_the_rule_the_element_and_the_page(page):
    """What a failing journey reports: an image without a text alternative, added by a script."""
    page.goto("/login")
    page.evaluate(AWAIT_AXE)  # the automatic check of the loaded page, finished
    assert [u.rsplit("/", 1)[-1] for u in page.a11y_checked] == ["login"]
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        '\'<img id="no-alt" src="/static/favicon.svg">\')'
    )
    check_a11y(page)
    assert [(v["rule"], v["impact"], v["targets"]) for v in page.a11y_violations] == [
        ("image-alt", "critical", ["#no-alt"])
    ]
    assert page.a11y_violations[0]["url"].endswith("/login")
    page.a11y_violations.clear()  # seen: the fixture's own check at the end passes
