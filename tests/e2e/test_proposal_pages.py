"""What the proposal pages show to each reader: a Viewer no write control, the client a
sandboxed document, and a missing proposal's PDF a plain "not found"."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from crmapp.models.base import utcnow
from crmapp.services.crm import trash
from crmapp.services.proposals import sharing
from tests import factories
from tests.e2e.pages import TIMEOUT, log_in
from tests.integration.test_proposals import make_proposal, write


def sent_proposal(owner):
    """A written proposal, sent: returns it and its public path (`/p/<token>`)."""
    proposal = make_proposal(owner)
    write(owner, proposal)
    with factories.scoped(owner) as session:
        url = sharing.send(session, owner.actor, proposal.id)
    return proposal, "/p/" + url.rsplit("/p/", 1)[1]


def signed_in(browser, app_url, who):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    log_in(page, app_url, who.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)
    return context, page


def test_a_viewer_sees_the_proposal_but_no_control_they_cannot_use(browser, app_url):
    owner = factories.signup("Viewed Agency")
    viewer = factories.member(owner, "viewer")
    proposal, _path = sent_proposal(owner)

    context, page = signed_in(browser, app_url, owner)
    page.goto(f"{app_url}/proposals/{proposal.id}")
    expect(page.locator("#links .link-item")).to_have_count(1, timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Revoke")).to_be_enabled()  # the owner may
    context.close()

    context, page = signed_in(browser, app_url, viewer)
    expect(page.get_by_text("Proposals (coming next)")).to_have_count(0)
    expect(page.locator("#step-proposals")).to_contain_text("proposal")
    page.goto(f"{app_url}/proposals/{proposal.id}")
    expect(page.locator("#links .link-item")).to_have_count(1, timeout=TIMEOUT)
    expect(page.locator("#proposal-status")).to_have_text("sent")
    expect(page.get_by_role("button", name="Revoke")).to_have_count(0)
    expect(page.get_by_role("button", name="Recall to edit")).to_have_count(0)
    expect(page.get_by_text(re.compile("writing:", re.IGNORECASE))).to_have_count(0)
    page.goto(f"{app_url}/proposals")
    expect(page.locator(".proposal-row")).to_have_count(1, timeout=TIMEOUT)
    expect(page.get_by_text("1 proposal · page 1 of 1", exact=True)).to_be_visible()
    context.close()


def test_the_client_reads_the_proposal_in_a_sandboxed_frame(browser, app_url):
    owner = factories.signup("Sandboxed Agency")
    proposal, path = sent_proposal(owner)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    reader = context.new_page()
    reader.goto(app_url + path)
    document = reader.frame_locator("#public-document")
    expect(document.locator("h1")).to_have_text(proposal.title, timeout=TIMEOUT)
    sandbox = reader.locator("#public-document").get_attribute("sandbox")
    assert sandbox is not None, "the document runs with the app's origin"
    assert "allow-scripts" not in sandbox and "allow-same-origin" not in sandbox
    frame = next(f for f in reader.frames if f != reader.main_frame)
    assert frame.evaluate("() => window.origin") == "null"  # an opaque origin, not the app's
    assert reader.locator("#sign-name").get_attribute("maxlength") == "120"
    context.close()


def test_the_pdf_of_a_proposal_that_is_gone_says_not_found(browser, app_url):
    owner = factories.signup("Vanishing Agency")
    proposal, _path = sent_proposal(owner)
    context, page = signed_in(browser, app_url, owner)
    page.goto(f"{app_url}/proposals/{proposal.id}")
    expect(page.locator("#download-pdf")).to_be_visible(timeout=TIMEOUT)
    with factories.scoped(owner) as session:  # meanwhile its deal is deleted for good
        trash.delete_record(session, owner.actor, "deal", proposal.deal_id)
    with factories.scoped(owner) as session:
        trash.purge_expired(session, owner.actor.org_id, utcnow() + timedelta(days=31))
    page.click("#download-pdf")
    expect(page.get_by_text("Proposal not found.")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("An error occurred")).to_have_count(0)
    context.close()


def test_an_owner_chooses_in_settings_where_a_signature_moves_the_deal(browser, app_url):
    owner = factories.signup("Configuring Agency")
    context, page = signed_in(browser, app_url, owner)
    page.goto(f"{app_url}/settings/pipelines")
    choice = page.get_by_label("When a proposal is signed, move the deal to")
    expect(choice).to_have_count(1, timeout=TIMEOUT)
    expect(choice.locator("option:checked")).to_have_text("Won")  # the default
    expect(choice.locator("option", has_text="Lost")).to_have_count(0)
    choice.select_option(label="Negotiation")
    expect(page.get_by_text("signed proposals move their deals")).to_be_visible(timeout=TIMEOUT)
    page.reload()
    choice = page.get_by_label("When a proposal is signed, move the deal to")
    expect(choice.locator("option:checked")).to_have_text("Negotiation", timeout=TIMEOUT)
    context.close()
