"""Steps a person takes in the browser, shared by the e2e tests (elements found by id)."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

PASSWORD = "e2e-password-123"
TIMEOUT = 20_000


def unique_email(prefix: str) -> str:
    """A fresh address for a new account."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.test"


def sign_up(page: Page, base: str, *, name: str, email: str, org: str) -> None:
    """Create a workspace through the sign-up form and land on the dashboard."""
    page.goto(f"{base}/signup")
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#org_name", org)
    page.fill("#password", PASSWORD)
    page.click("#signup-submit")
    expect(page.locator("#dashboard-title")).to_contain_text(name, timeout=TIMEOUT)


def log_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    """Submit the login form (the caller checks the outcome)."""
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")


def log_out(page: Page) -> None:
    """Log out from the user menu."""
    page.click("#user-menu")
    page.click("#menu-logout")
    page.wait_for_url("**/login*", timeout=TIMEOUT)


def pick(page: Page, trigger: str, option: str) -> None:
    """Choose `option` in a Radix select opened by the `trigger` selector."""
    page.click(trigger)
    page.get_by_role("option", name=option, exact=True).click()
