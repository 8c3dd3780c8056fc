"""Each demo role logs in through the real login form and sees its own dashboard (screenshots saved)."""

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("email", "expect", "absent"),
    [
        (
            "secretary@example.org",
            ["Tuesday Night Lakeside Group", "What needs doing"],
            ["Harbour Light Group"],
        ),
        (
            "sponsor@example.org",
            ["Tuesday Night Lakeside Group"],
            ["What needs doing", "Harbour Light Group"],
        ),
        ("coordinator@example.org", ["Lakeside Intergroup", "Coordinator"], ["Tuesday Night Lakeside Group"]),
        ("admin@example.org", ["Site administration", "Lakeside Intergroup", "Administrator"], []),
    ],
)
def test_each_role_sees_its_dashboard(page, artifacts, email, expect, absent):
    log_in(page, email)
    body = page.locator("main").inner_text()
    for text in expect:
        assert text in body
    for text in absent:
        assert text not in body
    page.screenshot(path=str(artifacts / f"dashboard-{email.split('@')[0]}.png"), full_page=True)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")


def test_secretary_cannot_open_another_groups_page(page):
    log_in(page, "secretary@example.org")
    response = page.goto("/groups/harbour-na/")
    assert response.status == 404
    assert "Page not found" in page.locator("h1").inner_text()


def test_wrong_password_keeps_email_and_shows_error_beside_field(page, artifacts):
    page.goto("/login")
    page.get_by_label("Email").fill("secretary@example.org")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_label("Email").input_value() == "secretary@example.org"
    assert "do not match" in page.locator(".field.has-error .error").inner_text()
    page.screenshot(path=str(artifacts / "login-error.png"))


def test_dashboard_on_a_phone(phone, artifacts):
    log_in(phone, "secretary@example.org")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the dashboard scrolls sideways on a phone"
    phone.screenshot(path=str(artifacts / "dashboard-secretary-phone.png"), full_page=True)
