"""A picture attached in the composer reaches every network: a PNG uploaded to the library, on a
post published by the real engine (`publishing.publish_due`), arrives at each network's local
fake the way that network takes media — uploaded bytes (X, LinkedIn, Mastodon, Bluesky), a
public URL the network downloads (Facebook, Instagram: the fake downloads it through Tandem's
own `/api/media` endpoint), or, for the sandbox, on its feed."""

from __future__ import annotations

import io
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PIL import Image

from crmapp.api.media import api as media_api
from crmapp.services.social import accounts, feed, http, library, posts, publishing, review
from crmapp.services.social.base import Identity, TokenSet
from crmapp.services.social.posts import PostInput
from crmapp.services.social.providers import bluesky
from crmapp.services.social.providers.instagram import InstagramProvider
from crmapp.settings import get_settings
from tests import aio, factories
from tests.fakes.bluesky_fake import FakeBluesky
from tests.fakes.linkedin_fake import FakeLinkedIn
from tests.fakes.mastodon_fake import FakeMastodon
from tests.fakes.meta_fake import APP_ID, APP_SECRET, FakeMeta
from tests.fakes.x_fake import FakeX

PAGE, IG, PERSON = "111", "17840000000000001", "8675309"


def png(width: int = 120, height: int = 100) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


PNG = png()


def fetch(url: str) -> bytes:
    """Download a media URL the way a network does, through Tandem's `/api/media` endpoint."""
    parts = urllib.parse.urlsplit(url)

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=media_api)
        async with httpx.AsyncClient(transport=transport, base_url="http://tandem") as client:
            return await client.get(parts.path + (f"?{parts.query}" if parts.query else ""))

    answer = aio.run(get())
    if answer.status_code != 200:
        raise LookupError(f"{url} answered {answer.status_code}")
    return answer.content


def _settings_changed() -> None:
    get_settings.cache_clear()
    http.reset_client()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    monkeypatch.undo()
    _settings_changed()


def _account(owner, network: str, identity: Identity):
    with factories.scoped(owner) as session:
        return accounts.save_identity(session, owner.actor, network, identity)


def _tokens(access: str, refresh: str = "") -> TokenSet:
    return TokenSet(access, refresh, datetime.now(UTC) + timedelta(hours=2))


def _publish(owner, account, *, text: str = "Harbour open day: come aboard.") -> list:
    """A post with the PNG attached, published by the engine; its targets afterwards."""
    with factories.scoped(owner) as session:
        asset = library.add_asset(session, owner.actor, PNG, "harbour.png")
        data = PostInput(text=text, account_ids=[account.id], media_ids=[asset.id])
        post = posts.create_post(session, owner.actor, data)
        review.submit(session, owner.actor, post.id)
        review.publish_now(session, owner.actor, post.id)
    outcome = publishing.publish_due(owner.actor.org_id)
    with factories.scoped(owner) as session:
        done = posts.targets_of(session, post.id)
    assert outcome == {"published": 1}, [t.last_error for t in done]
    return done


def test_x_uploads_the_picture_and_attaches_it_to_the_post(env):
    fake = FakeX(client_id="x-client").start()
    env.setenv("TANDEM_X_API_BASE", fake.base_url)
    env.setenv("TANDEM_X_CLIENT_ID", "x-client")
    _settings_changed()
    try:
        owner = factories.signup()
        tokens = _tokens(fake.issue_token(), fake.issue_refresh())
        account = _account(
            owner, "x", Identity("user", "2244994945", "@harbour", "Harbour", tokens)
        )
        (target,) = _publish(owner, account)
        tweet = fake.tweets[target.remote_id]
        (media_id,) = tweet["media_ids"]
        assert fake.media[media_id]["data"] == PNG
    finally:
        fake.stop()


