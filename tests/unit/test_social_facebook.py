"""Facebook Pages provider against the local Graph fake (contract §3)."""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    MediaItem,
    NormalizedPost,
    OAuthFlow,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    TokenSet,
    Transient,
)
from crmapp.services.social.providers import meta_graph
from crmapp.services.social.providers.facebook import FacebookProvider
from crmapp.services.social.registry import get_provider
from crmapp.settings import get_settings
from tests.fakes.http_fake import Reply
from tests.fakes.meta_fake import APP_ID, APP_SECRET, FakeMeta

pytestmark = pytest.mark.unit

PAGE = "111"


@pytest.fixture
def meta(monkeypatch) -> Iterator[FakeMeta]:
    fake = FakeMeta().start()
    monkeypatch.setenv("TANDEM_META_GRAPH_BASE", fake.base_url)
    monkeypatch.setenv("TANDEM_META_OAUTH_BASE", "https://fb.example")
    monkeypatch.setenv("TANDEM_META_GRAPH_VERSION", "v23.0")
    monkeypatch.setenv("TANDEM_META_APP_ID", APP_ID)
    monkeypatch.setenv("TANDEM_META_APP_SECRET", APP_SECRET)
    get_settings.cache_clear()
    try:
        yield fake
    finally:
        fake.stop()
        get_settings.cache_clear()


def _account(meta: FakeMeta, **extra) -> AccountAuth:
    token = (
        meta.add_page(PAGE, "Acme Bakery") if PAGE not in meta.pages else meta.pages[PAGE]["token"]
    )
    return AccountAuth(
        network="facebook", remote_id=PAGE, kind="page", access_token=token, extra=extra
    )


def _post(text: str = "Fresh bread today", **kwargs) -> NormalizedPost:
    return NormalizedPost(text=text, idempotency_key="k1", **kwargs)


def _image(url: str = "https://cdn.example/a.jpg") -> MediaItem:
    return MediaItem(content_type="image/jpeg", data=b"", url=url)


def test_registered_with_its_limits():
    provider = get_provider("facebook")
    assert isinstance(provider, FacebookProvider)
    assert (provider.text_rules.limit, provider.max_media, provider.threads) == (63206, 10, False)


def test_text_and_link_post_goes_to_the_feed(meta):
    account = _account(meta)
    result = FacebookProvider().publish(_post(link="https://acme.example"), account)
    (call,) = meta.calls("POST", r"/v23\.0/111/feed")
    assert call.bearer() == account.access_token
    assert call.json() == {
        "message": "Fresh bread today",
        "link": "https://acme.example",
        "published": True,
    }
    assert result.remote_id.startswith(f"{PAGE}_") and result.remote_id in meta.posts
    assert result.url == f"https://www.facebook.com/{result.remote_id}"
    assert result.part_ids == (result.remote_id,)


def test_one_photo_by_url_returns_the_post_id(meta):
    result = FacebookProvider().publish(
        _post(media=(_image(),), link="https://acme.example"), _account(meta)
    )
    (call,) = meta.calls("POST", r"/v23\.0/111/photos")
    assert call.json()["url"] == "https://cdn.example/a.jpg"
    assert call.json()["caption"] == "Fresh bread today\n\nhttps://acme.example"
    assert meta.posts[result.remote_id]["message"].startswith("Fresh bread")


def test_one_photo_as_bytes_is_a_multipart_source(meta):
    item = MediaItem(content_type="image/png", data=b"\x89PNG...", filename="loaf.png")
    result = FacebookProvider().publish(_post(media=(item,)), _account(meta))
    (call,) = meta.calls("POST", r"/v23\.0/111/photos")
    parts = call.multipart()
    assert parts["source"] == ("loaf.png", b"\x89PNG...", "image/png")
    assert parts["caption"][1] == b"Fresh bread today"
    assert result.remote_id in meta.posts


def test_several_photos_are_uploaded_unpublished_then_attached(meta):
    media = tuple(_image(f"https://cdn.example/{n}.jpg") for n in range(3))
    result = FacebookProvider().publish(_post(media=media), _account(meta))
    uploads = meta.calls("POST", r"/v23\.0/111/photos")
    assert [c.json()["published"] for c in uploads] == [False, False, False]
    (feed,) = meta.calls("POST", r"/v23\.0/111/feed")
    attached = [a["media_fbid"] for a in feed.json()["attached_media"]]
    assert len(attached) == 3
    assert meta.posts[result.remote_id]["photos"] == attached
    assert all(meta.photos[p]["published"] for p in attached)


