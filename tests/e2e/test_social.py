"""Social publishing end to end: an Owner requires approval and adds two sandbox accounts; a
Member writes one post for both and submits it; the Owner approves it from another browser and
publishes it; the worker publishes it to both sandbox feeds. The time the Member picked before
submitting travels with the review (approval schedules it), and a Member's edit after approval
is not published by "Publish now" (it says the post needs review again)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.e2e.pages import PASSWORD, TIMEOUT, pick, sign_up, unique_email

PUBLISH_TIMEOUT = 45_000


def test_compose_for_two_sandbox_accounts_approve_as_another_user_and_see_it_publish(
    browser, app_url
):
    owner_ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    owner = owner_ctx.new_page()
    sign_up(owner, app_url, name="Sam Social", email=unique_email("sam"), org="Sam Social Co")

    owner.goto(f"{app_url}/social/accounts")
    expect(owner.locator("#social-approvals")).to_be_visible(timeout=TIMEOUT)
    owner.click("#social-approvals")
    for name in ("Harbour News", "Harbour Deals"):
        owner.fill("#sandbox-name", name)
        owner.click("#sandbox-add")
        expect(owner.locator(".social-account", has_text=name)).to_be_visible(timeout=TIMEOUT)
    expect(owner.locator(".account-sandbox")).to_have_count(2)

    owner.goto(f"{app_url}/settings")
    owner.fill("#invite-email", member_email := unique_email("mia"))
    pick(owner, "#invite-role", "Member")
    owner.click("#invite-submit")
    link = owner.locator("#invite-link")
    expect(link).to_contain_text("/invite/", timeout=TIMEOUT)
    invite_url = link.inner_text()

    member_ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    member = member_ctx.new_page()
    member.goto(invite_url)
    member.fill("#name", "Mia Member")
    member.fill("#password", PASSWORD)
    member.click("#invite-join")
    expect(member.locator("#dashboard-title")).to_contain_text("Mia Member", timeout=TIMEOUT)
    assert member_email

    member.goto(f"{app_url}/social/composer")
    chips = member.locator("[id^='social-account-']")
    expect(chips).to_have_count(2, timeout=TIMEOUT)
    chips.nth(0).click()
    chips.nth(1).click()
    text = "Harbour museum bookings are live: three taps from the quay to your ticket."
    member.fill("#social-text", text)
    expect(member.locator("#social-count-sandbox")).to_contain_text(str(len(text)), timeout=TIMEOUT)
    member.click("#social-assist-hashtags")  # AI assist (the offline writer here)
    expect(member.locator("#social-assist-note")).to_contain_text("offline", timeout=TIMEOUT)
    expect(member.locator("#social-text")).to_have_value(re.compile(r"#Harbour"), timeout=TIMEOUT)
    text = member.locator("#social-text").input_value()
    member.click("#social-save")
    member.wait_for_url(re.compile(r".*/social/posts/[0-9a-f-]{36}$"), timeout=TIMEOUT)
    post_url = member.url
    expect(member.locator("#social-post-state")).to_have_text("draft", timeout=TIMEOUT)  # loaded
    # The time is chosen, then the post goes to review (no "Schedule" click in between).
    day = date.today() + timedelta(days=3)
    member.fill("#social-schedule-date", day.isoformat())
    member.fill("#social-schedule-time", "09:00")
    member.click("#social-submit")
    targets = member.locator("[id^='social-target-']")
    expect(targets).to_have_count(2, timeout=TIMEOUT)
    for i in range(2):
        expect(targets.nth(i)).to_contain_text("review", timeout=TIMEOUT)
    expect(member.locator("#social-approve")).to_have_count(0)  # a Member cannot approve

    owner.goto(post_url)
    expect(owner.locator("#social-approve")).to_be_visible(timeout=TIMEOUT)
    expect(owner.locator("#social-scheduled-at")).to_contain_text("09:00")  # the time travelled
    owner.click("#social-approve")
    for i in range(2):
        expect(owner.locator("[id^='social-target-']").nth(i)).to_contain_text(
            "scheduled", timeout=TIMEOUT
        )

    # A Member's edit of the approved post cannot be published as is: the button says why.
    member.reload()
    expect(member.locator("#social-publish-now")).to_be_visible(timeout=TIMEOUT)
    member.get_by_label("Post text").fill(text + " Edited after approval.")
    member.click("#social-publish-now")
    expect(member.locator("#social-error")).to_contain_text("review", timeout=TIMEOUT)
    expect(member.get_by_text("Publishing now.")).to_have_count(0)
    for i in range(2):
        expect(targets.nth(i)).to_contain_text("scheduled")

    owner.click("#social-publish-now")
    for i in range(2):
        expect(owner.locator("[id^='social-target-']").nth(i)).to_contain_text(
            "published", timeout=PUBLISH_TIMEOUT
        )

    member.reload()
    expect(member.locator("[id^='social-target-']").first).to_contain_text(
        "published", timeout=TIMEOUT
    )
    owner.goto(f"{app_url}/social/accounts")
    owner.locator(".social-account", has_text="Harbour News").locator(".account-feed").click()
    expect(owner.locator("#sandbox-banner")).to_be_visible(timeout=TIMEOUT)
    expect(owner.locator(".feed-post")).to_contain_text([text], timeout=TIMEOUT)
    owner_ctx.close()
    member_ctx.close()
