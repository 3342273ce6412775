"""Steps a person takes in the browser, shared by the e2e tests (elements found by id)."""

from __future__ import annotations

import uuid

from playwright.sync_api import Browser, Page, expect

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


def join_by_invitation(browser: Browser, owner: Page, base: str, *, role: str, name: str) -> Page:
    """The owner invites a new person with `role` from Settings; that person joins in a browser
    context of their own and lands on the dashboard. Returns their page."""
    owner.goto(f"{base}/settings")
    owner.fill("#invite-email", unique_email(name.split()[0].lower()))
    pick(owner, "#invite-role", role)
    owner.click("#invite-submit")
    link = owner.locator("#invite-link")
    expect(link).to_contain_text("/invite/", timeout=TIMEOUT)
    invite_url = link.inner_text()
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(invite_url)
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("#invite-join")
    expect(page.locator("#dashboard-title")).to_contain_text(name, timeout=TIMEOUT)
    return page


def add_sandbox_account(page: Page, base: str, name: str) -> None:
    """Social → Accounts → Add a sandbox account."""
    page.goto(f"{base}/social/accounts")
    page.fill("#sandbox-name", name)
    page.click("#sandbox-add")
    expect(page.locator(".social-account", has_text=name)).to_be_visible(timeout=TIMEOUT)
