"""Instagram provider against the local Graph fake (contract §4)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from crmapp.services.social import textrules
from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    MediaItem,
    NormalizedPost,
    RateLimited,
    Rejected,
    TokenSet,
    Transient,
)
from crmapp.services.social.providers.instagram import InstagramProvider, check_caption
from crmapp.services.social.registry import get_provider
from crmapp.settings import get_settings
from tests.fakes.http_fake import Reply
from tests.fakes.meta_fake import APP_ID, APP_SECRET, FakeMeta

pytestmark = pytest.mark.unit

PAGE, IG = "111", "17840000000000001"
M = r"/v23\.0/" + IG


@pytest.fixture
def meta(monkeypatch) -> Iterator[FakeMeta]:
    fake = FakeMeta().start()
    monkeypatch.setenv("TANDEM_META_GRAPH_BASE", fake.base_url)
    monkeypatch.setenv("TANDEM_META_GRAPH_VERSION", "v23.0")
    monkeypatch.setenv("TANDEM_META_APP_ID", APP_ID)
    monkeypatch.setenv("TANDEM_META_APP_SECRET", APP_SECRET)
    monkeypatch.setattr(InstagramProvider, "poll_interval", 0.01)
    get_settings.cache_clear()
    try:
        yield fake
    finally:
        fake.stop()
        get_settings.cache_clear()


@pytest.fixture
def account(meta) -> AccountAuth:
    token = meta.add_page(PAGE, "Acme Bakery", ig_id=IG, ig_username="acmebakery")
    return AccountAuth(
        network="instagram",
        remote_id=IG,
        handle="acmebakery",
        kind="instagram_business",
        access_token=token,
        extra={"page_id": PAGE},
    )


def image(url: str = "https://cdn.example/a.jpg") -> MediaItem:
    return MediaItem(content_type="image/jpeg", data=b"", url=url)


def video(url: str = "https://cdn.example/v.mp4") -> MediaItem:
    return MediaItem(content_type="video/mp4", data=b"", url=url)


def post(*media: MediaItem, text: str = "Fresh bread #bakery", fmt: str = "feed") -> NormalizedPost:
    return NormalizedPost(text=text, idempotency_key="k1", media=media, format=fmt)


def test_registered_with_its_limits():
    provider = get_provider("instagram")
    assert isinstance(provider, InstagramProvider)
    assert (provider.text_rules.limit, provider.max_media, provider.threads) == (2200, 10, False)


def test_feed_image_checks_quota_creates_polls_publishes(meta, account):
    result = InstagramProvider().publish(post(image()), account)
    (limit,) = meta.calls("GET", M + "/content_publishing_limit")
    assert "quota_usage" in limit.arg("fields") and limit.bearer() == account.access_token
    (create,) = meta.calls("POST", M + "/media")
    assert create.arg("image_url") == "https://cdn.example/a.jpg"
    assert create.arg("caption") == "Fresh bread #bakery"
    (publish,) = meta.calls("POST", M + "/media_publish")
    container = publish.arg("creation_id")
    assert meta.calls("GET", r"/v23\.0/" + container)
    assert meta.containers[container]["published"]
    assert result.remote_id in meta.ig_media and result.part_ids == (result.remote_id,)
    assert result.url == meta.ig_media[result.remote_id]["permalink"]
    assert meta.ig_users[IG]["usage"] == 1


def test_in_progress_container_is_polled_until_finished(meta, account):
    meta.in_progress_polls = 3
    InstagramProvider().publish(post(video(), fmt="reel"), account)
    (create,) = meta.calls("POST", M + "/media")
    container = meta.calls("POST", M + "/media_publish")[0].arg("creation_id")
    assert len(meta.calls("GET", r"/v23\.0/" + container)) == 4
    assert create.arg("media_type") == "REELS" and create.arg("video_url").endswith("v.mp4")


def test_container_that_never_finishes_is_transient_and_not_published(meta, account, monkeypatch):
    monkeypatch.setattr(InstagramProvider, "max_polls", 3)
    meta.in_progress_polls = 100
    with pytest.raises(Transient, match="still processing"):
        InstagramProvider().publish(post(image()), account)
    assert not meta.calls("POST", M + "/media_publish")


def test_single_video_in_the_feed_goes_out_as_a_reel(meta, account):
    InstagramProvider().publish(post(video()), account)
    assert meta.calls("POST", M + "/media")[0].arg("media_type") == "REELS"


def test_story_has_no_caption(meta, account):
    InstagramProvider().publish(post(image(), fmt="story", text="#x " * 40), account)
    (create,) = meta.calls("POST", M + "/media")
    assert create.arg("media_type") == "STORIES" and create.arg("caption") == ""


def test_carousel_creates_children_then_a_parent_and_publishes_once(meta, account):
    result = InstagramProvider().publish(
        post(image(), video(), image("https://cdn.example/b.jpg")), account
    )
    creates = meta.calls("POST", M + "/media")
    children, parent = creates[:3], creates[3]
    assert [c.arg("is_carousel_item") for c in children] == ["true"] * 3
    assert children[1].arg("media_type") == "VIDEO" and not children[0].arg("caption")
    child_ids = [meta.containers[cid]["id"] for cid in parent.arg("children").split(",")]
    assert len(child_ids) == 3 and parent.arg("media_type") == "CAROUSEL"
    assert parent.arg("caption") == "Fresh bread #bakery"
    assert len(meta.calls("POST", M + "/media_publish")) == 1
    assert meta.ig_media[result.remote_id]["media_type"] == "CAROUSEL"
    assert meta.ig_users[IG]["usage"] == 1


def test_bad_aspect_ratio_is_rejected_with_what_to_do(meta, account):
    with pytest.raises(Rejected, match=r"between 4:5 and 1\.91:1.*crop"):
        InstagramProvider().publish(post(image("https://cdn.example/bad-ratio.jpg")), account)
    assert not meta.calls("POST", M + "/media_publish")


def test_scripted_container_error_names_the_problem(meta, account):
    meta.fail_container(2207004)
    with pytest.raises(Rejected, match="8 MB"):
        InstagramProvider().publish(post(image()), account)


def test_quota_reached_is_rate_limited_before_creating_anything(meta, account):
    meta.quota_total = 1
    InstagramProvider().publish(post(image()), account)
    with pytest.raises(RateLimited) as caught:
        InstagramProvider().publish(post(image()), account)
    assert caught.value.retry_at > datetime.now(UTC) + timedelta(minutes=55)
    assert len(meta.calls("POST", M + "/media")) == 1


def test_daily_limit_error_on_publish_is_rate_limited(meta, account):
    body = {"error": {"message": "limit", "code": 9, "error_subcode": 2207042}}
    meta.fail_next("POST", M + "/media_publish", Reply(400, body))
    with pytest.raises(RateLimited):
        InstagramProvider().publish(post(image()), account)


@pytest.mark.parametrize(
    ("the_post", "words"),
    [
        (post(), "need an image or a video"),
        (post(image(), text="x" * 2201), "2200"),
        (post(image(), text=" ".join(f"#t{n}" for n in range(31))), "has 31: remove 1"),
        (
            post(image(), text=" ".join(f"@u{n}" for n in range(21))),
            "20 @mentions; this caption has 21",
        ),
        (post(image(), fmt="reel"), "one video"),
        (post(image(), image(), fmt="story"), "one image or video"),
        (post(image(), fmt="carousel"), "2 to 10"),
        (post(*(image() for _ in range(11))), "at most 10"),
        (post(MediaItem("image/jpeg", b"...", filename="a.jpg")), "public URL"),
    ],
)
def test_content_instagram_would_refuse_is_rejected_before_sending(meta, account, the_post, words):
    with pytest.raises(Rejected, match=words):
        InstagramProvider().publish(the_post, account)
    assert not meta.requests  # refused before even reading the quota


def test_caption_limits_count_tags_not_lookalikes():
    check_caption("email a@b.com &#39; " + " ".join(f"#t{n}" for n in range(30)))


def _accepted_by_publishing(caption: str) -> bool:
    try:
        check_caption(caption)
    except Rejected:
        return False
    return True


def _accepted_by_the_composer(caption: str) -> bool:
    return textrules.problems("instagram", caption, media_count=1) == []


@pytest.mark.parametrize(
    ("edge", "tags"),
    [
        ("#tag#tag", 2),  # Instagram links both
        ("#über", 1),
        ("word#notatag", 0),
        ("#123", 1),  # counted: the stricter of the two old rules
        ("#2026launch", 1),
        ("(#tag).", 1),
        ("#tag,#next!", 2),
        ("&#39;", 0),
        ("##tag", 1),
        ("\uff03fullwidth", 1),
        ("https://example.com/#anchor", 1),  # Instagram links no URL: the tag stands
    ],
)
def test_composer_and_publishing_count_hashtags_alike(edge: str, tags: int) -> None:
    fill = " ".join(f"#t{n}" for n in range(30 - tags))
    at_limit, over = f"{fill} {edge}", f"{fill} {edge} #onemore"
    assert _accepted_by_the_composer(at_limit) and _accepted_by_publishing(at_limit)
    assert not _accepted_by_the_composer(over) and not _accepted_by_publishing(over)


@pytest.mark.parametrize(
    ("edge", "mentions"),
    [
        ("@user.name", 1),
        ("a@b.com", 0),
        ("@user@other", 1),
        ("@@user", 0),
        ("@first,@second", 2),
        ("@.", 1),  # counted: the stricter of the two old rules
        ("(@über_name)", 1),
    ],
)
def test_composer_and_publishing_count_mentions_alike(edge: str, mentions: int) -> None:
    fill = " ".join(f"@u{n}" for n in range(20 - mentions))
    at_limit, over = f"{fill} {edge}", f"{fill} {edge} @onemore"
    assert _accepted_by_the_composer(at_limit) and _accepted_by_publishing(at_limit)
    assert not _accepted_by_the_composer(over) and not _accepted_by_publishing(over)


def test_expired_token_is_auth_expired(meta, account):
    meta.expire_token(account.access_token)
    with pytest.raises(AuthExpired):
        InstagramProvider().publish(post(image()), account)


def test_app_throttle_is_rate_limited(meta, account):
    meta.rate_limit(4, minutes=20)
    with pytest.raises(RateLimited) as caught:
        InstagramProvider().publish(post(image()), account)
    assert caught.value.retry_at > datetime.now(UTC) + timedelta(minutes=19)


def test_permalink_failure_does_not_fail_a_published_post(meta, account):
    # container polls succeed (first read), the permalink read (second) fails
    status = r"/v23\.0/\d+"
    provider = InstagramProvider()
    provider._permalink = lambda acct, media_id: (  # type: ignore[method-assign]
        meta.fail_next("GET", status, Reply(500, {"error": {"code": 2, "message": "x"}}))
        or InstagramProvider._permalink(provider, acct, media_id)
    )
    result = provider.publish(post(image()), account)
    assert result.remote_id in meta.ig_media and result.url == ""


# --- login, identities, refresh ---------------------------------------------------------------


def test_identities_are_the_instagram_accounts_linked_to_pages(meta):
    meta.add_page(PAGE, "Acme Bakery", ig_id=IG, ig_username="acmebakery")
    meta.add_page("222", "No Instagram here")
    user = meta.add_user_token("long-user-1")
    tokens = TokenSet(access_token=user, expires_at=datetime.now(UTC) + timedelta(days=60))
    (identity,) = InstagramProvider().identities(tokens)
    assert (identity.kind, identity.remote_id, identity.handle) == (
        "instagram_business",
        IG,
        "acmebakery",
    )
    assert identity.extra["page_id"] == PAGE
    assert identity.tokens.access_token == meta.pages[PAGE]["token"]
    assert identity.tokens.extra["user_token"] == user
    (call,) = meta.calls("GET", r"/v23\.0/me/accounts")
    assert "instagram_business_account" in call.arg("fields")


def test_refresh_reads_the_linked_page_token(meta, account):
    user = meta.add_user_token("long-user-2")
    acct = AccountAuth(
        "instagram",
        IG,
        access_token=account.access_token,
        extra={"page_id": PAGE, "user_token": user},
    )
    new_token = meta.rotate_page_token(PAGE)
    assert InstagramProvider().refresh_token(acct).access_token == new_token
    with pytest.raises(AuthExpired):
        InstagramProvider().refresh_token(AccountAuth("instagram", IG, extra={"user_token": user}))


# --- inbox and metrics ------------------------------------------------------------------------


def test_inbox_reads_comments_and_replies_newer_than_since(meta, account):
    media_id = InstagramProvider().publish(post(image()), account).remote_id
    since = datetime.now(UTC) - timedelta(hours=5)
    meta.add_ig_comment(media_id, "old", username="olga", created=since - timedelta(hours=1))
    meta.add_ig_comment(
        media_id,
        "I love this!",
        username="ann",
        created=since + timedelta(hours=1),
        replies=[
            ("acmebakery", "Thanks!", since + timedelta(hours=2)),
            ("bo", "Me too", since + timedelta(hours=3)),
        ],
    )
    other = InstagramProvider().publish(post(image()), account).remote_id
    meta.add_ig_comment(other, "not asked for", username="cy", created=since + timedelta(hours=1))
    items = InstagramProvider().fetch_inbox(account, [media_id], since)
    assert sorted((i.kind, i.author, i.text) for i in items) == [
        ("comment", "ann", "I love this!"),
        ("reply", "bo", "Me too"),
    ]
    assert all(i.post_remote_id == media_id for i in items)
    assert items[0].url == meta.ig_media[media_id]["permalink"]
    assert len(InstagramProvider().fetch_inbox(account, [media_id], None)) == 3
    assert len(InstagramProvider().fetch_inbox(account, [media_id, other], None)) == 4


def test_metrics_map_views_likes_comments_shares(meta, account):
    ids = [
        InstagramProvider().publish(post(image(), text=f"p{n}"), account).remote_id
        for n in range(3)
    ]
    meta.ig_media[ids[0]]["insights"] = {
        "views": 900,
        "likes": 40,
        "comments": 5,
        "shares": 2,
        "reach": 1,
    }
    meta.ig_media[ids[1]]["too_few_viewers"] = True
    metrics = InstagramProvider().fetch_metrics(account, ids)
    assert list(metrics) == [ids[0]]  # too few viewers and empty data are left out
    got = metrics[ids[0]]
    assert (got.views, got.likes, got.replies, got.reposts) == (900, 40, 5, 2)
    call = meta.calls("GET", rf"/v23\.0/{ids[0]}/insights")[0]
    assert "impressions" not in call.arg("metric").split(",")
