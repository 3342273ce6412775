"""A proposal end to end: written by the offline drafter from a deal, a section re-prompted,
sent, opened on its public link in another browser context, signed, and Signed on the deal."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.pages import TIMEOUT, sign_up, unique_email


def test_generate_reprompt_send_sign_and_see_it_on_the_deal(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_up(page, app_url, name="Petra Proposer", email=unique_email("petra"), org="Petra & Co")

    page.goto(f"{app_url}/crm/deals/list")
    page.click("#new-deal")
    page.fill("#deal-title", "Harbour booking site")
    page.fill("#deal-value", "12,500")
    page.click("#deal-save")
    page.locator("a.deal-name", has_text="Harbour booking site").click()
    expect(page.locator("#record-name")).to_have_text("Harbour booking site", timeout=TIMEOUT)
    deal_url = page.url

    page.click("#deal-new-proposal")
    expect(page.locator("#new-deal")).to_be_visible(timeout=TIMEOUT)
    page.select_option("#new-template", label="Statement of work")
    page.click("#new-create")
    page.wait_for_url(re.compile(r".*/proposals/[0-9a-f-]{36}$"), timeout=TIMEOUT)
    expect(page.locator("#offline-notice")).to_be_visible(timeout=TIMEOUT)

    title = page.locator("#proposal-title-input")
    title.fill("Harbour booking site: statement of work")
    title.press("Enter")
    expect(page.locator("#versions .version-item")).to_have_count(1, timeout=TIMEOUT)

    page.select_option("#voice", "direct")
    page.click("#generate")
    first = page.locator(".proposal-section").first
    expect(first.locator(".ProseMirror")).to_contain_text("Harbour booking site", timeout=TIMEOUT)
    expect(page.locator("#proposal-writing")).to_have_count(0)  # shown only while writing
    expect(page.locator("#tone-score")).to_be_visible()
    expect(page.locator("#sources .source-item").first).to_be_visible()
    expect(page.locator("#pricing-total")).to_contain_text("12,500.00")

    timeline = page.locator(".proposal-section", has_text="Timeline")
    timeline.locator(".reprompt-input input").fill("make the timeline more aggressive")
    timeline.locator(".reprompt-submit").click()
    expect(page.locator("#section-diff")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#section-diff .diff-insert").first).to_be_visible()
    page.click("#accept-rewrite")
    expect(page.locator("#section-diff")).to_have_count(0, timeout=TIMEOUT)
    expect(timeline.locator(".ProseMirror")).to_contain_text("compressed", timeout=TIMEOUT)

    page.click("#add-line")
    row = page.locator(".pricing-row").nth(1)
    row.locator("input").nth(0).fill("Hosting (12 months)")
    row.locator("input").nth(1).fill("12")
    row.locator("input").nth(2).fill("50")
    page.click("#save-pricing")
    expect(page.locator("#pricing-total")).to_contain_text("13,100.00", timeout=TIMEOUT)

    page.click("#send-open")
    page.click("#send-confirm")
    expect(page.locator("#proposal-status")).to_have_text("sent", timeout=TIMEOUT)
    share_url = page.locator("#share-url").inner_text()
    assert "/p/" in share_url

    client = browser.new_context(viewport={"width": 1280, "height": 900})
    reader = client.new_page()
    reader.goto(share_url)
    expect(reader.locator("#public-status")).to_have_text("sent", timeout=TIMEOUT)
    document = reader.frame_locator("#public-document")
    expect(document.locator("h1")).to_have_text(
        "Harbour booking site: statement of work", timeout=TIMEOUT
    )
    reader.click("#sign-submit")  # nothing typed: refused, row by row
    expect(reader.locator("#sign-name-error")).to_be_visible(timeout=TIMEOUT)
    reader.fill("#sign-name", "Hana Hale")
    reader.fill("#sign-email", "hana@harbour.example")
    reader.check("#sign-consent")
    reader.click("#sign-submit")
    expect(reader.locator("#public-signed")).to_contain_text("Hana Hale", timeout=TIMEOUT)
    expect(reader.locator("#public-status")).to_have_text("signed")
    client.close()

    page.goto(deal_url)
    expect(page.locator("#timeline")).to_contain_text("Proposal signed", timeout=TIMEOUT)
    expect(page.locator("#timeline")).to_contain_text("Proposal viewed")
    expect(page.locator("#related")).to_contain_text("Signed · ")  # the status as a label
    context.close()
