"""A person signs up, logs out and in, invites a Viewer, and gets rate-limited."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.pages import (
    PASSWORD,
    TIMEOUT,
    log_in,
    log_out,
    pick,
    sign_up,
    unique_email,
)


def test_sign_up_lands_on_dashboard_then_log_out_and_in(browser, app_url):
    context = browser.new_context()
    page = context.new_page()
    email = unique_email("founder")
    sign_up(page, app_url, name="Fran Founder", email=email, org="Fran & Co")
    expect(page.locator("#org-name")).to_have_text("Fran & Co")
    expect(page.locator("#role-badge")).to_have_text("Owner")

    log_out(page)
    page.goto(f"{app_url}/dashboard")
    page.wait_for_url("**/login?next=/dashboard", timeout=TIMEOUT)  # the session is really gone

    log_in(page, app_url, email)
    expect(page.locator("#dashboard-title")).to_contain_text("Fran Founder", timeout=TIMEOUT)
    context.close()


def test_sign_up_shows_field_errors(browser, app_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{app_url}/signup")
    page.fill("#name", "Shorty")
    page.fill("#email", unique_email("shorty"))
    page.fill("#org_name", "Tiny")
    page.fill("#password", "short")
    page.click("#signup-submit")
    expect(page.locator("#password-error")).to_contain_text("at least 10", timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"/signup/?$"))
    context.close()


def test_invited_viewer_cannot_create_or_edit(browser, app_url):
    owner_ctx = browser.new_context()
    owner = owner_ctx.new_page()
    sign_up(owner, app_url, name="Olga Owner", email=unique_email("olga"), org="Olga Studio")

    owner.goto(f"{app_url}/crm/contacts")
    owner.click("#new-contact")
    owner.fill("#contact-first-name", "Carla")
    owner.fill("#contact-email", "carla@client.example")
    owner.click("#contact-save")
    expect(owner.locator(".contact-name")).to_have_text(["Carla"], timeout=TIMEOUT)

    owner.goto(f"{app_url}/settings")
    viewer_email = unique_email("vic")
    owner.fill("#invite-email", viewer_email)
    pick(owner, "#invite-role", "Viewer")
    owner.click("#invite-submit")
    link = owner.locator("#invite-link")
    expect(link).to_contain_text("/invite/", timeout=TIMEOUT)
    invite_url = link.inner_text()

    viewer_ctx = browser.new_context()
    viewer = viewer_ctx.new_page()
    viewer.goto(invite_url)
    expect(viewer.locator("#invite-role-badge")).to_have_text("Viewer", timeout=TIMEOUT)
    viewer.fill("#name", "Vic Viewer")
    viewer.fill("#password", PASSWORD)
    viewer.click("#invite-join")
    expect(viewer.locator("#dashboard-title")).to_contain_text("Vic Viewer", timeout=TIMEOUT)
    expect(viewer.locator("#role-badge")).to_have_text("Viewer")

    viewer.goto(f"{app_url}/crm/contacts")
    expect(viewer.locator(".contact-name")).to_have_text(["Carla"], timeout=TIMEOUT)
    expect(viewer.locator("#new-contact")).to_be_disabled()
    expect(viewer.locator(".contact-edit").first).to_be_disabled()

    viewer.goto(f"{app_url}/settings")
    expect(viewer.locator("#org-name-input")).to_be_disabled(timeout=TIMEOUT)
    expect(viewer.locator("#org-name-save")).to_be_disabled()
    expect(viewer.locator("#settings-invitations")).to_have_count(0)
    expect(viewer.locator("#to-audit")).to_have_count(0)

    # the owner sees the new member with their role
    owner.reload()
    expect(owner.locator("#members-table")).to_contain_text(viewer_email, timeout=TIMEOUT)
    owner_ctx.close()
    viewer_ctx.close()


def test_five_wrong_passwords_are_rate_limited(browser, app_url):
    context = browser.new_context()
    page = context.new_page()
    email = unique_email("target")
    sign_up(page, app_url, name="Tess Target", email=email, org="Target Inc")
    log_out(page)
    page.goto(f"{app_url}/login")
    page.fill("#email", email)
    error = page.locator("#login-error")
    for left in (
        "4 attempts left",
        "3 attempts left",
        "2 attempts left",
        "1 attempt left",
    ):
        page.fill("#password", "not-the-password")
        page.click("#login-submit")
        expect(error).to_contain_text(f"Wrong email or password. {left}", timeout=TIMEOUT)
    page.fill("#password", "not-the-password")
    page.click("#login-submit")
    expect(error).to_contain_text("Too many failed logins: try again in", timeout=TIMEOUT)
    page.fill("#password", PASSWORD)  # the right password, but the account is paused
    page.click("#login-submit")
    expect(error).to_have_text(
        re.compile(r"^Too many failed logins\. Try again in"), timeout=TIMEOUT
    )
    expect(page).to_have_url(re.compile(r"/login/?$"))
    context.close()
