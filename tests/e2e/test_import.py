"""Import a CSV with bad rows in the browser and read the per-row report."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.pages import TIMEOUT, sign_up, unique_email

CSV = (
    "First name,Last name,E-mail,Phone\n"
    "Ivy,Import,ivy@client.example,+1 555 0100\n"
    "Bad,Email,not-an-email,\n"
    "Short,Row\n"
    "Jon,Good,jon@client.example,\n"
)


def test_import_with_bad_rows_shows_the_report(browser, app_url, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(CSV)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_up(page, app_url, name="Ian Importer", email=unique_email("ian"), org="Ian Imports")

    page.goto(f"{app_url}/crm/contacts")
    page.click("#import-contacts")
    page.locator("#csv-upload input[type=file]").set_input_files(str(path))
    expect(page.locator("#import-summary")).to_have_text("people.csv · 4 rows", timeout=TIMEOUT)
    expect(page.locator(".map-select")).to_have_text(
        ["First name", "Last name", "Email", "Phone"]
    )  # guessed from the headers
    page.click("#import-start")

    expect(page.locator("#import-done")).to_be_visible(timeout=60_000)
    expect(page.locator("#import-created")).to_have_text("2")
    expect(page.locator("#import-rejected")).to_have_text("2")
    expect(page.locator(".rejected-row")).to_have_text(["3", "4"])
    expect(page.locator(".rejected-reason")).to_have_text(
        [
            "Email: enter a valid email address. Got 'not-an-email'.",
            "Row has 2 columns; the header has 4.",
        ]
    )
    with page.expect_download() as download:
        page.click("#download-rejections")
    assert "not-an-email" in download.value.path().read_text()

    page.goto(f"{app_url}/crm/contacts")
    expect(page.locator(".contact-name")).to_have_count(2, timeout=TIMEOUT)
    context.close()


def test_import_deals_reports_unknown_stage(browser, app_url, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("Deal,Amount,Stage\nRefit,12500,Proposal\nMystery,100,Dreaming\n")
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_up(page, app_url, name="Di Deals", email=unique_email("di"), org="Di Deals")

    page.goto(f"{app_url}/crm/deals/list")
    page.click("#import-deal")
    expect(page.get_by_role("radio", name="Deals")).to_be_checked(timeout=TIMEOUT)
    page.locator("#csv-upload input[type=file]").set_input_files(str(path))
    expect(page.locator(".map-select")).to_have_text(
        ["Title", "Value", "Stage (by name)"], timeout=TIMEOUT
    )
    page.click("#import-start")
    expect(page.locator("#import-done")).to_be_visible(timeout=60_000)
    expect(page.locator("#import-created")).to_have_text("1")
    expect(page.locator(".rejected-reason")).to_contain_text(["Unknown stage 'Dreaming'"])
    page.goto(f"{app_url}/crm/deals")
    expect(page.locator('.kanban-column[data-stage-name="Proposal"] .kanban-card')).to_have_count(
        1, timeout=TIMEOUT
    )
    context.close()
