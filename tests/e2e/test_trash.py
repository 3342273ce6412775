"""Delete a contact with confirmation, undo it, delete again and restore from the trash."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.pages import TIMEOUT, sign_up, unique_email


def test_delete_undo_and_restore_from_trash(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_up(page, app_url, name="Una Undo", email=unique_email("una"), org="Una Ltd")
    page.goto(f"{app_url}/crm/contacts")
    page.click("#new-contact")
    page.fill("#contact-first-name", "Oscar")
    page.click("#contact-save")
    names = page.locator(".contact-name")
    expect(names).to_have_text(["Oscar"], timeout=TIMEOUT)

    page.locator(".contact-delete").first.click()
    page.click("#confirm-delete")
    expect(page.locator("#deleted-summary")).to_have_text("Deleted Oscar.", timeout=TIMEOUT)
    expect(names).to_have_count(0)
    page.click("#undo-delete")
    expect(names).to_have_text(["Oscar"], timeout=TIMEOUT)

    page.locator(".contact-delete").first.click()
    page.click("#confirm-delete")
    expect(names).to_have_count(0, timeout=TIMEOUT)
    page.goto(f"{app_url}/settings")
    page.click("#to-trash")
    expect(page.locator(".trash-label")).to_have_text(["Oscar"], timeout=TIMEOUT)
    page.locator(".trash-restore").first.click()
    expect(page.locator("#trash-table")).to_have_count(0, timeout=TIMEOUT)
    page.goto(f"{app_url}/crm/contacts")
    expect(names).to_have_text(["Oscar"], timeout=TIMEOUT)
    context.close()
