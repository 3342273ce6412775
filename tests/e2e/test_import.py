"""Import a CSV with bad rows in the browser and read the per-row report."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from playwright.sync_api import expect

from crmapp.settings import PROJECT_ROOT
from tests.e2e.pages import TIMEOUT, pick, sign_up, unique_email

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


def _open_import(page, app_url, who: str) -> None:
    sign_up(page, app_url, name=f"{who} Importer", email=unique_email(who.lower()), org=who)
    page.goto(f"{app_url}/crm/contacts")
    page.click("#import-contacts")


def test_a_binary_file_is_refused_with_a_message_and_the_page_recovers(browser, app_url, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    _open_import(page, app_url, "Bina")
    page.locator("#csv-upload input[type=file]").set_input_files(str(path))
    expect(page.get_by_text("This is not a CSV file: it looks like a PNG image.")).to_be_visible(
        timeout=TIMEOUT
    )
    page.reload()  # the tab's import page is not left stuck
    expect(page.get_by_text("Drop a CSV file here, or click to choose one.")).to_be_visible(
        timeout=TIMEOUT
    )
    good = tmp_path / "good.csv"
    good.write_text("First name,Email\nGia,gia@client.example\n")
    page.locator("#csv-upload input[type=file]").set_input_files(str(good))
    expect(page.locator("#import-summary")).to_have_text("good.csv · 1 row", timeout=TIMEOUT)
    context.close()


def test_a_windows_1252_file_is_previewed_decoded_and_kept_on_disk_not_in_state(
    browser, app_url, tmp_path, services
):
    marker = f"marker-{uuid.uuid4().hex}"
    rows = "".join(f"Row{i},row{i}@client.example,\n" for i in range(8))
    text = (
        "First name,Email,Notes\nFrançois,francois@client.example,“Hi”\n"
        f"{rows}Zoë,z@client.example,{marker}\n"
    )
    name = f"latin-{uuid.uuid4().hex[:8]}.csv"
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    _open_import(page, app_url, "Wink")
    page.locator("#csv-upload input[type=file]").set_input_files(str(path))
    expect(page.locator("#import-summary")).to_have_text(f"{name} · 10 rows", timeout=TIMEOUT)
    expect(page.get_by_label("Text encoding")).to_have_text("Windows-1252 (Western European)")
    expect(page.get_by_text("This file is not UTF-8")).to_be_visible()
    expect(page.locator("#import-preview")).to_contain_text("François")
    expect(page.locator("#import-preview")).to_contain_text("“Hi”")

    # The file waits on disk under the data directory; the tab's state holds only a preview.
    uploads = Path(services.env["TANDEM_DATA_DIR"]) / "imports"
    assert [p for p in uploads.glob("*/*") if marker.encode("cp1252") in p.read_bytes()]
    pickled = _state_files_naming(name)
    assert pickled and not any(marker.encode() in p.read_bytes() for p in pickled)

    pick(page, "#import-encoding", "UTF-8")  # the user may choose: the preview follows
    expect(page.locator("#import-preview")).to_contain_text("Fran\ufffdois", timeout=TIMEOUT)
    pick(page, "#import-encoding", "Windows-1252 (Western European)")
    expect(page.locator("#import-preview")).to_contain_text("François", timeout=TIMEOUT)
    page.click("#import-start")
    expect(page.locator("#import-done")).to_be_visible(timeout=60_000)
    expect(page.locator("#import-created")).to_have_text("10")
    assert not [p for p in uploads.glob("*/*") if marker.encode("cp1252") in p.read_bytes()]
    page.goto(f"{app_url}/crm/contacts")
    expect(page.get_by_text("François", exact=True)).to_be_visible(timeout=TIMEOUT)
    context.close()


def _state_files_naming(name: str, timeout: float = 20) -> list[Path]:
    """The web app's saved page states (Reflex writes them to `.states/`) that name `name`."""
    states = PROJECT_ROOT / ".states"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in states.glob("*.pkl") if name.encode() in p.read_bytes()]
        if found:
            return found
        time.sleep(0.25)
    return []
