"""A rep writes a draft, sees a figure the check cannot trace marked in the editor, fixes it and
sends without a question; a flag left in place makes sending ask for a confirmation. The side
panel opens the text of each knowledge-base passage the draft was written from."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from crmapp.services.crm import records
from crmapp.services.proposals import knowledge_base
from tests import factories
from tests.e2e.pages import TIMEOUT, log_in
from tests.integration.test_proposals import make_proposal

UNTRACED = "not found in the deal or the knowledge base"
PASSAGE = "Every web design project includes a mobile-first booking flow."


def proposal_for_a_deal(org: str):
    """An owner, a EUR 12,500 deal for Harbour Lights with a knowledge-base passage about it, and
    an empty statement of work for the deal."""
    owner = factories.signup(org)
    with factories.scoped(owner) as session:
        company = records.save_record(
            session, owner.actor, "company", None, {"name": "Harbour Lights"}
        )
        deal = records.save_record(
            session,
            owner.actor,
            "deal",
            None,
            {
                "title": "Booking site rebuild",
                "value": "12500",
                "currency": "EUR",
                "company_id": str(company.id),
                "products": "Web design",
            },
        )
        document = knowledge_base.add_document(
            session,
            owner.actor,
            filename="services.md",
            content=f"Booking flows\n\n{PASSAGE}".encode(),
            title="Web design services",
        )
    knowledge_base.process_document(owner.actor.org_id, document.id)  # the job's own work
    return owner, make_proposal(owner, deal)


def open_and_write(browser, app_url, owner, proposal) -> Page:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{app_url}/proposals/{proposal.id}")
    page.get_by_role("button", name="Write draft").click()
    overview = page.get_by_role("textbox", name="Overview")
    expect(overview).to_contain_text("Harbour Lights", timeout=TIMEOUT)
    return page


def type_into(page: Page, section: str, text: str, *, replace: bool = False) -> None:
    """Type in a section's text box, then leave it (which saves it)."""
    box = page.get_by_role("textbox", name=section)
    box.click()
    page.keyboard.press("Control+A" if replace else "Control+End")
    page.keyboard.type(text)
    page.get_by_role("heading", name="Pricing").click()  # blur: the editor saves


def flag(page: Page, figure: str):
    return page.get_by_role("status").filter(has_text=f"{figure}: {UNTRACED}")


def test_an_untraced_figure_is_flagged_fixed_and_the_proposal_sent(browser, app_url):
    owner, proposal = proposal_for_a_deal("Flagged & Fixed")
    page = open_and_write(browser, app_url, owner, proposal)
    expect(page.get_by_role("status").filter(has_text=UNTRACED)).to_have_count(0)

    # The side panel lists the passage the draft used; a click opens its text.
    page.get_by_role("button", name="Web design services — Booking flows").click()
    expect(page.get_by_role("region", name="Passage text")).to_contain_text(PASSAGE)

    type_into(page, "Investment", " The investment is €14,900.")
    expect(flag(page, "€14,900")).to_be_visible(timeout=TIMEOUT)

    type_into(page, "Investment", "The investment is 12,500.00 EUR.", replace=True)
    expect(page.get_by_role("textbox", name="Investment")).to_have_text(
        "The investment is 12,500.00 EUR.", timeout=TIMEOUT
    )
    expect(flag(page, "€14,900")).to_have_count(0, timeout=TIMEOUT)

    page.get_by_role("button", name="Send", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(UNTRACED)).to_have_count(0)
    expect(dialog.get_by_label("I checked them: send anyway")).to_have_count(0)
    dialog.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#proposal-status")).to_have_text("sent", timeout=TIMEOUT)
    page.context.close()


def test_sending_with_a_flag_left_asks_for_a_confirmation(browser, app_url):
    owner, proposal = proposal_for_a_deal("Flag Left")
    page = open_and_write(browser, app_url, owner, proposal)
    type_into(page, "Investment", " A discount of 15% applies.")
    expect(flag(page, "15%")).to_be_visible(timeout=TIMEOUT)

    page.get_by_role("button", name="Send", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"15% in Investment ({UNTRACED})")
    dialog.get_by_role("button", name="Send anyway").click()  # not ticked: nothing is sent
    expect(dialog).to_be_visible()
    expect(page.locator("#proposal-status")).to_have_text("draft")

    dialog.get_by_label("I checked them: send anyway").check()
    dialog.get_by_role("button", name="Send anyway").click()
    expect(page.locator("#proposal-status")).to_have_text("sent", timeout=TIMEOUT)
    page.context.close()
