"""Knowledge base in the browser: upload, watch it get embedded, search it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.pages import TIMEOUT, sign_up, unique_email

HANDBOOK = (
    "Our monthly retainer includes twenty hours of design.\n\n"
    "Fixed-bid projects are invoiced per milestone.\n"
)


def test_upload_embed_and_search_a_document(browser, app_url, tmp_path):
    path = tmp_path / "handbook.md"
    path.write_text(HANDBOOK)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_up(page, app_url, name="Kim Knowledge", email=unique_email("kim"), org="Kim & Co")

    page.goto(f"{app_url}/proposals/knowledge")
    expect(page.locator("#ai-mode")).to_contain_text("offline drafter", timeout=TIMEOUT)
    page.locator("#kb-upload input[type=file]").set_input_files(str(path))
    expect(page.locator(".kb-status")).to_have_text(["ready"], timeout=60_000)
    page.fill("#kb-query", "how many design hours in the retainer?")
    page.click("#kb-search")
    expect(page.locator(".kb-result").first).to_contain_text("twenty hours", timeout=TIMEOUT)
    context.close()
