"""The X provider against the local fake X (contract §1)."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crmapp.services.social import http
from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    MediaItem,
    NormalizedPost,
    OAuthFlow,
    OutcomeUnknown,
    PartlyPublished,
    RateLimited,
    Rejected,
    Transient,
)
from crmapp.services.social.providers import x_api
from crmapp.services.social.providers.x import XProvider
from crmapp.services.social.registry import provider_class
from crmapp.settings import get_settings
from tests.fakes.http_fake import Reply
from tests.fakes.x_fake import FakeX

pytestmark = pytest.mark.unit

USER = "2244994945"
PNG = MediaItem(content_type="image/png", data=b"\x89PNG fake image", filename="a.png")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeX]:
    server = FakeX(client_id="x-client").start()
    monkeypatch.setenv("TANDEM_X_API_BASE", server.base_url)
    monkeypatch.setenv("TANDEM_X_CLIENT_ID", "x-client")
    monkeypatch.setenv("TANDEM_X_CLIENT_SECRET", "")
    monkeypatch.setenv("TANDEM_X_AUTHORIZE_URL", "https://x.com/i/oauth2/authorize")
    monkeypatch.setattr(x_api, "sleep", lambda seconds: None)
    get_settings.cache_clear()
    http.reset_client()
    yield server
    server.stop()
    get_settings.cache_clear()
    http.reset_client()


@pytest.fixture
def account(fake: FakeX) -> AccountAuth:
    return AccountAuth(
        network="x",
        remote_id=USER,
        handle="tandem_test",
        access_token=fake.issue_token(USER),
        refresh_token=fake.issue_refresh(USER),
    )


def _post(text: str = "Hello from Tandem", **kwargs: object) -> NormalizedPost:
    return NormalizedPost(text=text, idempotency_key="k1", **kwargs)  # type: ignore[arg-type]


def test_registered_with_its_limits() -> None:
    assert provider_class("x") is XProvider
    assert (XProvider.text_rules.limit, XProvider.threads, XProvider.max_media) == (280, True, 4)
    assert XProvider.can_lookup and not XProvider.idempotent


def test_publish_single_post(fake: FakeX, account: AccountAuth) -> None:
    result = XProvider().publish(_post(), account)
    assert result.remote_id in fake.tweets
    assert fake.tweets[result.remote_id]["text"] == "Hello from Tandem"
    assert result.part_ids == (result.remote_id,)
    assert result.url == f"https://x.com/tandem_test/status/{result.remote_id}"
    assert fake.calls("POST", r"/2/tweets")[0].headers["authorization"].startswith("Bearer ")


def test_publish_thread_with_images(fake: FakeX, account: AccountAuth) -> None:
    post = _post(parts=("one", "two", "three"), media=(PNG, PNG))
    result = XProvider().publish(post, account)
    assert len(result.part_ids) == 3
    first, second, third = (fake.tweets[i] for i in result.part_ids)
    assert [first["text"], second["text"], third["text"]] == ["one", "two", "three"]
    assert first["reply_to"] == "" and second["reply_to"] == first["id"]
    assert third["reply_to"] == second["id"]
    assert len(first["media_ids"]) == 2 and second["media_ids"] == []
    uploads = fake.calls("POST", r"/2/media/upload")
    assert len(uploads) == 2
    assert uploads[0].multipart()["media_category"][1] == b"tweet_image"


def test_a_thread_cut_short_resumes_after_the_parts_that_went_out(
    fake: FakeX, account: AccountAuth, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_call, posts_sent = x_api.call, []

    def second_post_fails(method: str, path: str, token: str, **kwargs: Any) -> Any:
        if path == "/2/tweets":
            posts_sent.append(path)
            if len(posts_sent) == 2:
                fake.fail_next(
                    "POST",
                    r"/2/tweets",
                    Reply(
                        503, {"title": "Service Unavailable", "type": "about:blank", "status": 503}
                    ),
                )
        return real_call(method, path, token, **kwargs)

    monkeypatch.setattr(x_api, "call", second_post_fails)
    post = _post(parts=("one", "two", "three"), media=(PNG,))
    with pytest.raises(PartlyPublished) as cut:
        XProvider().publish(post, account)
    assert isinstance(cut.value.cause, Transient) and len(cut.value.part_ids) == 1
    (first_id,) = cut.value.part_ids
    result = XProvider().publish(replace(post, done_parts=cut.value.part_ids), account)
    assert result.part_ids[0] == first_id and len(result.part_ids) == 3
    assert [t["text"] for t in fake.tweets.values()] == ["one", "two", "three"]  # none twice
    assert fake.tweets[result.part_ids[1]]["reply_to"] == first_id
    assert len(fake.calls("POST", r"/2/media/upload")) == 1, "media is not uploaded again"


def test_publish_video_polls_until_processed(fake: FakeX, account: AccountAuth) -> None:
    x_api_chunk = x_api.CHUNK_BYTES
    video = MediaItem(content_type="video/mp4", data=b"v" * (x_api_chunk + 10), filename="v.mp4")
    result = XProvider().publish(_post(media=(video,)), account)
    media_id = fake.tweets[result.remote_id]["media_ids"][0]
    assert fake.media[media_id]["data"] == video.data
    assert len(fake.calls("POST", r"/2/media/upload/\d+/append")) == 2
    assert len(fake.calls("GET", r"/2/media/upload")) == fake.video_processing_polls + 1


def test_video_processing_failure_is_rejected(fake: FakeX, account: AccountAuth) -> None:
    fake.video_fails = True
    video = MediaItem(content_type="video/mp4", data=b"v" * 100)
    with pytest.raises(Rejected, match="Unsupported video codec"):
        XProvider().publish(_post(media=(video,)), account)
    assert fake.tweets == {}


def test_too_many_media_rejected_before_sending(fake: FakeX, account: AccountAuth) -> None:
    with pytest.raises(Rejected, match="at most 4"):
        XProvider().publish(_post(media=(PNG,) * 5), account)
    assert fake.requests == []


def test_duplicate_is_rejected_with_advice(fake: FakeX, account: AccountAuth) -> None:
    XProvider().publish(_post(), account)
    with pytest.raises(Rejected) as error:
        XProvider().publish(_post(), account)
    assert str(error.value) == "X refuses duplicate content: change the text"


def test_too_long_text_rejected(fake: FakeX, account: AccountAuth) -> None:
    with pytest.raises(Rejected, match="shorten it"):
        XProvider().publish(_post("a" * 281), account)


def test_expired_token_is_auth_expired(fake: FakeX, account: AccountAuth) -> None:
    fake.expire(account.access_token)
    with pytest.raises(AuthExpired):
        XProvider().publish(_post(), account)


def test_rate_limit_carries_reset(fake: FakeX, account: AccountAuth) -> None:
    fake.rate_limits["POST /2/tweets"] = 1
    XProvider().publish(_post("first"), account)
    with pytest.raises(RateLimited) as error:
        XProvider().publish(_post("second"), account)
    retry_at = error.value.retry_at
    assert retry_at is not None and retry_at > datetime.now(UTC) - timedelta(seconds=1)
    assert retry_at <= datetime.now(UTC) + timedelta(seconds=900)
    assert int((retry_at - http.EPOCH_MARGIN).timestamp()) % 900 == 0


def test_rate_limit_retries_after_the_floored_reset_second(
    fake: FakeX, account: AccountAuth
) -> None:
    reset = int(datetime.now(UTC).timestamp()) + 60
    headers = {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(reset),
    }
    fake.fail_next(
        "POST",
        r"/2/tweets",
        Reply(
            429,
            {"title": "Too Many Requests", "type": "about:blank", "status": 429},
            headers=headers,
        ),
    )
    with pytest.raises(RateLimited) as error:
        XProvider().publish(_post(), account)
    retry_at = error.value.retry_at
    assert retry_at is not None
    # The header is the reset second floored: the window really ends up to a second later.
    later = retry_at - datetime.fromtimestamp(reset, UTC)
    assert timedelta(seconds=1) < later <= timedelta(seconds=5)


def test_usage_cap_is_rate_limited(fake: FakeX, account: AccountAuth) -> None:
    fake.usage_capped = True
    with pytest.raises(RateLimited, match="usage cap"):
        XProvider().publish(_post(), account)


def test_bad_request_detail_is_shown(fake: FakeX, account: AccountAuth) -> None:
    fake.fail_next(
        "POST",
        r"/2/tweets",
        Reply(400, {"title": "Invalid Request", "detail": "The poll is invalid.", "type": "x"}),
    )
    with pytest.raises(Rejected, match="The poll is invalid"):
        XProvider().publish(_post(), account)


def test_server_error_is_transient(fake: FakeX, account: AccountAuth) -> None:
    fake.fail_next("POST", r"/2/tweets", Reply(503, {"title": "Service Unavailable"}))
    with pytest.raises(Transient):
        XProvider().publish(_post(), account)


def test_lost_answer_is_outcome_unknown_then_lookup_finds_it(
    fake: FakeX, account: AccountAuth
) -> None:
    provider = XProvider()
    assert provider.lookup(_post("never sent"), account) is None
    fake.fail_next("POST", r"/2/tweets", Reply(drop=True))
    with pytest.raises(OutcomeUnknown):
        provider.publish(_post("maybe sent"), account)
    assert provider.lookup(_post("maybe sent"), account) is None  # the drop lost it for good
    done = provider.publish(_post(parts=("a1", "a2")), account)
    found = provider.lookup(_post(parts=("a1", "a2")), account)
    assert found is not None and found.part_ids == done.part_ids


def test_fake_rejects_malformed_tweets(fake: FakeX, account: AccountAuth) -> None:
    headers = {"Authorization": f"Bearer {account.access_token}"}
    url = f"{fake.base_url}/2/tweets"
    bad = [
        {},
        {"text": "x", "reply": {}},
        {"text": "x", "reply": {"in_reply_to_tweet_id": "1", "extra": 1}},
        {"text": "x", "media": {"media_ids": []}},
        {"text": "x", "media": {"media_ids": ["1"], "unknown": True}},
    ]
    for body in bad:
        assert http.request("POST", url, json=body, headers=headers).status_code == 400, body
    assert http.request("POST", url, json={"text": "x"}).status_code == 401
    upload = http.request(
        "POST", f"{fake.base_url}/2/media/upload", headers=headers, files={"media": b"x"}
    )
    assert upload.status_code == 400 and "media_category" in upload.json()["detail"]


def test_every_answer_has_rate_headers(fake: FakeX, account: AccountAuth) -> None:
    answer = http.request(
        "GET",
        f"{fake.base_url}/2/users/me",
        headers={"Authorization": f"Bearer {account.access_token}"},
    )
    assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(
        answer.headers
    )


# --- OAuth ------------------------------------------------------------------------------------


def test_authorization_url_has_pkce_and_scopes(fake: FakeX) -> None:
    url = XProvider().authorization_url(OAuthFlow("https://app/cb", "s1", code_challenge="c"))
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert url.startswith("https://x.com/i/oauth2/authorize?")
    assert query["scope"] == "tweet.read tweet.write users.read offline.access media.write"
    assert "%20" in parts.query and "+" not in parts.query
    assert (query["code_challenge"], query["code_challenge_method"]) == ("c", "S256")
    assert (query["client_id"], query["state"], query["response_type"]) == (
        "x-client",
        "s1",
        "code",
    )


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_exchange_code_and_identities(fake: FakeX) -> None:
    verifier = "v" * 50
    code = fake.authorize(code_challenge=_challenge(verifier), redirect_uri="https://app/cb")
    tokens = XProvider().exchange_code(OAuthFlow("https://app/cb", code_verifier=verifier), code)
    assert tokens.access_token in fake.tokens and tokens.refresh_token in fake.refresh_tokens
    assert tokens.expires_at is not None
    assert (
        timedelta(seconds=7190) < tokens.expires_at - datetime.now(UTC) <= timedelta(seconds=7200)
    )
    assert fake.calls("POST", r"/2/oauth2/token")[0].form()["client_id"] == ["x-client"]
    [identity] = XProvider().identities(tokens)
    assert (identity.kind, identity.remote_id, identity.handle) == ("user", USER, "tandem_test")
    assert identity.tokens == tokens


def test_exchange_with_wrong_verifier_fails(fake: FakeX) -> None:
    code = fake.authorize(code_challenge=_challenge("right" * 10), redirect_uri="https://app/cb")
    with pytest.raises(AuthExpired, match="authorization code was invalid"):
        XProvider().exchange_code(OAuthFlow("https://app/cb", code_verifier="wrong" * 10), code)


def test_refresh_rotates_and_old_token_dies(fake: FakeX, account: AccountAuth) -> None:
    provider = XProvider()
    fresh = provider.refresh_token(account)
    assert fresh.refresh_token and fresh.refresh_token != account.refresh_token
    assert fresh.expires_at is not None and fresh.expires_at > datetime.now(UTC)
    with pytest.raises(AuthExpired):
        provider.refresh_token(account)  # the old refresh token was single use
    again = provider.refresh_token(
        AccountAuth(network="x", remote_id=USER, refresh_token=fresh.refresh_token)
    )
    assert again.access_token in fake.tokens


def test_confidential_client_uses_basic_auth(
    fake: FakeX, account: AccountAuth, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.client_secret = "shh"
    monkeypatch.setenv("TANDEM_X_CLIENT_SECRET", "shh")
    get_settings.cache_clear()
    XProvider().refresh_token(account)
    sent = fake.calls("POST", r"/2/oauth2/token")[-1]
    assert sent.headers["authorization"].startswith("Basic ")
    assert "client_id" not in sent.form()
    monkeypatch.setenv("TANDEM_X_CLIENT_SECRET", "")
    get_settings.cache_clear()
    with pytest.raises(AuthExpired):
        XProvider().refresh_token(
            AccountAuth(network="x", remote_id=USER, refresh_token=fake.issue_refresh(USER))
        )


# --- inbox and metrics --------------------------------------------------------------------------


def test_inbox_lists_mentions_since(fake: FakeX, account: AccountAuth) -> None:
    fake.add_user("42", "alice", "Alice")
    now = datetime.now(UTC)
    old = fake.add_tweet("42", "@tandem_test old news", created_at=now - timedelta(days=2))
    mine = fake.add_tweet(USER, "our launch post")
    new = fake.add_tweet("42", "@tandem_test congrats!", created_at=now, reply_to=mine)
    fake.add_tweet("42", "not about you", created_at=now)
    items = XProvider().fetch_inbox(account, [], now - timedelta(hours=1))
    assert [i.remote_id for i in items] == [new]
    item = items[0]
    assert (item.kind, item.author, item.text, item.post_remote_id) == (
        "mention",
        "alice",
        "@tandem_test congrats!",
        mine,
    )
    assert item.created_at.tzinfo is not None
    assert fake.calls("GET", r"/2/users/\d+/mentions")[0].arg("start_time").endswith("Z")
    assert {i.remote_id for i in XProvider().fetch_inbox(account, [], None)} == {old, new}


def test_inbox_returns_replies_to_the_published_posts(fake: FakeX, account: AccountAuth) -> None:
    fake.add_user("42", "alice", "Alice")
    published = XProvider().publish(_post(parts=("launch", "details")), account)
    first, second = published.part_ids
    on_first = fake.add_tweet("42", "@tandem_test congrats!", reply_to=first)
    on_second = fake.add_tweet("42", "@tandem_test when?", reply_to=second)
    elsewhere = fake.add_tweet("42", "@tandem_test hello")
    items = {i.remote_id: i for i in XProvider().fetch_inbox(account, [first, second], None)}
    assert (items[on_first].kind, items[on_first].post_remote_id) == ("reply", first)
    assert (items[on_second].kind, items[on_second].post_remote_id) == ("reply", second)
    assert items[elsewhere].kind == "mention"


def test_inbox_follows_pages(fake: FakeX, account: AccountAuth) -> None:
    for n in range(130):
        fake.add_tweet("42", f"@tandem_test hi {n}")
    items = XProvider().fetch_inbox(account, [], None)
    assert len(items) == 130 and len({i.remote_id for i in items}) == 130
    assert len(fake.calls("GET", r"/2/users/\d+/mentions")) == 2


def test_metrics(fake: FakeX, account: AccountAuth) -> None:
    tweet = fake.add_tweet(USER, "measured")
    fake.tweets[tweet]["public_metrics"].update(
        like_count=234, retweet_count=50, reply_count=12, impression_count=5432
    )
    metrics = XProvider().fetch_metrics(account, [tweet, "1"])
    assert set(metrics) == {tweet}
    m = metrics[tweet]
    assert (m.likes, m.reposts, m.replies, m.views) == (234, 50, 12, 5432)


def test_refresh_without_refresh_token(fake: FakeX) -> None:
    with pytest.raises(AuthExpired):
        XProvider().refresh_token(AccountAuth(network="x", remote_id=USER))
    assert fake.requests == []