def test_linkedin_uploads_the_picture_and_the_post_carries_its_urn(env):
    fake = FakeLinkedIn(client_id="li-client", client_secret="li-secret").start()
    for name, value in (
        ("API_BASE", fake.base_url),
        ("OAUTH_BASE", fake.base_url),
        ("CLIENT_ID", "li-client"),
        ("CLIENT_SECRET", "li-secret"),
        ("VERSION", "202601"),
    ):
        env.setenv(f"TANDEM_LINKEDIN_{name}", value)
    _settings_changed()
    try:
        owner = factories.signup()
        tokens = _tokens(fake.issue_token(PERSON), fake.issue_refresh(PERSON))
        identity = Identity("person", PERSON, "Ada Lovelace", "Ada Lovelace", tokens)
        (target,) = _publish(owner, _account(owner, "linkedin", identity))
        post = fake.posts[target.remote_id]
        urn = post["content"]["media"]["id"]
        assert fake.images[urn]["data"] == PNG
    finally:
        fake.stop()


def test_mastodon_uploads_the_picture_and_the_status_carries_it():
    fake = FakeMastodon().start()
    try:
        owner = factories.signup()
        identity = Identity(
            "user",
            fake.alice["id"],
            "@alice",
            "Alice",
            _tokens(fake.alice_token),
            base_url=fake.base_url + "/",
        )
        (target,) = _publish(owner, _account(owner, "mastodon", identity))
        status = fake.statuses[target.remote_id]
        (attached,) = status["media_attachments"]
        assert fake.media[attached["id"]]["_data"] == PNG
    finally:
        fake.stop()


def test_bluesky_uploads_the_picture_as_a_blob_and_embeds_it(env):
    fake = FakeBluesky().start()
    env.setenv("TANDEM_BLUESKY_PDS", fake.base_url)
    _settings_changed()
    try:
        owner = factories.signup()
        identity = bluesky.create_session("", "@alice.test", "app-pass-1234")
        (target,) = _publish(owner, _account(owner, "bluesky", identity))
        record = fake.records[target.remote_id]["value"]
        (image,) = record["embed"]["images"]
        ref = image["image"]["ref"]["$link"]
        assert fake.blob_data[ref] == PNG
    finally:
        fake.stop()


@pytest.fixture
def meta(env) -> Iterator[FakeMeta]:
    fake = FakeMeta().start()
    fake.fetch = fetch  # Meta downloads the media from the URL in the request
    for name, value in (
        ("GRAPH_BASE", fake.base_url),
        ("OAUTH_BASE", "https://fb.example"),
        ("GRAPH_VERSION", "v23.0"),
        ("APP_ID", APP_ID),
        ("APP_SECRET", APP_SECRET),
    ):
        env.setenv(f"TANDEM_META_{name}", value)
    env.setattr(InstagramProvider, "poll_interval", 0.01)
    _settings_changed()
    yield fake
    fake.stop()


def test_facebook_gets_a_url_it_can_download_the_picture_from(meta):
    owner = factories.signup()
    token = meta.add_page(PAGE, "Harbour Works")
    identity = Identity("page", PAGE, "Harbour Works", "Harbour Works", TokenSet(token))
    (target,) = _publish(owner, _account(owner, "facebook", identity))
    (photo_id,) = meta.posts[target.remote_id]["photos"]
    assert meta.photos[photo_id]["data"] == PNG


def test_instagram_gets_a_jpeg_of_the_png_it_can_download(meta):
    owner = factories.signup()
    token = meta.add_page(PAGE, "Harbour Works", ig_id=IG, ig_username="harbourworks")
    identity = Identity(
        "instagram_business",
        IG,
        "harbourworks",
        "Harbour Works",
        TokenSet(token),
        extra={"page_id": PAGE},
    )
    (target,) = _publish(owner, _account(owner, "instagram", identity))
    container = next(c for c in meta.containers.values() if c["published"])
    data = container["data"]
    assert data.startswith(b"\xff\xd8\xff"), "Instagram takes JPEG pictures only"
    with Image.open(io.BytesIO(data)) as picture:
        assert picture.size == (120, 100)
    assert target.remote_id in meta.ig_media


def test_the_sandbox_feed_shows_the_picture():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        account = accounts.connect_sandbox(session, owner.actor, name="Harbour")
    (target,) = _publish(owner, account)
    with factories.scoped(owner) as session:
        (item,) = feed.sandbox_feed(session, owner.actor, account.id)
    (picture,) = item["media"]
    assert picture["kind"] == "image" and picture["alt"]
    assert fetch(picture["url"]) == PNG
    assert item["remote_id"] == target.remote_id
