"""CRM records in the browser: company → contact → deal, board drag, record pages; custom fields,
inline edit, filters, saved views and bulk tagging in the list."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.pages import TIMEOUT, sign_up, unique_email
from tests.e2e.test_pipeline import column, drag


def test_company_contact_and_deal_created_in_the_ui_and_dragged(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_up(page, app_url, name="Rita Records", email=unique_email("rita"), org="Rita & Co")

    page.goto(f"{app_url}/crm/companies")
    page.click("#new-company")
    page.fill("#company-name", "Harbour Lights")
    page.fill("#company-domain", "not a domain")
    page.click("#company-save")
    expect(page.locator("#company-domain-error")).to_contain_text("example.com", timeout=TIMEOUT)
    page.fill("#company-domain", "https://harbour.example/")
    page.select_option("#company-size", "11-50")
    page.click("#company-save")
    expect(page.locator("a.company-name")).to_have_text(["Harbour Lights"], timeout=TIMEOUT)

    page.goto(f"{app_url}/crm/contacts")
    page.click("#new-contact")
    page.fill("#contact-first-name", "Hana")
    page.fill("#contact-last-name", "Hale")
    page.select_option("#contact-company-id", label="Harbour Lights")
    page.click("#contact-save")
    expect(page.locator("a.contact-name")).to_have_text(["Hana Hale"], timeout=TIMEOUT)

    page.goto(f"{app_url}/crm/deals/list")
    page.click("#new-deal")
    page.fill("#deal-title", "Harbour refit")
    page.fill("#deal-value", "12,500")
    page.select_option("#deal-contact-id", label="Hana Hale")
    page.select_option("#deal-company-id", label="Harbour Lights")
    page.click("#deal-save")
    expect(page.locator("a.deal-name")).to_have_text(["Harbour refit"], timeout=TIMEOUT)

    page.goto(f"{app_url}/crm/deals")
    card = page.locator(".kanban-card", has_text="Harbour refit")
    expect(column(page, "Lead").locator(".kanban-card")).to_have_count(1, timeout=TIMEOUT)
    drag(page, card, column(page, "Proposal"))
    expect(page.locator("#move-summary")).to_contain_text("to Proposal", timeout=TIMEOUT)
    page.reload()
    expect(column(page, "Proposal").locator(".kanban-card-title")).to_have_text(
        ["Harbour refit"], timeout=TIMEOUT
    )

    page.goto(f"{app_url}/crm/companies")
    page.locator("a.company-name", has_text="Harbour Lights").click()
    expect(page.locator("#record-name")).to_have_text("Harbour Lights", timeout=TIMEOUT)
    expect(page.locator("#record-subtitle")).to_contain_text("harbour.example")
    expect(page.locator("#related")).to_contain_text("Hana Hale")
    expect(page.locator("#related")).to_contain_text("Harbour refit")
    page.locator("#related a", has_text="Harbour refit").click()
    expect(page.locator("#record-name")).to_have_text("Harbour refit", timeout=TIMEOUT)
    expect(page.locator("#record-badge")).to_have_text("Proposal")

    page.click("#record-delete")
    page.click("#record-delete-confirm")
    expect(page.locator("#deal-no-matches, #deal-table")).to_have_count(0, timeout=TIMEOUT)
    expect(page).to_have_url(f"{app_url}/crm/deals/list", timeout=TIMEOUT)
    expect(page.locator("a.deal-name")).to_have_count(0, timeout=TIMEOUT)
    context.close()


def test_custom_field_inline_edit_filter_saved_view_and_bulk_tag(browser, app_url):
    from crmapp.services.crm import records
    from tests import factories

    owner = factories.signup("Lists Ltd")
    with factories.scoped(owner) as session:
        for name in ("Acme", "Bolt"):
            records.save_record(session, owner.actor, "company", None, {"name": name})
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    from tests.e2e.pages import log_in

    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)

    page.goto(f"{app_url}/settings/fields")
    page.get_by_role("radio", name="Companies").click()
    page.fill("#field-label", "Tier")
    page.select_option("#field-type", "select")
    page.fill("#field-options", "Gold\nSilver")
    page.click("#field-save")
    expect(page.locator(".field-label")).to_have_text(["Tier"], timeout=TIMEOUT)

    page.goto(f"{app_url}/crm/companies")
    acme = page.locator(".company-row", has_text="Acme")
    acme.locator('.cell[data-key="industry"]').click()
    editor = acme.locator("input.cell-editor, .cell-editor input").first
    editor.fill("Rockets")
    editor.press("Enter")
    expect(acme.locator('.cell[data-key="industry"]')).to_have_text("Rockets", timeout=TIMEOUT)
    acme.locator('.cell[data-key="custom.tier"]').click()
    acme.locator("select.cell-editor").select_option("Gold")
    expect(acme.locator('.cell[data-key="custom.tier"]')).to_have_text("Gold", timeout=TIMEOUT)

    page.select_option("#company-filter-field", label="Tier")
    page.select_option("#company-filter-value-select", "Gold")
    page.click("#company-add-filter")
    expect(page.locator("a.company-name")).to_have_text(["Acme"], timeout=TIMEOUT)
    page.click("#company-save-view")
    page.fill("#company-view-name", "Gold tier")
    page.click("#company-view-save")
    expect(page.locator("#company-views")).to_contain_text("Gold tier", timeout=TIMEOUT)

    page.select_option("#company-views", "-")  # back to all records
    expect(page.locator("a.company-name")).to_have_count(2, timeout=TIMEOUT)
    expect(page.locator(".filter-chip")).to_have_count(0)
    page.select_option("#company-views", label="Gold tier")
    expect(page.locator("a.company-name")).to_have_text(["Acme"], timeout=TIMEOUT)
    expect(page.locator(".filter-chip")).to_contain_text("Tier")

    page.select_option("#company-views", "-")
    expect(page.locator("a.company-name")).to_have_count(2, timeout=TIMEOUT)
    page.get_by_label("Select page").click()
    expect(page.locator("#company-selected")).to_have_text("2 selected")
    page.fill("#company-bulk-tag", "q4")
    page.click("#company-bulk-tag-add")
    expect(page.locator('.cell[data-key="tags"]')).to_have_text(["q4", "q4"], timeout=TIMEOUT)
    context.close()