def test_video_uses_file_url_and_description(meta):
    video = MediaItem(content_type="video/mp4", data=b"", url="https://cdn.example/v.mp4")
    result = FacebookProvider().publish(_post(media=(video,)), _account(meta))
    (call,) = meta.calls("POST", r"/v23\.0/111/videos")
    assert call.json()["file_url"] == "https://cdn.example/v.mp4"
    assert meta.videos[result.remote_id]["description"] == "Fresh bread today"
    assert result.url == f"https://www.facebook.com/{PAGE}/videos/{result.remote_id}"


@pytest.mark.parametrize(
    ("post", "words"),
    [
        (_post(""), "empty"),
        (_post("x" * 63207), "63206"),
        (_post(media=(_image(), MediaItem("video/mp4", b"", url="https://v"))), "not both"),
        (_post(media=tuple(_image() for _ in range(11))), "at most 10"),
    ],
)
def test_content_facebook_would_refuse_is_rejected_before_sending(meta, post, words):
    with pytest.raises(Rejected, match=words):
        FacebookProvider().publish(post, _account(meta))
    assert not [r for r in meta.requests if r.method == "POST"]


def test_duplicate_post_is_rejected_with_a_reason(meta):
    account = _account(meta)
    FacebookProvider().publish(_post(), account)
    with pytest.raises(Rejected, match="duplicate"):
        FacebookProvider().publish(_post(), account)


def test_expired_or_missing_token_is_auth_expired(meta):
    account = _account(meta)
    meta.expire_token(account.access_token)
    with pytest.raises(AuthExpired):
        FacebookProvider().publish(_post(), account)
    with pytest.raises(AuthExpired):
        FacebookProvider().publish(_post(), AccountAuth(network="facebook", remote_id=PAGE))


def test_throttle_with_business_usage_header_sets_retry_at(meta):
    meta.rate_limit(4, minutes=7)
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as caught:
        FacebookProvider().publish(_post(), _account(meta))
    assert caught.value.retry_at is not None
    assert timedelta(minutes=6) < caught.value.retry_at - before < timedelta(minutes=8)


def test_page_throttle_without_an_estimate_waits_for_the_window(meta):
    meta.rate_limit(32, minutes=0)
    with pytest.raises(RateLimited) as caught:
        FacebookProvider().publish(_post(), _account(meta))
    wait = caught.value.retry_at - datetime.now(UTC)
    assert timedelta(minutes=14) < wait <= meta_graph.FULL_USAGE_WAIT


def test_throttle_without_headers_gets_a_default_wait(meta):
    body = {"error": {"message": "(#80001) There have been too many calls", "code": 80001}}
    meta.fail_next("POST", r"/v23\.0/111/feed", Reply(400, body))
    with pytest.raises(RateLimited) as caught:
        FacebookProvider().publish(_post(), _account(meta))
    assert caught.value.retry_at > datetime.now(UTC) + timedelta(minutes=4)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(500, {"error": {"message": "boom", "code": 2, "is_transient": True}}),
        Reply(400, {"error": {"message": "An unknown error occurred", "code": 1}}),
        Reply(503, raw=b"<html>down</html>", content_type="text/html"),
    ],
)
def test_server_side_failures_are_transient(meta, reply):
    meta.fail_next("POST", r"/v23\.0/111/feed", reply)
    with pytest.raises(Transient):
        FacebookProvider().publish(_post(), _account(meta))


def test_lost_answer_on_publish_is_outcome_unknown(meta):
    meta.fail_next("POST", r"/v23\.0/111/feed", Reply(drop=True))
    with pytest.raises(OutcomeUnknown):
        FacebookProvider().publish(_post(), _account(meta))


def _response(error: dict, status: int = 400) -> httpx.Response:
    return httpx.Response(status, json={"error": error}, request=httpx.Request("GET", "http://x"))


