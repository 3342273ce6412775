"""The dashboard: the pipeline chart (empty and full) and the next steps being ticked off."""

from __future__ import annotations

from playwright.sync_api import expect

from crmapp.services.crm import basic_records
from crmapp.services.tenancy import invitations
from tests import factories
from tests.e2e.pages import TIMEOUT, log_in


def test_empty_chart_has_no_negative_axis_and_next_steps_tick_off(browser, app_url):
    owner = factories.signup("Fresh Start")
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)

    chart = page.locator("#stage-chart")
    expect(chart.locator(".ytick text")).to_have_count(4, timeout=TIMEOUT)  # drawn: 4 stages
    ticks = [tick.text_content() or "" for tick in chart.locator(".xtick text").all()]
    assert not [t for t in ticks if "−" in t or "-" in t], ticks  # no negative money
    expect(chart.get_by_text("No open deals yet")).to_be_visible()
    expect(page.locator("#step-contacts")).to_contain_text("Add your contacts")
    expect(page.locator("#step-contacts .step-done")).to_have_count(0)
    expect(page.locator("#step-invite .step-done")).to_have_count(0)

    with factories.scoped(owner) as session:
        basic_records.create_contact(session, owner.actor, basic_records.ContactInput("Nadia"))
        invitations.create_invitation(session, owner.actor, factories.email("team"), "member")
    page.reload()
    expect(page.locator("#step-contacts .step-done")).to_have_text("Done", timeout=TIMEOUT)
    expect(page.locator("#step-invite .step-done")).to_have_text("Done")
    expect(page.locator("#step-proposals .step-done")).to_have_count(0)
    context.close()


def test_a_short_bar_keeps_its_label_upright(browser, app_url):
    owner = factories.signup("Long And Short")
    with factories.scoped(owner) as session:  # the demo's proportions: Qualified is a sliver
        basic_records.create_deal(
            session, owner.actor, title="Website", value="48000", stage="Proposal"
        )
        basic_records.create_deal(
            session, owner.actor, title="Retainer", value="3500", stage="Qualified"
        )
        basic_records.create_deal(
            session, owner.actor, title="Refresh", value="22000", stage="Negotiation"
        )
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)

    labels = page.locator("#stage-chart text.bartext")
    expect(labels).to_have_count(3, timeout=TIMEOUT)  # an empty stage's bar has no label
    assert [label.text_content() for label in labels.all()] == ["1 deal"] * 3
    for label in labels.all():
        transform = label.get_attribute("transform") or ""
        assert "rotate(" not in transform or "rotate(0" in transform, transform
    ticks = [t.text_content() or "" for t in page.locator("#stage-chart .xtick text").all()]
    assert ticks and ticks[0] == "$0" and not [t for t in ticks if "−" in t], ticks
    context.close()
