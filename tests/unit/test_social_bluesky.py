"""Bluesky provider against the local fake PDS (contract §6)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from crmapp.services.social import http
from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    Connect,
    MediaItem,
    NormalizedPost,
    RateLimited,
    Rejected,
    Transient,
)
from crmapp.services.social.providers import bluesky, bluesky_text
from crmapp.services.social.providers.bluesky import BlueskyProvider
from crmapp.services.social.registry import provider_class
from crmapp.settings import get_settings
from tests.fakes.bluesky_fake import TID, FakeBluesky
from tests.fakes.http_fake import Reply

pytestmark = pytest.mark.unit

FACET = "app.bsky.richtext.facet"


@pytest.fixture
def fake(monkeypatch) -> Iterator[FakeBluesky]:
    server = FakeBluesky().start()
    monkeypatch.setenv("TANDEM_BLUESKY_PDS", server.base_url)
    get_settings.cache_clear()
    yield server
    server.stop()
    get_settings.cache_clear()


@pytest.fixture
def account(fake: FakeBluesky) -> AccountAuth:
    identity = bluesky.create_session("", "@alice.test", "app-pass-1234")
    return AccountAuth(
        network="bluesky",
        remote_id=identity.remote_id,
        handle=identity.handle,
        base_url=identity.base_url,
        access_token=identity.tokens.access_token,
        refresh_token=identity.tokens.refresh_token,
        expires_at=identity.tokens.expires_at,
    )


@pytest.fixture
def provider() -> BlueskyProvider:
    return BlueskyProvider()


def post(text: str = "Hello sky", **kw) -> NormalizedPost:
    kw.setdefault("idempotency_key", "target-7")
    return NormalizedPost(text=text, **kw)


def test_registered_with_its_limits():
    cls = provider_class("bluesky")
    assert cls is BlueskyProvider
    assert (cls.text_rules.limit, cls.text_rules.max_bytes) == (300, 3000)
    assert (cls.threads, cls.can_lookup, cls.idempotent) == (True, True, True)
    assert cls.connect is Connect.APP_PASSWORD


def test_create_session_uses_the_default_pds_and_the_jwt_expiry(fake, account):
    assert account.base_url == fake.base_url
    assert account.remote_id == fake.alice["did"] and account.handle == "alice.test"
    expected = datetime.now(UTC) + timedelta(seconds=fake.access_ttl)
    assert account.expires_at is not None
    assert abs((account.expires_at - expected).total_seconds()) < 5
    assert account.access_token in fake.access and account.refresh_token in fake.refresh


def test_wrong_password_and_main_password_are_explained(fake):
    with pytest.raises(Rejected, match="handle or app password is wrong"):
        bluesky.create_session(fake.base_url, "alice.test", "nope")
    with pytest.raises(Rejected, match="use an app password"):
        bluesky.create_session(fake.base_url, "alice.test", "hunter2")
    assert bluesky.jwt_expiry("not-a-jwt") > datetime.now(UTC) + timedelta(minutes=119)


def test_link_facet_uses_utf8_byte_offsets_after_emoji_and_accents(fake, account, provider):
    prefix = "Café déjà vu 👍🏽 see "
    text = prefix + "https://example.com/a?b=1. Done"
    result = provider.publish(post(text), account)
    [stored] = fake.posts()
    [facet] = stored["value"]["facets"]
    start = len(prefix.encode("utf-8"))
    assert start != len(prefix)  # the test means something only if bytes differ from chars
    assert facet["index"] == {
        "byteStart": start,
        "byteEnd": start + len("https://example.com/a?b=1"),
    }
    assert facet["features"] == [{"$type": f"{FACET}#link", "uri": "https://example.com/a?b=1"}]
    rkey = stored["uri"].rsplit("/", 1)[-1]
    assert TID.match(rkey)
    assert result.remote_id == stored["uri"] and result.part_ids == (stored["uri"],)
    assert result.url == f"https://bsky.app/profile/alice.test/post/{rkey}"


def test_mentions_resolve_to_dids_and_hashtags_drop_the_hash(fake, account, provider):
    bob = fake.add_account("bob.test", "x")
    text = "Hi @bob.test and @ghost.example! #Tandem2026 #123 ok"
    provider.publish(post(text), account)
    facets = fake.posts()[0]["value"]["facets"]
    raw = text.encode()
    spans = [raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets]
    assert spans == ["@bob.test", "#Tandem2026"]
    assert facets[0]["features"] == [{"$type": f"{FACET}#mention", "did": bob["did"]}]
    assert facets[1]["features"] == [{"$type": f"{FACET}#tag", "tag": "Tandem2026"}]


def test_a_mention_that_cannot_be_resolved_goes_out_as_plain_text_and_is_reported(
    fake, account, provider
):
    bob = fake.add_account("bob.test", "x")
    resolve = r"/xrpc/com\.atproto\.identity\.resolveHandle"
    fake.fail_next("GET", resolve, Reply(502, {"error": "UpstreamFailure", "message": "DNS"}))
    fake.fail_next("GET", resolve, Reply(404, {"error": "NotFound", "message": "No handle"}))
    text = "Thanks @carol.example and @dave.example, with @bob.test and @ghost.example"
    result = provider.publish(post(text), account)
    (stored,) = fake.posts()
    assert stored["value"]["text"] == text
    facets = stored["value"]["facets"]
    assert [f["features"] for f in facets] == [[{"$type": f"{FACET}#mention", "did": bob["did"]}]]
    (note,) = result.notes
    for handle in ("@carol.example", "@dave.example", "@ghost.example"):
        assert handle in note
    assert "@bob.test" not in note and "plain text" in note


def test_thread_with_image_sets_root_and_parent(fake, account, provider):
    image = MediaItem(
        content_type="image/jpeg",
        data=b"\xff\xd8" + b"1" * 500,
        width=1200,
        height=800,
        alt="Harbour at dusk",
        filename="h.jpg",
    )
    result = provider.publish(post(parts=("one", "two", "three"), media=(image,)), account)
    one, two, three = fake.posts()
    assert result.part_ids == (one["uri"], two["uri"], three["uri"])
    root = {"uri": one["uri"], "cid": one["cid"]}
    assert "reply" not in one["value"]
    assert two["value"]["reply"] == {"root": root, "parent": root}
    assert three["value"]["reply"] == {
        "root": root,
        "parent": {"uri": two["uri"], "cid": two["cid"]},
    }
    [img] = one["value"]["embed"]["images"]
    assert img["alt"] == "Harbour at dusk" and img["aspectRatio"] == {"width": 1200, "height": 800}
    [upload] = fake.calls("POST", r"/xrpc/com\.atproto\.repo\.uploadBlob")
    assert upload.content_type == "image/jpeg" and upload.body == image.data
    assert "embed" not in two["value"]


def test_retry_creates_nothing_new_and_completes_a_partial_thread(fake, account, provider):
    first = provider.publish(post("one"), account)  # as if the thread died after part 1
    assert provider.lookup(post(parts=("one", "two")), account) is None
    full = provider.publish(post(parts=("one", "two")), account)
    assert full.remote_id == first.remote_id and len(fake.posts()) == 2
    assert fake.posts()[1]["value"]["reply"]["root"]["uri"] == first.remote_id
    again = provider.publish(post(parts=("one", "two")), account)
    assert again == full and len(fake.posts()) == 2
    assert provider.lookup(post(parts=("one", "two")), account) == full
    assert bluesky_text.record_key("target-7", 0) != bluesky_text.record_key("target-7", 1)


def test_too_long_is_refused_before_posting_but_graphemes_not_codepoints(fake, account, provider):
    provider.publish(post("👍🏽" * 300), account)  # 600 code points, 300 graphemes
    with pytest.raises(Rejected, match="Part 2 of the thread is 301 characters"):
        provider.publish(post(parts=("ok", "é" * 301), idempotency_key="k2"), account)
    assert len(fake.posts()) == 1
    resp = httpx.post(
        f"{fake.base_url}/xrpc/com.atproto.repo.createRecord",
        json={
            "repo": account.remote_id,
            "collection": "app.bsky.feed.post",
            "record": {
                "$type": "app.bsky.feed.post",
                "text": "a" * 301,
                "createdAt": "2026-01-01T00:00:00Z",
            },
        },
        headers={"Authorization": f"Bearer {account.access_token}"},
    )
    assert resp.status_code == 400 and resp.json()["error"] == "InvalidRequest"
    assert "300 graphemes" in resp.json()["message"]


def test_fake_validates_facets_replies_and_auth(fake, account):
    def create(record: dict, token: str | None = account.access_token) -> httpx.Response:
        base = {"$type": "app.bsky.feed.post", "createdAt": "2026-01-01T00:00:00Z"}
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {
            "repo": account.remote_id,
            "collection": "app.bsky.feed.post",
            "record": {**base, **record},
        }
        return httpx.post(
            f"{fake.base_url}/xrpc/com.atproto.repo.createRecord", json=body, headers=headers
        )

    link = {"$type": f"{FACET}#link", "uri": "https://x.y"}
    mid_char = create(
        {
            "text": "é https://x.y",
            "facets": [{"index": {"byteStart": 1, "byteEnd": 5}, "features": [link]}],
        }
    )
    assert mid_char.status_code == 400 and "boundaries" in mid_char.json()["message"]
    outside = create(
        {"text": "ab", "facets": [{"index": {"byteStart": 0, "byteEnd": 9}, "features": [link]}]}
    )
    assert outside.status_code == 400
    half_reply = create({"text": "r", "reply": {"root": {"uri": "at://a", "cid": "b"}}})
    assert half_reply.status_code == 400 and "parent" in half_reply.json()["message"]
    assert create({"text": "x"}, token=None).status_code == 401
    assert create({"text": "x"}, token="garbage").json()["error"] == "InvalidToken"
    assert create({"text": "fine"}).status_code == 200


def test_expired_token_is_auth_expired_and_refresh_rotates(fake, account, provider):
    fake.expire_access_tokens()
    with pytest.raises(AuthExpired, match="expired"):
        provider.publish(post(), account)
    tokens = provider.refresh_token(account)
    assert tokens.refresh_token and tokens.refresh_token != account.refresh_token
    assert tokens.access_token != account.access_token
    refreshed = replace(
        account, access_token=tokens.access_token, refresh_token=tokens.refresh_token
    )
    assert provider.publish(post(), refreshed).remote_id
    with pytest.raises(AuthExpired):  # the old refresh token was revoked by the rotation
        provider.refresh_token(account)


def test_rate_limit_reports_the_reset(fake, account, provider):
    fake.rate_limit = len(fake.requests)  # everything from now on is over the limit
    with pytest.raises(RateLimited) as caught:
        provider.publish(post(), account)
    reset = datetime.fromtimestamp(fake.reset_epoch, UTC)
    assert caught.value.retry_at == reset + http.EPOCH_MARGIN  # the floored second, and a margin
    assert caught.value.retry_at > datetime.now(UTC)


def test_invalid_request_is_rejected_and_5xx_transient(fake, account, provider):
    bad = Reply(400, {"error": "InvalidRequest", "message": "Invalid langs"})
    fake.fail_next("POST", r"/xrpc/com\.atproto\.repo\.createRecord", bad)
    with pytest.raises(Rejected, match="Invalid langs"):
        provider.publish(post(), account)
    down = Reply(502, {"error": "UpstreamFailure", "message": "bad gateway"})
    fake.fail_next("POST", r"/xrpc/com\.atproto\.repo\.createRecord", down)
    with pytest.raises(Transient):
        provider.publish(post(), account)
    assert fake.posts() == []


def test_media_limits_are_checked_before_upload(fake, account, provider):
    big = MediaItem(content_type="image/png", data=b"0" * 1_000_001, filename="big.png")
    with pytest.raises(Rejected, match="Resize or compress"):
        provider.publish(post(media=(big,)), account)
    clip = MediaItem(content_type="video/mp4", data=b"0", filename="c.mp4")
    with pytest.raises(Rejected, match="not an image"):
        provider.publish(post(media=(clip,)), account)
    assert fake.calls("POST", r"/xrpc/com\.atproto\.repo\.uploadBlob") == []


def test_inbox_pages_filters_reasons_and_stops_at_since(fake, account, provider):
    old = (datetime.now(UTC) - timedelta(days=3)).isoformat().replace("+00:00", "Z")
    fake.add_notification(reason="mention", author="old.test", text="old", indexed_at=old)
    for i in range(55):
        fake.add_notification(
            reason="like" if i % 5 == 0 else "mention", author="u.test", text=f"m{i}"
        )
    fake.add_notification(
        reason="reply",
        author="carol.test",
        text="nice",
        reply_parent="at://did:x/app.bsky.feed.post/abc",
    )
    quote = fake.add_notification(reason="quote", author="dan.test", text="look")
    everything = provider.fetch_inbox(account, ["at://did:x/app.bsky.feed.post/abc"], since=None)
    assert len(everything) == 44 + 1 + 2  # 55 minus 11 likes, the old one, reply, quote
    assert len(fake.calls("GET", r"/xrpc/app\.bsky\.notification\.listNotifications")) == 2
    assert everything[0].remote_id == quote["uri"] and everything[0].kind == "mention"
    reply = everything[1]
    assert (reply.kind, reply.author, reply.text) == ("reply", "@carol.test", "nice")
    assert reply.post_remote_id == "at://did:x/app.bsky.feed.post/abc"
    assert reply.url.startswith("https://bsky.app/profile/carol.test/post/")
    recent = provider.fetch_inbox(account, [], since=datetime.now(UTC) - timedelta(hours=1))
    assert len(recent) == 46 and all(item.text != "old" for item in recent)


def test_inbox_returns_replies_to_the_published_posts(fake, account, provider):
    published = provider.publish(post("Our launch"), account).remote_id
    reply = fake.add_notification(
        reason="reply", author="carol.test", text="congrats", reply_parent=published
    )
    other = fake.add_notification(
        reason="reply",
        author="dan.test",
        text="on an old post",
        reply_parent="at://did:x/app.bsky.feed.post/old",
    )
    items = {i.remote_id: i for i in provider.fetch_inbox(account, [published], since=None)}
    assert (items[reply["uri"]].kind, items[reply["uri"]].post_remote_id) == ("reply", published)
    assert items[other["uri"]].kind == "mention"


def test_metrics_from_get_posts(fake, account, provider):
    result = provider.publish(post(), account)
    fake.records[result.remote_id].update(likeCount=5, repostCount=2, replyCount=1)
    missing = f"at://{account.remote_id}/app.bsky.feed.post/3kaaaaaaaaaaa"
    metrics = provider.fetch_metrics(account, [result.remote_id, missing])
    assert set(metrics) == {result.remote_id}
    m = metrics[result.remote_id]
    assert (m.likes, m.reposts, m.replies) == (5, 2, 1)


def test_record_keys_are_valid_deterministic_tids():
    keys = {bluesky_text.record_key(f"k{i}", 0) for i in range(200)}
    assert len(keys) == 200 and all(TID.match(k) for k in keys)
    assert bluesky_text.record_key("k1", 0) == bluesky_text.record_key("k1", 0)
