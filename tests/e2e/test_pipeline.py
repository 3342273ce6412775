"""Deals on the board: drag between stages, persisted, undoable; Viewers cannot drag."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.pages import TIMEOUT, log_in, sign_up, unique_email


def drag(page: Page, source, target) -> None:
    """Drag with real pointer events, in steps (dnd-kit needs movement to start a drag)."""
    box = source.bounding_box()
    goal = target.bounding_box()
    source.hover()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + box["height"] / 2, steps=5)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 60, steps=15)
    page.mouse.up()


def column(page: Page, name: str):
    return page.locator(f'.kanban-column[data-stage-name="{name}"]')


def test_drag_a_deal_to_another_stage_persists_and_undoes(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_up(page, app_url, name="Dana Dealer", email=unique_email("dana"), org="Dana Deals")

    page.goto(f"{app_url}/crm/deals")
    page.click("#new-deal")
    page.fill("#deal-title", "Harbour redesign")
    page.fill("#deal-value", "18,000")
    page.click("#deal-save")
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=TIMEOUT)  # closed, not fading
    card = page.locator(".kanban-card", has_text="Harbour redesign")
    expect(column(page, "Lead").locator(".kanban-card")).to_have_count(1, timeout=TIMEOUT)
    expect(column(page, "Lead").locator(".kanban-total")).to_have_text("18,000 USD")

    drag(page, card, column(page, "Negotiation"))
    expect(page.locator("#move-summary")).to_have_text(
        "Moved “Harbour redesign” from Lead to Negotiation.", timeout=TIMEOUT
    )
    expect(column(page, "Negotiation").locator(".kanban-card")).to_have_count(1)
    expect(column(page, "Lead").locator(".kanban-card")).to_have_count(0)

    page.reload()
    expect(column(page, "Negotiation").locator(".kanban-card-title")).to_have_text(
        ["Harbour redesign"], timeout=TIMEOUT
    )
    expect(column(page, "Negotiation").locator(".kanban-count")).to_have_text("1")

    drag(page, column(page, "Negotiation").locator(".kanban-card"), column(page, "Won"))
    expect(page.locator("#move-summary")).to_contain_text("to Won", timeout=TIMEOUT)
    page.click("#move-undo")
    expect(column(page, "Negotiation").locator(".kanban-card")).to_have_count(1, timeout=TIMEOUT)
    expect(column(page, "Won").locator(".kanban-card")).to_have_count(0)
    context.close()


def test_viewer_sees_the_board_but_cannot_drag(browser, app_url):
    from crmapp.services.crm import basic_records
    from tests import factories

    owner = factories.signup("Glass Walls")
    viewer = factories.member(owner, "viewer")
    with factories.scoped(owner) as session:
        basic_records.create_deal(session, owner.actor, title="Look, don't touch", value="700")

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    log_in(page, app_url, viewer.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{app_url}/crm/deals")
    expect(page.locator("#board-readonly")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#new-deal")).to_be_disabled()
    card = column(page, "Lead").locator(".kanban-card")
    expect(card).to_have_count(1, timeout=TIMEOUT)

    drag(page, card, column(page, "Won"))
    page.wait_for_timeout(500)
    expect(column(page, "Lead").locator(".kanban-card")).to_have_count(1)
    expect(column(page, "Won").locator(".kanban-card")).to_have_count(0)
    expect(page.locator("#move-summary")).to_have_count(0)
    context.close()


def test_an_admin_adds_and_orders_a_stage_and_the_board_shows_it(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_up(page, app_url, name="Stan Stages", email=unique_email("stan"), org="Stan Stages")

    page.goto(f"{app_url}/crm/deals")
    page.click("#edit-stages")
    names = page.locator(".stage-name input")
    expect(names).to_have_count(6, timeout=TIMEOUT)
    page.fill(".new-stage-name input", "Discovery")
    page.click(".add-stage")
    expect(names).to_have_count(7, timeout=TIMEOUT)
    row = page.locator(".stage-row").nth(4)
    expect(row.locator(".stage-name input")).to_have_value("Discovery")
    for position in (3, 2, 1):
        page.locator(".stage-row").nth(position + 1).get_by_label("Move up").click()
        expect(page.locator(".stage-row").nth(position).locator(".stage-name input")).to_have_value(
            "Discovery", timeout=TIMEOUT
        )
    page.fill(".new-stage-name input", "lead")
    page.click(".add-stage")
    expect(page.locator(".pipeline-error")).to_contain_text("share a name", timeout=TIMEOUT)

    page.goto(f"{app_url}/crm/deals")
    expect(page.locator(".kanban-column")).to_have_count(7, timeout=TIMEOUT)
    stages = [
        page.locator(".kanban-column").nth(i).get_attribute("data-stage-name") for i in range(3)
    ]
    assert stages == ["Lead", "Discovery", "Qualified"]
    context.close()


def test_a_card_opens_its_deal_on_click_or_enter_and_new_deal_takes_contact_and_company(
    browser, app_url
):
    from crmapp.services.crm import records
    from tests import factories

    owner = factories.signup("Board Clicks")
    with factories.scoped(owner) as session:
        company = records.save_record(
            session, owner.actor, "company", None, {"name": "Harbour Lights"}
        )
        records.save_record(
            session,
            owner.actor,
            "contact",
            None,
            {"first_name": "Hana", "last_name": "Hale", "company_id": str(company.id)},
        )
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)

    page.goto(f"{app_url}/crm/deals")
    page.click("#new-deal")
    page.fill("#deal-title", "Harbour refit")
    page.fill("#deal-value", "lots")
    page.select_option("#deal-contact-id", label="Hana Hale")
    page.select_option("#deal-company-id", label="Harbour Lights")
    page.click("#deal-save")
    expect(page.locator("#deal-value-error")).to_contain_text("positive number", timeout=TIMEOUT)
    page.fill("#deal-value", "12,500")
    page.click("#deal-save")
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=TIMEOUT)
    card = column(page, "Lead").locator(".kanban-card", has_text="Harbour refit")
    expect(card).to_contain_text("12,500 USD · Harbour Lights", timeout=TIMEOUT)

    drag(page, card, column(page, "Qualified"))  # a drag moves the card, it does not open it
    expect(page.locator("#move-summary")).to_contain_text("to Qualified", timeout=TIMEOUT)
    moved = column(page, "Qualified").locator(".kanban-card", has_text="Harbour refit")
    expect(moved).to_have_count(1)
    moved.click()
    expect(page.locator("#record-name")).to_have_text("Harbour refit", timeout=TIMEOUT)
    assert "/crm/deals/" in page.url
    expect(page.locator("#record-badge")).to_have_text("Qualified")
    expect(page.locator("#related")).to_contain_text("Hana Hale")
    expect(page.locator("#related")).to_contain_text("Harbour Lights")

    page.goto(f"{app_url}/crm/deals")
    moved = column(page, "Qualified").locator(".kanban-card", has_text="Harbour refit")
    moved.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#record-name")).to_have_text("Harbour refit", timeout=TIMEOUT)
    context.close()


def test_a_viewer_can_open_a_deal_from_the_board(browser, app_url):
    from crmapp.services.crm import basic_records
    from tests import factories

    owner = factories.signup("Read Only Board")
    viewer = factories.member(owner, "viewer")
    with factories.scoped(owner) as session:
        basic_records.create_deal(session, owner.actor, title="Peek inside", value="900")
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    log_in(page, app_url, viewer.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{app_url}/crm/deals")
    column(page, "Lead").locator(".kanban-card", has_text="Peek inside").click()
    expect(page.locator("#record-name")).to_have_text("Peek inside", timeout=TIMEOUT)
    context.close()
