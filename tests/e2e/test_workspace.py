"""Settings, the audit trail and switching organisations, as an Owner would use them."""

from __future__ import annotations

from playwright.sync_api import expect

from crmapp.services.tenancy import invitations
from tests import factories
from tests.e2e.pages import TIMEOUT, pick, sign_up, unique_email


def test_rename_shows_in_top_bar_and_audit_trail(browser, app_url):
    context = browser.new_context()
    page = context.new_page()
    sign_up(page, app_url, name="Rita Renamer", email=unique_email("rita"), org="Old Name Ltd")

    page.goto(f"{app_url}/settings")
    name = page.locator("#org-name-input")
    expect(name).to_have_value("Old Name Ltd", timeout=TIMEOUT)
    name.fill("New Name Ltd")
    page.click("#org-name-save")
    expect(page.locator("#org-name")).to_have_text("New Name Ltd", timeout=TIMEOUT)

    page.click("#to-audit")
    table = page.locator("#audit-table")
    expect(table).to_contain_text("Organisation renamed", timeout=TIMEOUT)
    expect(table).to_contain_text("Name: Old Name Ltd → New Name Ltd")
    pick(page, "#audit-action", "Organisation renamed")
    expect(page.locator(".audit-action")).to_have_text(["Organisation renamed"], timeout=TIMEOUT)
    context.close()


def test_member_of_two_organisations_switches_between_them(browser, app_url):
    context = browser.new_context()
    page = context.new_page()
    email = unique_email("sam")
    sign_up(page, app_url, name="Sam Switcher", email=email, org="Sam Home")

    other = factories.signup("Partner Agency", "partner")
    with factories.scoped(other) as session:
        _inv, token = invitations.create_invitation(session, other.actor, email, "member")

    page.goto(f"{app_url}/invite/{token}")
    page.click("#invite-accept")
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)
    switcher = page.locator("#org-switcher")
    expect(switcher).to_have_text("Partner Agency", timeout=TIMEOUT)
    expect(page.locator("#role-badge")).to_have_text("Member")

    pick(page, "#org-switcher", "Sam Home")
    expect(switcher).to_have_text("Sam Home", timeout=TIMEOUT)
    expect(page.locator("#role-badge")).to_have_text("Owner")
    context.close()
