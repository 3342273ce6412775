"""The composer in the browser: a PNG attached in the composer is on the sandbox feed once
published; AI assist offers a caption beside the text (insert or replace, with undo) and
hashtags that keep words whole; Instagram asks for its format and crops a picture for a story;
the Accounts page speaks to admins and members in their own terms and labels a sandbox account
once; the pages still to come say what is coming."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from PIL import Image
from playwright.sync_api import expect

from crmapp.services.social import accounts
from crmapp.services.social.base import Identity, TokenSet
from tests import factories
from tests.e2e.pages import (
    TIMEOUT,
    add_sandbox_account,
    join_by_invitation,
    log_in,
    sign_up,
    unique_email,
)

PUBLISH_TIMEOUT = 45_000


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (20, 110, 190)).save(out, format="PNG")
    return out.getvalue()


def test_a_png_attached_in_the_composer_is_on_the_sandbox_feed(browser, app_url):
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_up(page, app_url, name="Pia Pictures", email=unique_email("pia"), org="Quay Photos")
    add_sandbox_account(page, app_url, "Quay Photos")

    page.goto(f"{app_url}/social/composer")
    page.locator("[id^='social-account-']").first.click()
    page.get_by_label("Post text").fill("The new quay at dawn.")
    page.locator("#social-upload input[type=file]").set_input_files(
        files=[{"name": "quay.png", "mimeType": "image/png", "buffer": _png()}]
    )
    expect(page.locator("#social-media .media-item img")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#social-preview-sandbox .sp-media img")).to_be_visible(timeout=TIMEOUT)
    page.click("#social-publish-now")
    page.wait_for_url(re.compile(r".*/social/posts/[0-9a-f-]{36}$"), timeout=TIMEOUT)
    expect(page.locator("[id^='social-target-']").first).to_contain_text(
        "published", timeout=PUBLISH_TIMEOUT
    )

    page.goto(f"{app_url}/social/accounts")
    page.locator(".social-account", has_text="Quay Photos").locator(".account-feed").click()
    post = page.locator(".feed-post", has_text="The new quay at dawn.")
    picture = post.get_by_role("img", name="quay.png")
    expect(picture).to_be_visible(timeout=TIMEOUT)
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth === 320", arg=picture.element_handle()
    )


def test_caption_from_text_is_offered_beside_the_text_and_can_be_undone(browser, app_url):
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_up(page, app_url, name="Cal Caption", email=unique_email("cal"), org="Northwind Tours")
    add_sandbox_account(page, app_url, "Northwind Tours")
    page.goto(f"{app_url}/social/composer")
    page.locator("[id^='social-account-']").first.click()
    text_box = page.get_by_label("Post text")
    brief = "Northwind's harbour tours start on Monday. Book a seat on the first boat out."
    text_box.fill(brief)

    page.get_by_role("button", name="Caption from text").click()
    suggestion = page.locator("#social-assist-suggestion")
    expect(suggestion).to_be_visible(timeout=TIMEOUT)
    caption = suggestion.locator("#social-assist-caption-text").inner_text()
    assert caption.strip()
    expect(text_box).to_have_value(brief)  # nothing replaced until the author says so

    suggestion.get_by_role("button", name="Insert below the text").click()
    expect(text_box).to_have_value(re.compile(re.escape(brief) + r"\s+" + re.escape(caption)))
    page.get_by_role("button", name="Undo").click()
    expect(text_box).to_have_value(brief)

    page.get_by_role("button", name="Caption from text").click()
    expect(suggestion).to_be_visible(timeout=TIMEOUT)
    suggestion.get_by_role("button", name="Replace the text").click()
    expect(text_box).to_have_value(caption)
    page.get_by_role("button", name="Undo").click()
    expect(text_box).to_have_value(brief)

    page.get_by_role("button", name="Hashtags").click()
    expect(text_box).to_have_value(re.compile(r"#Northwind\b"), timeout=TIMEOUT)
    assert "#NorthwindS" not in text_box.input_value()


def test_accounts_page_speaks_to_each_role_and_labels_a_sandbox_once(browser, app_url):
    owner = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_up(owner, app_url, name="Ola Owner", email=unique_email("ola"), org="Harbour Hall")
    add_sandbox_account(owner, app_url, "Harbour Hall")

    card = owner.locator(".social-account", has_text="Harbour Hall")
    expect(card.get_by_text("Sandbox", exact=True)).to_have_count(1)
    expect(card).not_to_contain_text("(sandbox)")

    # Each network is offered as its class connects: a button, a server form, an app password.
    expect(owner.get_by_role("button", name="Connect Facebook Page")).to_be_visible()
    server = owner.get_by_label("Your Mastodon server")
    expect(server).to_have_attribute("placeholder", "mastodon.social")
    server.fill("   ")
    owner.click("#mastodon-connect")
    expect(owner.locator("#mastodon-error")).to_contain_text("Enter your Mastodon server")
    expect(owner.get_by_label("Bluesky handle")).to_have_attribute("placeholder", "you.bsky.social")
    expect(owner.get_by_label("Bluesky app password")).to_be_visible()

    hint = owner.locator("#connect-x-hint")
    expect(hint).to_contain_text("TANDEM_X_CLIENT_ID")
    hint.get_by_role("link").click()
    expect(owner.locator("#help-section")).to_contain_text("TANDEM_X_CLIENT_ID", timeout=TIMEOUT)

    member = join_by_invitation(browser, owner, app_url, role="Member", name="Mo Member")
    member.goto(f"{app_url}/social/accounts")
    member_hint = member.locator("#connect-x-hint")
    expect(member_hint).to_contain_text("not configured on this server", timeout=TIMEOUT)
    expect(member_hint).to_contain_text("ask your administrator")
    expect(member.locator("body")).not_to_contain_text("TANDEM_")

    for path in ("/social/inbox", "/social/analytics"):
        member.goto(f"{app_url}{path}")
        expect(member.get_by_text("is on its way")).to_be_visible(timeout=TIMEOUT)
        expect(member.locator("body")).not_to_contain_text(re.compile(r"publishing work|built by"))


def test_instagram_asks_for_its_format_and_crops_the_picture_for_a_story(browser, app_url):
    owner = factories.signup("Lumen Studio", prefix="ines")
    tokens = TokenSet("ig-token", "", datetime.now(UTC) + timedelta(days=50))
    identity = Identity("instagram_business", "17841400001", "lumen.studio", "Lumen Grams", tokens)
    with factories.scoped(owner) as session:
        accounts.save_identity(session, owner.actor, "instagram", identity)
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    log_in(page, app_url, owner.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)

    page.goto(f"{app_url}/social/composer")
    expect(page.get_by_label("Format")).to_have_count(0)  # no network with formats chosen yet
    page.locator("[id^='social-account-']", has_text="lumen.studio").click()
    fmt = page.get_by_label("Format")
    expect(fmt.locator("option")).to_have_text(
        ["Instagram: Feed post", "Instagram: Reel", "Instagram: Story", "Instagram: Carousel"]
    )
    page.locator("#social-upload input[type=file]").set_input_files(
        files=[{"name": "lamp.png", "mimeType": "image/png", "buffer": _png()}]
    )
    crops = page.locator("#social-crops")
    expect(crops).to_contain_text("Instagram crop", timeout=TIMEOUT)
    expect(crops).to_contain_text("Fits Instagram")  # 4:3 is a feed post's ratio

    fmt.select_option(label="Instagram: Story")  # 9:16: the picture needs a crop
    apply = crops.get_by_role("button", name="Apply crop")
    expect(apply).to_be_visible(timeout=TIMEOUT)
    apply.click()
    expect(page.get_by_text("Crop applied: Instagram gets the cropped picture.")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(crops).to_contain_text("Crop applied")
