"""Forms found and filled by their labels (as a screen reader reads them), the browser's time zone
taken at sign-up and on joining, and the board's drag-and-drop announcements in words."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from crmapp.services.crm import basic_records
from tests import factories
from tests.e2e.pages import PASSWORD, TIMEOUT, log_in, log_out, unique_email

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_sign_up_log_in_invite_and_a_record_form_are_filled_by_their_labels(browser, app_url):
    context = browser.new_context(timezone_id="Europe/Paris")
    page = context.new_page()
    email = unique_email("lena")
    page.goto(f"{app_url}/signup")
    page.get_by_label("Your name").fill("Lena Label")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Organisation name").fill("Label Works")
    page.get_by_label("Password").fill(PASSWORD)
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("Europe/Paris", timeout=TIMEOUT)  # from the browser, editable
    page.get_by_role("button", name="Create workspace").click()
    expect(page.locator("#dashboard-title")).to_contain_text("Lena Label", timeout=TIMEOUT)

    page.goto(f"{app_url}/settings")
    expect(page.get_by_label("Time zone")).to_have_text("Europe/Paris", timeout=TIMEOUT)
    expect(page.get_by_label("Name", exact=True)).to_have_value("Lena Label")
    page.get_by_label("Email", exact=True).fill(unique_email("ivan"))
    page.get_by_label("Role", exact=True).click()
    page.get_by_role("option", name="Viewer").click()
    page.get_by_role("button", name="Create invite link").click()
    link = page.locator("#invite-link")
    expect(link).to_contain_text("/invite/", timeout=TIMEOUT)
    invite_url = link.inner_text()

    page.goto(f"{app_url}/crm/contacts")
    page.get_by_role("button", name="New contact").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("First name").fill("Nils")
    dialog.get_by_label("Last name").fill("Nordin")
    dialog.get_by_label("Email", exact=True).fill("nils@nordin.example")
    dialog.get_by_label("Job title").fill("Buyer")
    dialog.get_by_label("Lifecycle stage").select_option("customer")
    dialog.get_by_label("Phone").fill("+46 8 555 0100")
    dialog.get_by_label("Owner").select_option(label="Lena Label")
    dialog.get_by_label("Tags").fill("fair")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator(".contact-name")).to_have_text(["Nils Nordin"], timeout=TIMEOUT)
    log_out(page)

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#dashboard-title")).to_contain_text("Lena Label", timeout=TIMEOUT)
    context.close()

    guest = browser.new_context(timezone_id="America/New_York")
    page = guest.new_page()
    page.goto(invite_url)
    page.get_by_label("Your name").fill("Ivan Invitee")
    page.get_by_label("Password").fill(PASSWORD)
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York", timeout=TIMEOUT)
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#dashboard-title")).to_contain_text("Ivan Invitee", timeout=TIMEOUT)
    page.goto(f"{app_url}/settings")
    expect(page.get_by_label("Time zone")).to_have_text("America/New_York", timeout=TIMEOUT)
    guest.close()


def test_a_time_zone_typed_at_sign_up_must_be_real(browser, app_url):
    page = browser.new_context(timezone_id="Asia/Tokyo").new_page()
    page.goto(f"{app_url}/signup")
    page.get_by_label("Your name").fill("Tomo")
    page.get_by_label("Work email").fill(unique_email("tomo"))
    page.get_by_label("Organisation name").fill("Tomo KK")
    page.get_by_label("Password").fill(PASSWORD)
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("Asia/Tokyo", timeout=TIMEOUT)
    zone.fill("Asia/Atlantis")
    page.get_by_role("button", name="Create workspace").click()
    expect(page.locator("#timezone-error")).to_contain_text("time zone", timeout=TIMEOUT)
    zone.fill("Europe/Lisbon")
    page.get_by_role("button", name="Create workspace").click()
    expect(page.locator("#dashboard-title")).to_contain_text("Tomo", timeout=TIMEOUT)
    page.goto(f"{app_url}/settings")
    expect(page.get_by_label("Time zone")).to_have_text("Europe/Lisbon", timeout=TIMEOUT)
    page.context.close()


def test_a_time_not_in_the_browsers_zone_says_which_zone_it_is(browser, app_url):
    owner = factories.signup("Zone Label Ltd", "zoned")  # profile zone: UTC
    with factories.scoped(owner) as session:
        contact = basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Zed", "Zone")
        )
    page = browser.new_context(timezone_id="Europe/Paris").new_page()
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)
    stamp = re.compile(r"\d\d \w\w\w \d{4} \d\d:\d\d")
    page.goto(f"{app_url}/crm/contacts/{contact.id}")
    item = page.locator("#timeline").get_by_text(stamp).first
    expect(item).to_contain_text("UTC", timeout=TIMEOUT)
    page.goto(f"{app_url}/settings/audit")
    expect(page.locator("#audit-table tbody tr").first).to_contain_text("UTC", timeout=TIMEOUT)
    page.context.close()


def test_dragging_a_deal_with_the_keyboard_announces_names_not_ids(browser, app_url):
    owner = factories.signup("Announce Ltd", "announce")
    with factories.scoped(owner) as session:
        basic_records.create_deal(
            session, owner.actor, title="Harbour lights", value="5000", stage="Lead"
        )
    page = browser.new_context().new_page()
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{app_url}/crm/deals")
    card = page.locator(".kanban-card", has_text="Harbour lights")
    expect(card).to_be_visible(timeout=TIMEOUT)
    live = page.locator("[id^=DndLiveRegion]")
    card.focus()
    page.keyboard.press("Space")
    expect(live).to_contain_text("Harbour lights", timeout=TIMEOUT)
    expect(live).to_contain_text("Lead")
    assert not UUID.search(live.inner_text()), live.inner_text()
    page.keyboard.press("Escape")
    expect(live).to_contain_text("returned to Lead", timeout=TIMEOUT)
    assert not UUID.search(live.inner_text()), live.inner_text()
    described = card.get_attribute("aria-describedby")
    assert described
    instructions = page.locator(f"[id='{described}']").inner_text()
    assert "space" in instructions.lower() and not UUID.search(instructions)
    page.context.close()
