"""The app shell as a user sees it: on a phone, on a wide screen, on a short screen, its favicon,
its own "page not found" and no developer widgets."""

from __future__ import annotations

import re
import urllib.request

from playwright.sync_api import Page, expect

from crmapp.services.crm import basic_records
from tests import factories
from tests.e2e.pages import TIMEOUT, log_in

PHONE = {"width": 390, "height": 844}


def main_pages(ws: factories.Workspace) -> list[tuple[str, str]]:
    """(path, an element that shows once the page has loaded its data) for the main pages."""
    return [
        ("/dashboard", "#dashboard-title"),
        ("/crm/contacts", ".contact-row"),
        ("/crm/companies", ".company-row"),
        ("/crm/deals", ".kanban-card"),
        ("/crm/deals/list", ".deal-row"),
        (f"/crm/contacts/{ws.contact_id}", "#record-details"),
        (f"/crm/companies/{ws.company_id}", "#record-details"),
        (f"/crm/deals/{ws.deal_id}", "#record-details"),
        ("/proposals", f"a[href='/proposals/{ws.proposal_id}']"),
        (f"/proposals/{ws.proposal_id}", "#download-pdf"),
        ("/proposals/templates", ".template-row"),
        ("/proposals/knowledge", "#kb-documents"),
        ("/social/composer", "#social-text"),
        (f"/social/posts/{ws.post_id}", "#social-text"),
        ("/social/calendar", "#social-queue-filter"),
        ("/social/accounts", "#social-accounts"),
        ("/settings", "#settings-profile"),
        ("/settings/audit", "#audit-table"),
        ("/settings/trash", "#page-title"),
        ("/crm/import", "#import-entity"),
    ]


def signed_in_owner(browser, app_url, viewport) -> tuple[Page, factories.Workspace]:
    """A new organisation with one of everything, its Owner logged in at `viewport`."""
    owner = factories.signup("Layout Ltd", "layout")
    ws = factories.workspace(owner)
    page = browser.new_context(viewport=viewport).new_page()
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)
    return page, ws