@pytest.mark.parametrize(
    ("error", "kind", "words"),
    [
        (
            {"code": 190, "error_subcode": 460, "message": "password changed"},
            AuthExpired,
            "reconnect",
        ),
        ({"code": 100, "message": "x REVOKED_ACCESS_TOKEN"}, AuthExpired, "reconnect"),
        ({"code": 100, "error_subcode": 1366046, "message": "bad photo"}, Rejected, "4 MB"),
        ({"code": 368, "message": "blocked"}, Rejected, "policy"),
        ({"code": 200, "message": "(#200) no perm"}, Rejected, "permission"),
        (
            {"code": 100, "message": "raw", "error_user_msg": "Link is broken"},
            Rejected,
            "Link is broken",
        ),
        ({"code": 613, "message": "slow down"}, RateLimited, "rate limiting"),
    ],
)
def test_error_envelope_translation(error, kind, words):
    translated = meta_graph.translate_error(_response(error))
    assert type(translated) is kind
    assert words in str(translated)


def test_usage_headers_give_the_longest_estimate():
    now = datetime(2030, 1, 1, tzinfo=UTC)
    buc = {
        "1": [{"estimated_time_to_regain_access": 3}],
        "2": [{"estimated_time_to_regain_access": 12}],
    }
    headers = httpx.Headers({"X-Business-Use-Case-Usage": json.dumps(buc)})
    assert meta_graph.usage_retry_at(headers, now=now) == now + timedelta(minutes=12)
    low = httpx.Headers({"X-App-Usage": json.dumps({"call_count": 40, "total_time": 5})})
    assert meta_graph.usage_retry_at(low, now=now) is None


# --- login, pages, refresh --------------------------------------------------------------------


def test_authorization_url_is_the_versioned_dialog(meta):
    url = FacebookProvider().authorization_url(
        OAuthFlow("https://app.example/cb", state="s1", code_challenge="c1")
    )
    parsed = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parsed.query)
    assert (
        f"{parsed.scheme}://{parsed.netloc}{parsed.path}" == "https://fb.example/v23.0/dialog/oauth"
    )
    assert query["client_id"] == [APP_ID] and query["state"] == ["s1"]
    assert "pages_manage_posts" in query["scope"][0]


def test_login_yields_a_long_lived_token_and_one_identity_per_page(meta):
    meta.add_code("code-1")
    meta.add_page(PAGE, "Acme Bakery")
    meta.add_page("222", "Acme Cafe", ig_id="900")
    tokens = FacebookProvider().exchange_code(OAuthFlow("https://app.example/cb"), "code-1")
    assert tokens.access_token.startswith("long-user-")
    assert tokens.expires_at > datetime.now(UTC) + timedelta(days=59)
    identities = FacebookProvider().identities(tokens)
    assert [(i.kind, i.remote_id, i.display_name) for i in identities] == [
        ("page", PAGE, "Acme Bakery"),
        ("page", "222", "Acme Cafe"),
    ]
    assert identities[1].tokens.access_token == meta.pages["222"]["token"]
    assert identities[1].tokens.expires_at is None
    assert identities[1].tokens.extra["user_token"] == tokens.access_token
    with pytest.raises(Rejected):  # a code works once
        FacebookProvider().exchange_code(OAuthFlow("https://a/cb"), "code-1")


def test_tokens_and_the_app_secret_never_reach_the_logs(meta, caplog):
    caplog.set_level(logging.DEBUG)  # everything any logger lets through
    meta.add_code("code-2")
    meta.add_page(PAGE, "Acme Bakery")
    tokens = FacebookProvider().exchange_code(OAuthFlow("https://app.example/cb"), "code-2")
    (page,) = FacebookProvider().identities(tokens)
    FacebookProvider().publish(
        NormalizedPost(text="Fresh bread", idempotency_key="k-log"),
        AccountAuth(
            network="facebook", remote_id=PAGE, kind="page", access_token=page.tokens.access_token
        ),
    )
    assert meta.requests, "the calls were made"
    for secret in (APP_SECRET, tokens.access_token, page.tokens.access_token, "short-code-2"):
        assert secret not in caplog.text


def test_page_listing_follows_paging(meta):
    user = meta.add_user_token("long-user-x")
    for n in range(5):
        meta.add_page(str(300 + n), f"Page {n}")
    pages = list(meta_graph.paged("me/accounts", token=user, params={"fields": "id", "limit": 2}))
    assert [p["id"] for p in pages] == ["300", "301", "302", "303", "304"]
    assert len(meta.calls("GET", r"/v23\.0/me/accounts")) == 3


