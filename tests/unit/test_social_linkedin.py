"""The LinkedIn provider against the local fake LinkedIn (contract §2)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from crmapp.services.social import http
from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    MediaItem,
    NormalizedPost,
    NotSupported,
    OAuthFlow,
    RateLimited,
    Rejected,
    TokenSet,
    Transient,
)
from crmapp.services.social.providers.linkedin import LinkedInProvider
from crmapp.services.social.providers.linkedin_api import escape_little_text, next_utc_midnight
from crmapp.services.social.registry import provider_class
from crmapp.settings import get_settings
from tests.fakes.http_fake import Reply
from tests.fakes.linkedin_fake import FakeLinkedIn

pytestmark = pytest.mark.unit

PERSON = "8675309"
ORG = "2414183"
JPG = MediaItem(content_type="image/jpeg", data=b"\xff\xd8 fake jpeg", alt="A chart")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLinkedIn]:
    server = FakeLinkedIn(client_id="li-client", client_secret="li-secret").start()
    server.add_organization(ORG, "Harbour Works")
    monkeypatch.setenv("TANDEM_LINKEDIN_API_BASE", server.base_url)
    monkeypatch.setenv("TANDEM_LINKEDIN_OAUTH_BASE", server.base_url)
    monkeypatch.setenv("TANDEM_LINKEDIN_CLIENT_ID", "li-client")
    monkeypatch.setenv("TANDEM_LINKEDIN_CLIENT_SECRET", "li-secret")
    monkeypatch.setenv("TANDEM_LINKEDIN_VERSION", "202601")
    get_settings.cache_clear()
    http.reset_client()
    yield server
    server.stop()
    get_settings.cache_clear()
    http.reset_client()


def _account(fake: FakeLinkedIn, kind: str = "person", **extra: object) -> AccountAuth:
    return AccountAuth(
        network="linkedin",
        remote_id=ORG if kind == "organization" else PERSON,
        kind=kind,
        access_token=fake.issue_token(PERSON),
        refresh_token=fake.issue_refresh(PERSON),
        extra=dict(extra),
    )


def _post(text: str = "Hello LinkedIn", **kwargs: object) -> NormalizedPost:
    return NormalizedPost(text=text, idempotency_key="k", **kwargs)  # type: ignore[arg-type]


def test_registered_with_its_limits() -> None:
    assert provider_class("linkedin") is LinkedInProvider
    assert (LinkedInProvider.text_rules.limit, LinkedInProvider.threads) == (3000, False)


def test_little_text_escaping() -> None:
    assert escape_little_text(r"a (b) #c @d_e \ ok") == r"a \(b\) \#c \@d\_e \\ ok"
    assert escape_little_text("<>~|[]*{}") == r"\<\>\~\|\[\]\*\{\}"


def test_publish_as_person_escapes_and_reads_the_header(fake: FakeLinkedIn) -> None:
    result = LinkedInProvider().publish(_post("Launch (beta) #news"), _account(fake))
    assert result.remote_id.startswith("urn:li:share:")
    assert result.url == f"https://www.linkedin.com/feed/update/{result.remote_id}"
    assert result.part_ids == (result.remote_id,)
    stored = fake.posts[result.remote_id]
    assert stored["author"] == f"urn:li:person:{PERSON}"
    assert stored["commentary"] == r"Launch \(beta\) \#news"
    assert stored["text"] == "Launch (beta) #news"
    sent = fake.calls("POST", r"/rest/posts")[0]
    assert sent.headers["linkedin-version"] == "202601"
    assert sent.headers["x-restli-protocol-version"] == "2.0.0"


def test_publish_as_organization_with_one_image(fake: FakeLinkedIn) -> None:
    account = _account(fake, "organization")
    result = LinkedInProvider().publish(_post(media=(JPG,)), account)
    stored = fake.posts[result.remote_id]
    assert stored["author"] == f"urn:li:organization:{ORG}"
    media = stored["content"]["media"]
    assert fake.images[media["id"]]["data"] == JPG.data
    assert fake.images[media["id"]]["owner"] == f"urn:li:organization:{ORG}"
    assert media["altText"] == "A chart"


def test_publish_multi_image(fake: FakeLinkedIn) -> None:
    result = LinkedInProvider().publish(_post(media=(JPG, JPG, JPG)), _account(fake))
    images = fake.posts[result.remote_id]["content"]["multiImage"]["images"]
    assert len(images) == 3 and len({i["id"] for i in images}) == 3
    assert len(fake.calls("PUT", r"/dms-uploads/\w+")) == 3


def test_link_is_appended_once(fake: FakeLinkedIn) -> None:
    result = LinkedInProvider().publish(_post("Read", link="https://ex.com/a"), _account(fake))
    assert fake.posts[result.remote_id]["text"] == "Read\n\nhttps://ex.com/a"


def test_too_long_and_video_refused_before_sending(fake: FakeLinkedIn) -> None:
    with pytest.raises(Rejected, match="shorten it"):
        LinkedInProvider().publish(_post("a" * 3001), _account(fake))
    video = MediaItem(content_type="video/mp4", data=b"v")
    with pytest.raises(NotSupported):
        LinkedInProvider().publish(_post(media=(video,)), _account(fake))
    assert fake.calls("POST", r"/rest/posts") == []


def test_duplicate_is_rejected(fake: FakeLinkedIn) -> None:
    account = _account(fake)
    LinkedInProvider().publish(_post(), account)
    with pytest.raises(Rejected, match="duplicate content: change the text"):
        LinkedInProvider().publish(_post(), account)


def test_organization_not_administered_is_rejected(fake: FakeLinkedIn) -> None:
    account = AccountAuth(
        network="linkedin", remote_id="999", kind="organization", access_token=fake.issue_token()
    )
    with pytest.raises(Rejected, match="may post as this author"):
        LinkedInProvider().publish(_post(), account)


def test_expired_token_is_auth_expired(fake: FakeLinkedIn) -> None:
    account = AccountAuth(
        network="linkedin", remote_id=PERSON, access_token=fake.issue_token(expires_in=-1)
    )
    with pytest.raises(AuthExpired):
        LinkedInProvider().publish(_post(), account)


def test_throttle_retries_at_utc_midnight(fake: FakeLinkedIn) -> None:
    fake.daily_limit = 0
    with pytest.raises(RateLimited) as error:
        LinkedInProvider().publish(_post(), _account(fake))
    retry_at = error.value.retry_at
    assert retry_at == next_utc_midnight()
    assert retry_at is not None and (retry_at.hour, retry_at.minute) == (0, 0)
    assert timedelta(0) < retry_at - datetime.now(UTC) <= timedelta(days=1)


def test_throttle_honours_retry_after_when_linkedin_sends_one(fake: FakeLinkedIn) -> None:
    fake.daily_limit, fake.retry_after = 0, "5"
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as error:
        LinkedInProvider().publish(_post(), _account(fake))
    retry_at = error.value.retry_at
    assert retry_at is not None
    assert timedelta(seconds=5) <= retry_at - before <= timedelta(seconds=10)
    assert "midnight" not in str(error.value)


def test_validation_message_and_server_error(fake: FakeLinkedIn) -> None:
    fake.fail_next(
        "POST", r"/rest/posts", Reply(422, {"message": "ERROR :: /x :: bad", "status": 422})
    )
    with pytest.raises(Rejected, match="ERROR :: /x :: bad"):
        LinkedInProvider().publish(_post(), _account(fake))
    fake.fail_next("POST", r"/rest/posts", Reply(504, {"message": "Gateway", "status": 504}))
    with pytest.raises(Transient):
        LinkedInProvider().publish(_post(), _account(fake))


def test_fake_rejects_malformed_posts(fake: FakeLinkedIn) -> None:
    token = fake.issue_token()
    url = f"{fake.base_url}/rest/posts"
    good = {
        "author": f"urn:li:person:{PERSON}",
        "commentary": "hi",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
    }
    full = {
        "Authorization": f"Bearer {token}",
        "LinkedIn-Version": "202601",
        "X-Restli-Protocol-Version": "2.0.0",
    }

    def send(body: dict[str, object], headers: dict[str, str]) -> int:
        return http.request("POST", url, json=body, headers=headers).status_code

    no_version = {k: v for k, v in full.items() if k != "LinkedIn-Version"}
    no_restli = {k: v for k, v in full.items() if k != "X-Restli-Protocol-Version"}
    no_auth = {k: v for k, v in full.items() if k != "Authorization"}
    assert send(good, no_version) == 400
    assert send(good, no_restli) == 400
    assert send(good, no_auth) == 401
    assert send({**good, "author": "urn:li:company:1"}, full) == 422
    assert send({k: v for k, v in good.items() if k != "commentary"}, full) == 422
    assert send({**good, "unexpected": 1}, full) == 422
    assert send({**good, "commentary": "unescaped (paren)"}, full) == 422
    assert send(good, full) == 201


# --- OAuth and identities ----------------------------------------------------------------------


def test_authorization_url(fake: FakeLinkedIn) -> None:
    url = LinkedInProvider().authorization_url(OAuthFlow("https://app/cb", state="s"))
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{fake.base_url}/oauth/v2/authorization"
    )
    assert (query["client_id"], query["state"], query["redirect_uri"]) == (
        "li-client",
        "s",
        "https://app/cb",
    )
    assert "w_member_social" in query["scope"] and "w_organization_social" in query["scope"]


def test_exchange_code_then_identities(fake: FakeLinkedIn) -> None:
    code = fake.authorize(redirect_uri="https://app/cb")
    tokens = LinkedInProvider().exchange_code(OAuthFlow("https://app/cb"), code)
    assert tokens.access_token in fake.tokens and tokens.refresh_token in fake.refresh_tokens
    assert tokens.expires_at is not None and tokens.expires_at > datetime.now(UTC) + timedelta(
        days=59
    )
    form = fake.calls("POST", r"/oauth/v2/accessToken")[0].form()
    assert form["client_secret"] == ["li-secret"] and form["grant_type"] == ["authorization_code"]
    people = LinkedInProvider().identities(tokens)
    assert [(i.kind, i.remote_id, i.display_name) for i in people] == [
        ("person", PERSON, "Ada Lovelace"),
        ("organization", ORG, "Harbour Works"),
    ]
    assert people[1].handle == "harbour-works"


def test_identities_without_admin_scope(fake: FakeLinkedIn) -> None:
    fake.fail_next(
        "GET",
        r"/rest/organizationAcls",
        Reply(403, {"message": "Not enough permissions", "status": 403}),
    )
    people = LinkedInProvider().identities(TokenSet(access_token=fake.issue_token()))
    assert [i.kind for i in people] == ["person"]


def test_identities_show_a_failure_to_list_pages_instead_of_hiding_them(
    fake: FakeLinkedIn,
) -> None:
    fake.fail_next(
        "GET", r"/rest/organizationAcls", Reply(404, {"message": "Not found", "status": 404})
    )
    with pytest.raises(Rejected, match="company pages") as error:
        LinkedInProvider().identities(TokenSet(access_token=fake.issue_token()))
    assert "Not found" in str(error.value)
    fake.fail_next(
        "GET", r"/rest/organizationAcls", Reply(500, {"message": "Internal", "status": 500})
    )
    with pytest.raises(Transient):
        LinkedInProvider().identities(TokenSet(access_token=fake.issue_token()))


def test_bad_code_is_auth_expired(fake: FakeLinkedIn) -> None:
    with pytest.raises(AuthExpired):
        LinkedInProvider().exchange_code(OAuthFlow("https://app/cb"), "nope")


def test_refresh_is_non_sliding(fake: FakeLinkedIn) -> None:
    account = _account(fake)
    fresh = LinkedInProvider().refresh_token(account)
    assert fresh.access_token in fake.tokens and fresh.access_token != account.access_token
    assert fresh.refresh_token == account.refresh_token  # the same token comes back
    left = datetime.fromisoformat(fresh.extra["refresh_token_expires_at"]) - datetime.now(UTC)
    assert timedelta(days=364) < left <= timedelta(days=365)
    again = LinkedInProvider().refresh_token(account)  # still valid: not single use
    assert again.refresh_token == account.refresh_token


def test_refresh_rotated_and_absent(fake: FakeLinkedIn) -> None:
    fake.rotate_refresh = True
    account = _account(fake)
    fresh = LinkedInProvider().refresh_token(account)
    assert fresh.refresh_token and fresh.refresh_token != account.refresh_token
    with pytest.raises(AuthExpired):
        LinkedInProvider().refresh_token(account)
    with pytest.raises(AuthExpired, match="no refresh token"):
        LinkedInProvider().refresh_token(AccountAuth(network="linkedin", remote_id=PERSON))
    fake.issue_refresh_tokens = False
    code = fake.authorize(redirect_uri="https://app/cb")
    tokens = LinkedInProvider().exchange_code(OAuthFlow("https://app/cb"), code)
    assert tokens.refresh_token == ""


# --- inbox and metrics ------------------------------------------------------------------------


def test_inbox_reads_comments_on_known_posts(fake: FakeLinkedIn) -> None:
    now = datetime.now(UTC)
    post = "urn:li:share:123"
    fake.add_comment(post, "urn:li:person:A", "old", now - timedelta(days=3))
    new = fake.add_comment(post, "urn:li:person:B", "nice", now - timedelta(minutes=5))
    fake.add_comment(post, f"urn:li:person:{PERSON}", "thanks", now)  # our own reply
    for n in range(60):
        fake.add_comment("urn:li:share:456", "urn:li:person:C", f"c{n}", now)
    fake.add_comment("urn:li:share:789", "urn:li:person:D", "not ours", now)  # not Tandem's
    items = LinkedInProvider().fetch_inbox(
        _account(fake), [post, "urn:li:share:456"], now - timedelta(hours=1)
    )
    first = items[0]
    assert (first.kind, first.author, first.text, first.post_remote_id) == (
        "comment",
        "urn:li:person:B",
        "nice",
        post,
    )
    assert first.remote_id == f"urn:li:comment:({post},{new})"
    assert len(items) == 61  # pages followed on the second post
    assert all(i.post_remote_id != "urn:li:share:789" for i in items)
    assert LinkedInProvider().fetch_inbox(_account(fake), [], None) == []


def test_inbox_reads_comments_on_the_posts_published_with_tandem(fake: FakeLinkedIn) -> None:
    account = _account(fake)
    urn = LinkedInProvider().publish(_post("Our launch"), account).remote_id
    fake.add_comment(urn, "urn:li:person:B", "Congrats!", datetime.now(UTC))
    (item,) = LinkedInProvider().fetch_inbox(account, [urn], None)
    assert (item.kind, item.text, item.post_remote_id) == ("comment", "Congrats!", urn)


def test_metrics_for_organization_posts(fake: FakeLinkedIn) -> None:
    fake.stats["urn:li:share:123"] = {
        "likeCount": 3,
        "shareCount": 1,
        "commentCount": 2,
        "impressionCount": 40,
        "clickCount": 5,
        "uniqueImpressionsCount": 10,
    }
    account = _account(fake, "organization")
    metrics = LinkedInProvider().fetch_metrics(account, ["urn:li:share:123", "urn:li:share:9"])
    assert set(metrics) == {"urn:li:share:123"}
    m = metrics["urn:li:share:123"]
    assert (m.likes, m.reposts, m.replies, m.views, m.clicks) == (3, 1, 2, 40, 5)
    sent = fake.calls("GET", r"/rest/organizationalEntityShareStatistics")[0]
    assert sent.arg("shares").startswith("List(")
    assert LinkedInProvider().fetch_metrics(_account(fake), ["urn:li:share:123"]) == {}