def in_viewport(page: Page, selector: str) -> bool:
    """Whether the element is on screen (not pushed off the side)."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return box["x"] >= 0 and box["x"] + box["width"] <= size["width"] and box["y"] >= 0


def sideways_overflow(page: Page) -> int:
    """How many pixels the page scrolls sideways."""
    return page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")


def test_on_a_phone_no_page_scrolls_sideways_and_search_and_log_out_are_on_screen(browser, app_url):
    page, ws = signed_in_owner(browser, app_url, PHONE)
    wide = []
    for path, loaded in main_pages(ws):
        page.goto(f"{app_url}{path}")
        expect(page.locator(loaded).first).to_be_attached(timeout=TIMEOUT)
        if sideways_overflow(page) > 0:
            wide.append(f"{path} (+{sideways_overflow(page)} px)")
        assert in_viewport(page, "#user-menu"), f"the user menu is off screen on {path}"
    assert wide == [], f"pages that scroll sideways at 390 px: {wide}"

    page.goto(f"{app_url}/dashboard")
    search = page.get_by_role("searchbox", name="Search")
    if not search.is_visible():
        page.get_by_role("button", name="Search").click()
    expect(search).to_be_visible(timeout=TIMEOUT)
    search.fill("Nora")
    hit = page.locator(".search-hit").first
    expect(hit).to_contain_text("Nora Lind", timeout=TIMEOUT)
    assert in_viewport(page, ".search-hit")
    assert sideways_overflow(page) <= 0
    hit.click()
    expect(page.locator("#record-name")).to_have_text("Nora Lind", timeout=TIMEOUT)

    page.click("#user-menu")
    log_out = page.get_by_role("menuitem", name="Log out")
    expect(log_out).to_be_visible(timeout=TIMEOUT)
    assert in_viewport(page, "#menu-logout")
    log_out.click()
    page.wait_for_url("**/login*", timeout=TIMEOUT)
    page.context.close()


def test_at_1440_px_the_audit_trail_fits_the_screen(browser, app_url):
    owner = factories.signup("Audit Width Ltd", "wide")
    long_word = "a" * 60 + "." + "b" * 60 + "@very-long-subdomain-of-a-client.example"
    with factories.scoped(owner) as session:
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Wanda", "Wide", long_word)
        )
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{app_url}/settings/audit")
    expect(page.locator("#audit-table")).to_contain_text("Contact created", timeout=TIMEOUT)
    assert sideways_overflow(page) <= 0
    # The table's box, and the table inside it (which would otherwise scroll within the box,
    # hiding its last columns behind a scrollbar).
    box_right, table_right = page.evaluate(
        """() => {
          const box = document.getElementById('audit-table');
          const table = box.tagName === 'TABLE' ? box : box.querySelector('table');
          return [box.getBoundingClientRect().right, table.getBoundingClientRect().right];
        }"""
    )
    assert box_right <= 1440, "the audit table runs off the page"
    assert table_right <= box_right + 1, f"the table is {table_right - box_right:.0f} px too wide"
    page.context.close()


def test_on_a_short_screen_the_sidebar_runs_the_page_length_and_scrolls_to_its_last_item(
    browser, app_url
):
    page, _ws = signed_in_owner(browser, app_url, {"width": 1280, "height": 560})
    page.goto(f"{app_url}/settings")
    expect(page.locator("#settings-profile")).to_be_visible(timeout=TIMEOUT)
    page.mouse.wheel(0, 5000)
    page.wait_for_function("() => window.scrollY > 0")
    sidebar = page.get_by_role("navigation", name="Main")
    reach = page.evaluate(
        "el => el.getBoundingClientRect().bottom + window.scrollY"
        " - document.scrollingElement.scrollHeight",
        sidebar.element_handle(),
    )
    assert reach >= -1, "the sidebar's background stops before the end of the page"
    settings = sidebar.get_by_role("link", name="Settings")
    settings.scroll_into_view_if_needed()
    assert in_viewport(page, "#nav-settings"), "the last sidebar item cannot be reached"
    page.context.close()


def test_no_developer_widget_and_a_notice_only_while_the_connection_is_lost(browser, app_url):
    owner = factories.signup("Offline Ltd", "offline")
    context = browser.new_context()
    page = context.new_page()
    sockets = []  # the app's websockets, passed through to the server so they can be cut
    page.route_web_socket(re.compile(r"/_event"), lambda ws: sockets.append(ws.connect_to_server()))
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Ping", exact=True)).to_have_count(0)
    expect(page.get_by_text("Live", exact=True)).to_have_count(0)
    notice = page.get_by_role("status").filter(has_text="Reconnecting")
    expect(notice).to_have_count(0)

    context.set_offline(True)  # the network goes away and the server's side hangs up
    for socket in sockets:
        socket.close()
    # A reconnect attempt may hang until socket.io gives up on it (its 20 s connect timeout).
    expect(notice).to_be_visible(timeout=45_000)
    expect(page.get_by_text(re.compile("Cannot connect to server|ws://"))).to_have_count(0)
    context.set_offline(False)
    expect(notice).to_have_count(0, timeout=TIMEOUT)
    context.close()


def test_favicon_is_served_and_linked(app_url):
    with urllib.request.urlopen(f"{app_url}/favicon.ico", timeout=10) as response:
        assert response.status == 200
        body = response.read()
    assert body[:4] == b"\x00\x00\x01\x00", "not an .ico file"


def test_an_unknown_address_shows_the_apps_own_page_with_a_way_back(browser, app_url):
    page = browser.new_context().new_page()
    page.goto(f"{app_url}/no/such/page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("404: Page not found")).to_have_count(0)
    expect(page).to_have_title(re.compile("Tandem"))
    expect(page.locator("link[rel=icon]")).to_have_attribute("href", "/favicon.ico")
    page.get_by_role("link", name=re.compile("Back to Tandem")).click()
    page.wait_for_url(re.compile(r"/(login|dashboard)"), timeout=TIMEOUT)
    page.context.close()
