"""A rep opens a contact, logs a call and a task, and sees them on the timeline."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.pages import TIMEOUT, sign_up, unique_email


def test_log_activities_on_a_contact_timeline(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_up(page, app_url, name="Tom Timeline", email=unique_email("tom"), org="Tom & Co")

    page.goto(f"{app_url}/crm/contacts")
    page.click("#new-contact")
    page.fill("#contact-first-name", "Petra")
    page.fill("#contact-email", "petra@client.example")
    page.click("#contact-save")
    page.locator("a.contact-name", has_text="Petra").click()
    expect(page.locator("#record-name")).to_have_text("Petra", timeout=TIMEOUT)
    timeline = page.locator(".timeline-title")
    expect(timeline).to_have_text(["Contact created"], timeout=TIMEOUT)

    page.get_by_role("radio", name="Call").click()
    page.fill("#activity-subject", "Discovery call")
    page.fill("#activity-body", "Budget approved for Q3.")
    page.click("#activity-save")
    expect(timeline).to_have_text(["Discovery call", "Contact created"], timeout=TIMEOUT)
    expect(page.locator("#timeline")).to_contain_text("Budget approved for Q3.")

    page.get_by_role("radio", name="Task").click()
    page.fill("#activity-subject", "Send the proposal")
    page.fill("#activity-due", "2030-03-01T10:00")
    page.click("#activity-save")
    expect(timeline.first).to_have_text("Send the proposal", timeout=TIMEOUT)
    expect(page.locator("#timeline")).to_contain_text("due 01 Mar 2030 10:00")
    expect(page.locator(".task-assignee")).to_have_text("Tom Timeline")  # "me" by default

    page.reload()
    expect(timeline).to_have_text(
        ["Send the proposal", "Discovery call", "Contact created"], timeout=TIMEOUT
    )
    context.close()


def test_global_search_opens_a_contact(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_up(page, app_url, name="Sia Searcher", email=unique_email("sia"), org="Sia Search")
    page.goto(f"{app_url}/crm/contacts")
    page.click("#new-contact")
    page.fill("#contact-first-name", "Quentin")
    page.fill("#contact-last-name", "Quarry")
    page.click("#contact-save")
    expect(page.locator(".contact-name")).to_have_text(["Quentin Quarry"], timeout=TIMEOUT)

    page.goto(f"{app_url}/dashboard")
    page.fill("#global-search", "quarr")
    expect(page.locator(".search-hit")).to_have_count(1, timeout=TIMEOUT)
    page.press("#global-search", "Enter")
    expect(page.locator("#record-name")).to_have_text("Quentin Quarry", timeout=TIMEOUT)
    context.close()