def test_refresh_rereads_the_page_token_after_it_was_invalidated(meta):
    user = meta.add_user_token("long-user-r")
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    account = _account(meta, user_token=user, user_token_expires_at=expires)
    new_token = meta.rotate_page_token(PAGE)
    with pytest.raises(AuthExpired):
        FacebookProvider().publish(_post(), account)
    tokens = FacebookProvider().refresh_token(account)
    assert tokens.access_token == new_token
    assert tokens.extra["user_token"] == user
    FacebookProvider().publish(_post(), AccountAuth("facebook", PAGE, access_token=new_token))


def test_refresh_without_a_live_user_token_asks_for_reconnect(meta):
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    with pytest.raises(AuthExpired, match="reconnect"):
        FacebookProvider().refresh_token(_account(meta))
    with pytest.raises(AuthExpired):
        FacebookProvider().refresh_token(_account(meta, user_token="u", user_token_expires_at=past))
    assert not meta.calls("GET", r"/v23\.0/me/accounts")
    revoked = meta.add_user_token("long-user-gone")
    meta.expire_token(revoked)
    with pytest.raises(AuthExpired):
        FacebookProvider().refresh_token(_account(meta, user_token=revoked))


# --- inbox and metrics ------------------------------------------------------------------------


def test_inbox_reads_new_comments_and_replies_across_pages(meta):
    account = _account(meta)
    post_id = FacebookProvider().publish(_post(), account).remote_id
    old = datetime.now(UTC) - timedelta(days=2)
    since = datetime.now(UTC) - timedelta(days=1)
    meta.add_comment(post_id, "old news", author=("u0", "Olga"), created=old)
    first = meta.add_comment(
        post_id, "Nice!", author=("u1", "Ann"), created=since + timedelta(hours=1)
    )
    for n in range(27):
        meta.add_comment(
            post_id, f"c{n}", author=("u2", "Bo"), created=since + timedelta(hours=2, minutes=n)
        )
    meta.add_comment(post_id, "Thanks", author=(PAGE, "Acme"), created=since + timedelta(hours=3))
    meta.add_comment(
        post_id, "Agreed", author=("u3", "Cy"), created=since + timedelta(hours=4), parent=first
    )
    other = meta.store_post(PAGE, "posted on Facebook itself")  # not published by Tandem
    meta.add_comment(other, "elsewhere", author=("u9", "Di"), created=since + timedelta(hours=1))
    items = FacebookProvider().fetch_inbox(account, [post_id], since)
    assert len(items) == 29
    assert {i.author for i in items} == {"Ann", "Bo", "Cy"}
    by_text = {i.text: i for i in items}
    assert by_text["Agreed"].kind == "reply" and by_text["Nice!"].kind == "comment"
    assert by_text["Nice!"].post_remote_id == post_id
    assert by_text["Nice!"].created_at == (since + timedelta(hours=1)).replace(microsecond=0)
    assert len(meta.calls("GET", rf"/v23\.0/{post_id}/comments")) == 2


def test_metrics_sum_reactions_and_skip_posts_without_figures(meta):
    account = _account(meta)
    post_id = FacebookProvider().publish(_post(), account).remote_id
    meta.posts[post_id]["insights"] = {
        "post_total_media_view_unique": 340,
        "post_reactions_by_type_total": {"like": 10, "love": 3},
        "post_clicks": 12,
    }
    metrics = FacebookProvider().fetch_metrics(account, [post_id, f"{PAGE}_404"])
    assert list(metrics) == [post_id]
    assert (metrics[post_id].views, metrics[post_id].likes, metrics[post_id].clicks) == (
        340,
        13,
        12,
    )
    (call,) = meta.calls("GET", rf"/v23\.0/{post_id}/insights")
    assert "post_engaged_users" not in call.arg("metric")


def test_metrics_with_an_expired_token_still_raise(meta):
    account = _account(meta)
    meta.expire_token(account.access_token)
    with pytest.raises(AuthExpired):
        FacebookProvider().fetch_metrics(account, [f"{PAGE}_1"])


def test_token_set_from_refresh_does_not_expire(meta):
    user = meta.add_user_token("long-user-t")
    tokens = FacebookProvider().refresh_token(_account(meta, user_token=user))
    assert isinstance(tokens, TokenSet) and tokens.expires_at is None and tokens.refresh_token == ""
