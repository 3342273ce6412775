"""A rep opens a contact, logs a call and a task, and sees them on the timeline; the timeline
and the audit trail read in words; counts, lifecycle stages and prompts read right."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from crmapp.services.crm import records
from crmapp.services.tenancy import orgs
from tests import factories
from tests.e2e.pages import TIMEOUT, log_in, sign_up, unique_email


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


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


def _named_team(org: str):
    owner = factories.signup(org, prefix="wendy")
    orgs.set_name(owner.actor.user_id, "Wendy Words")
    member = factories.member(owner, "member", prefix="max")
    orgs.set_name(member.actor.user_id, "Max Mills")
    return owner, member


def test_timeline_and_audit_trail_read_in_words(browser, app_url):
    owner, _member = _named_team("Words & Co")
    with factories.scoped(owner) as session:
        company = records.save_record(
            session, owner.actor, "company", None, {"name": "Harbour Lights"}
        )
        contact = records.save_record(
            session,
            owner.actor,
            "contact",
            None,
            {
                "first_name": "Petra",
                "last_name": "Ng",
                "company_id": str(company.id),
            },
        )
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)

    page.goto(f"{app_url}/crm/contacts/{contact.id}")
    expect(page.locator("#record-badge")).to_have_text("Lead", timeout=TIMEOUT)
    page.click("#record-edit")
    page.select_option("#contact-owner-id", label="Max Mills")
    page.select_option("#contact-lifecycle-stage", label="Customer")
    page.fill("#contact-tags", "vip, q4")
    page.click("#contact-save")
    expect(page.locator("#record-badge")).to_have_text("Customer", timeout=TIMEOUT)
    updated = page.locator(".timeline-item", has_text="Contact updated")
    expect(updated).to_contain_text("Owner: Wendy Words → Max Mills", timeout=TIMEOUT)
    expect(updated).to_contain_text("Lifecycle stage: Lead → Customer")
    expect(updated).to_contain_text("Tags: — → vip, q4")
    expect(updated).to_contain_text("Wendy Words · ")  # who did it, by name
    created = page.locator(".timeline-item", has_text="Contact created")
    expect(created).to_contain_text("Company: Harbour Lights")
    shown = page.locator("#timeline").inner_text()
    assert not UUID.search(shown) and "_id" not in shown and "[" not in shown, shown
    assert owner.email not in shown

    page.goto(f"{app_url}/settings/audit")
    row = page.locator("#audit-table tr", has_text="Contact updated")
    expect(row).to_contain_text("Owner: Wendy Words → Max Mills", timeout=TIMEOUT)
    expect(row).to_contain_text("Wendy Words")
    expect(row.get_by_role("link", name="Petra Ng")).to_have_attribute(
        "href", f"/crm/contacts/{contact.id}"
    )
    trail = page.locator("#audit-table").inner_text()
    assert not UUID.search(trail) and "_id" not in trail and "[" not in trail, trail
    context.close()


def test_counts_lifecycle_labels_and_activity_prompts(browser, app_url):
    owner, _member = _named_team("Counts Ltd")
    with factories.scoped(owner) as session:
        records.save_record(session, owner.actor, "company", None, {"name": "Solo Co"})
        contact = records.save_record(
            session,
            owner.actor,
            "contact",
            None,
            {"first_name": "Quinn", "lifecycle_stage": "qualified"},
        )
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)

    page.goto(f"{app_url}/crm/companies")
    expect(page.get_by_text("1 company · page 1 of 1")).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{app_url}/crm/contacts")
    expect(page.get_by_text("1 contact · page 1 of 1")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator('.cell[data-key="lifecycle_stage"]')).to_have_text(["Qualified"])

    page.goto(f"{app_url}/crm/contacts/{contact.id}")
    expect(page.locator("#record-badge")).to_have_text("Qualified", timeout=TIMEOUT)
    expect(page.locator('.detail-value[data-key="lifecycle_stage"]')).to_have_text("Qualified")
    expect(page.get_by_placeholder("What is worth remembering?")).to_be_visible()
    page.get_by_role("radio", name="Task").click()
    expect(page.get_by_placeholder("What needs doing?")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("radio", name="Call").click()
    expect(page.get_by_placeholder("What was the call about?")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_placeholder("What happened?")).to_have_count(0)
    context.close()


def test_a_call_logged_after_the_fact_shows_when_it_happened_and_can_be_corrected(browser, app_url):
    owner, _member = _named_team("After The Fact")
    with factories.scoped(owner) as session:
        contact = records.save_record(session, owner.actor, "contact", None, {"first_name": "Tess"})
    today = date.today()
    tuesday = today - timedelta(days=(today.weekday() - 1) % 7 or 7)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{app_url}/crm/contacts/{contact.id}")
    timeline = page.locator(".timeline-title")
    expect(timeline).to_have_text(["Contact created"], timeout=TIMEOUT)

    page.get_by_role("radio", name="Call").click()
    page.get_by_label("Subject").fill("Price check")
    page.get_by_label("When", exact=True).fill(f"{tuesday.isoformat()}T10:30")
    page.get_by_role("button", name="Log it").click()
    # Logged today, it happened last Tuesday: below "Contact created", dated last Tuesday.
    expect(timeline).to_have_text(["Contact created", "Price check"], timeout=TIMEOUT)
    call = page.locator(".timeline-item", has_text="Price check")
    expect(call).to_contain_text(f"{tuesday:%d %b %Y} 10:30")

    call.get_by_role("button", name="Edit Price check").click()
    when = page.get_by_label("When it happened")
    expect(when).to_have_value(f"{tuesday.isoformat()}T10:30")
    when.fill("0001-01-01T10:00")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="too long ago: check the year")).to_be_visible(
        timeout=TIMEOUT
    )
    monday = tuesday - timedelta(days=1)
    when.fill(f"{monday.isoformat()}T16:00")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(call).to_contain_text(f"{monday:%d %b %Y} 16:00", timeout=TIMEOUT)
    expect(page.get_by_label("When it happened")).to_have_count(0)
    context.close()
