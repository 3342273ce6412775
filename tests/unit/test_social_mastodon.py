"""Mastodon provider against the local fake instance (contract §5)."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    Connect,
    MediaItem,
    NormalizedPost,
    OAuthFlow,
    RateLimited,
    Rejected,
    Transient,
)
from crmapp.services.social.providers import mastodon_api
from crmapp.services.social.providers.mastodon import MastodonProvider
from crmapp.services.social.registry import provider_class
from tests.fakes.http_fake import Reply
from tests.fakes.mastodon_fake import FakeMastodon

pytestmark = pytest.mark.unit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    server = FakeMastodon().start()
    yield server
    server.stop()


@pytest.fixture
def account(fake: FakeMastodon) -> AccountAuth:
    return AccountAuth(
        network="mastodon",
        remote_id=fake.alice["id"],
        handle="@alice",
        base_url=fake.base_url + "/",
        access_token=fake.alice_token,
    )


@pytest.fixture
def provider() -> MastodonProvider:
    p = MastodonProvider()
    p.media_poll_interval = 0.01
    return p


def post(text: str = "Hello fediverse", **kw) -> NormalizedPost:
    kw.setdefault("idempotency_key", "target-1")
    return NormalizedPost(text=text, **kw)


def test_registered_with_its_limits():
    cls = provider_class("mastodon")
    assert cls is MastodonProvider
    assert (cls.text_rules.limit, cls.threads, cls.max_media, cls.idempotent) == (
        500,
        True,
        4,
        True,
    )
    assert cls.connect is Connect.OAUTH_PER_INSTANCE and cls.pkce


def test_publish_single_status_with_idempotency_key(fake, account, provider):
    result = provider.publish(post(), account)
    [status] = fake.created()
    assert result.remote_id == status["id"]
    assert result.part_ids == (status["id"],)
    assert result.url == f"{fake.base_url}/@alice/{status['id']}"
    assert status["_text"] == "Hello fediverse"
    [call] = fake.calls("POST", r"/api/v1/statuses")
    assert call.headers["idempotency-key"] == "target-1-0"
    assert call.headers["authorization"] == f"Bearer {fake.alice_token}"


def test_thread_replies_in_order_and_media_goes_on_the_first_part(fake, account, provider):
    media = MediaItem(content_type="image/png", data=PNG, alt="A chart", filename="c.png")
    result = provider.publish(post(parts=("one", "two", "three"), media=(media,)), account)
    one, two, three = fake.created()
    assert result.part_ids == (one["id"], two["id"], three["id"])
    assert one["in_reply_to_id"] is None
    assert two["in_reply_to_id"] == one["id"]
    assert three["in_reply_to_id"] == two["id"]
    assert [m["description"] for m in one["media_attachments"]] == ["A chart"]
    assert two["media_attachments"] == [] and three["media_attachments"] == []
    keys = [c.headers["idempotency-key"] for c in fake.calls("POST", r"/api/v1/statuses")]
    assert keys == ["target-1-0", "target-1-1", "target-1-2"]


def test_retrying_a_whole_thread_creates_nothing_new(fake, account, provider):
    first = provider.publish(post(parts=("a", "b")), account)
    again = provider.publish(post(parts=("a", "b")), account)
    assert again == first
    assert len(fake.created()) == 2
    other = provider.publish(post(parts=("a", "b"), idempotency_key="target-2"), account)
    assert other.part_ids != first.part_ids and len(fake.created()) == 4


def test_async_media_is_polled_until_ready(fake, account, provider):
    video = MediaItem(content_type="video/mp4", data=b"\x00\x00\x00\x18ftypmp42", filename="v.mp4")
    provider.publish(post(media=(video,)), account)
    assert len(fake.calls("GET", r"/api/v1/media/\d+")) == fake.processing_polls + 1
    [status] = fake.created()
    assert status["media_attachments"][0]["url"]


def test_media_processing_failure_is_rejected(fake, account, provider):
    fake.fail_processing = True
    video = MediaItem(content_type="video/mp4", data=b"x" * 10, filename="clip.mp4")
    with pytest.raises(Rejected, match=r"clip\.mp4"):
        provider.publish(post(media=(video,)), account)
    assert fake.created() == []


def test_invalid_media_type_is_rejected_with_advice(fake, account, provider):
    doc = MediaItem(content_type="application/pdf", data=b"%PDF-1.4", filename="deck.pdf")
    with pytest.raises(Rejected, match="JPEG, PNG"):
        provider.publish(post(media=(doc,)), account)


def test_too_long_is_refused_before_anything_is_posted(fake, account, provider):
    with pytest.raises(Rejected, match="Part 2 of the thread is 501 characters"):
        provider.publish(post(parts=("fine", "x" * 501)), account)
    assert fake.calls("POST", r"/api/v1/statuses") == []


def test_urls_count_as_23_characters(fake, account, provider):
    text = "y" * 470 + " https://example.com/" + "p" * 200
    assert MastodonProvider.text_rules.count(text) == 494
    provider.publish(post(text), account)
    assert len(fake.created()) == 1


def test_server_side_length_422_is_rejected_with_its_text(fake, account, provider):
    fake.advertised_max_characters = 1000
    with pytest.raises(Rejected, match="Text character limit of 500 exceeded"):
        provider.publish(post("z" * 600), account)


def test_blank_status_is_rejected(fake, account, provider):
    with pytest.raises(Rejected, match="empty"):
        provider.publish(post("   "), account)


def test_invalid_token_is_auth_expired(fake, account, provider):
    from dataclasses import replace

    with pytest.raises(AuthExpired):
        provider.publish(post(), replace(account, access_token="revoked"))


def test_rate_limit_gives_reset_time(fake, account, provider):
    fake.rate_limit = 2  # instance limits + the first status
    with pytest.raises(RateLimited) as caught:
        provider.publish(post(parts=("a", "b")), account)
    expected = datetime.fromisoformat(fake._reset_at.replace("Z", "+00:00"))
    assert caught.value.retry_at == expected
    assert caught.value.retry_at > datetime.now(UTC)


def test_server_error_is_transient_and_404_rejected(fake, account, provider):
    fake.fail_next("POST", r"/api/v1/statuses", Reply(503, {"error": "unavailable"}))
    with pytest.raises(Transient):
        provider.publish(post(), account)
    fake.fail_next("POST", r"/api/v1/statuses", Reply(404, {"error": "Record not found"}))
    with pytest.raises(Rejected, match="deleted"):
        provider.publish(post(), account)


def test_fake_rejects_unknown_reply_target_and_missing_auth(fake):
    resp = httpx.post(
        f"{fake.base_url}/api/v1/statuses",
        json={"status": "hi", "in_reply_to_id": "1"},
        headers={"Authorization": f"Bearer {fake.alice_token}"},
    )
    assert resp.status_code == 404 and resp.json() == {"error": "Record not found"}
    resp = httpx.post(f"{fake.base_url}/api/v1/statuses", data={"status": "hi"})
    assert resp.status_code == 401
    assert resp.json() == {"error": "The access token is invalid"}
    assert resp.headers["X-RateLimit-Limit"] == "300"
    ok = httpx.post(
        f"{fake.base_url}/api/v1/statuses",
        files={"status": (None, "multipart works")},
        headers={"Authorization": f"Bearer {fake.alice_token}"},
    )
    assert ok.status_code == 200 and fake.created()[0]["_text"] == "multipart works"


def test_oauth_register_authorize_exchange_and_identity(fake, provider):
    redirect = "https://tandem.example/oauth/mastodon"
    client = provider.register_client(instance_url=fake.base_url, redirect_uri=redirect)
    assert set(client) == {"instance_url", "client_id", "client_secret"}
    assert fake.apps[client["client_id"]]["scopes"] == ["read", "write"]
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    challenge_text = challenge.decode().rstrip("=")
    flow = OAuthFlow(redirect, "s1", challenge_text, verifier, client)
    url = provider.authorization_url(flow)
    assert url.startswith(f"{fake.base_url}/oauth/authorize?")
    location = httpx.get(url).headers["location"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert query["state"] == ["s1"]
    tokens = provider.exchange_code(flow, query["code"][0])
    assert tokens.access_token in fake.tokens and tokens.extra["instance_url"] == fake.base_url
    [identity] = provider.identities(tokens)
    host = urllib.parse.urlsplit(fake.base_url).netloc
    assert identity.handle == f"@alice@{host}"
    assert identity.remote_id == fake.alice["id"] and identity.base_url == fake.base_url
    assert identity.tokens == tokens


def test_exchange_with_wrong_verifier_is_rejected(fake, provider):
    redirect = "https://tandem.example/cb"
    client = provider.register_client(instance_url=fake.base_url, redirect_uri=redirect)
    url = provider.authorization_url(OAuthFlow(redirect, "s", "abc", "nope", client))
    code = urllib.parse.parse_qs(httpx.get(url).headers["location"].split("?")[1])["code"][0]
    with pytest.raises(Rejected, match="connect again"):
        provider.exchange_code(OAuthFlow(redirect, "s", "abc", "nope", client), code)


def test_refresh_returns_the_same_token_or_auth_expired(fake, account, provider):
    tokens = provider.refresh_token(account)
    assert tokens.access_token == fake.alice_token and tokens.refresh_token == ""
    del fake.tokens[fake.alice_token]
    with pytest.raises(AuthExpired):
        provider.refresh_token(account)


def test_instance_limits_and_fallback(fake):
    fake.fail_next("GET", r"/api/v2/instance", Reply(500, {"error": "boom"}))
    assert mastodon_api.instance_limits(fake.base_url) == (500, 23)  # unreachable: the defaults
    fake.advertised_max_characters = 5000
    assert mastodon_api.instance_limits(fake.base_url) == (5000, 23)  # a failure is not cached
    fake.advertised_max_characters = 1000
    assert mastodon_api.instance_limits(fake.base_url) == (5000, 23)  # an answer is, for a while
    assert len(fake.calls("GET", r"/api/v2/instance")) == 2


def test_inbox_follows_link_pages_and_strips_html(fake, account, provider):
    old = (datetime.now(UTC) - timedelta(days=2)).isoformat().replace("+00:00", "Z")
    fake.add_mention(author="old", content="<p>old</p>", created_at=old)
    for i in range(44):
        fake.add_mention(author=f"u{i}", content=f"<p>hi {i}</p>")
    last = fake.add_mention(
        author="bob",
        content='<p><span class="h-card"><a href="x">@alice</a></span> nice &amp; '
        "clear<br>second line</p><p>para</p>",
        in_reply_to_id="123",
    )
    items = provider.fetch_inbox(account, [], since=None)
    assert len(items) == 46
    assert len(fake.calls("GET", r"/api/v1/notifications")) == 3  # 40 + 6 + empty
    top = items[0]
    assert top.remote_id == last["status"]["id"] and top.kind == "mention"
    assert top.author == "@bob@remote.example" and top.post_remote_id == "123"
    assert top.text == "@alice nice & clear\nsecond line\n\npara"
    recent = provider.fetch_inbox(account, [], since=datetime.now(UTC) - timedelta(hours=1))
    assert len(recent) == 45 and all(i.author != "@old@remote.example" for i in recent)


def test_inbox_marks_replies_to_the_published_posts(fake, account, provider):
    published = provider.publish(post("Our launch"), account).remote_id
    reply = fake.add_mention(
        author="bob", content="<p>@alice congrats</p>", in_reply_to_id=published
    )
    other = fake.add_mention(author="cy", content="<p>@alice hi</p>")
    items = {i.remote_id: i for i in provider.fetch_inbox(account, [published], since=None)}
    replied = items[reply["status"]["id"]]
    assert (replied.kind, replied.post_remote_id) == ("reply", published)
    assert items[other["status"]["id"]].kind == "mention"


def test_metrics_read_counts_and_skip_missing(fake, account, provider):
    result = provider.publish(post(), account)
    fake.statuses[result.remote_id].update(favourites_count=7, reblogs_count=3, replies_count=2)
    metrics = provider.fetch_metrics(account, [result.remote_id, "999"])
    assert set(metrics) == {result.remote_id}
    m = metrics[result.remote_id]
    assert (m.likes, m.reposts, m.replies) == (7, 3, 2)
