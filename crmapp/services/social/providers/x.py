"""X (Twitter) through API v2 with OAuth 2.0 user tokens (contract §1).

A thread is posted part by part, each part replying to the one before; media is attached to
the first part. X has no idempotency key, so after an unknown outcome `lookup` reads the
account's recent posts and matches the first part's exact text.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import regex

from crmapp.services.social import http
from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    Identity,
    InboxItem,
    Metrics,
    NormalizedPost,
    OAuthFlow,
    PartlyPublished,
    PublishResult,
    Rejected,
    SocialError,
    SocialProvider,
    TokenSet,
)
from crmapp.services.social.providers import x_api
from crmapp.services.social.textcount import TextRules, graphemes, is_emoji
from crmapp.settings import get_settings

MAX_INBOX_PAGES = 5
LOOKUP_WINDOW = 50  # recent posts searched by `lookup`

# twitter-text config v2/v3 (contract §1.5): weights are in hundredths; code points in these
# ranges weigh 100, everything else (and every emoji sequence) 200; every URL counts 23.
WEIGHT_SCALE = 100
DEFAULT_WEIGHT = 200
WEIGHT_RANGES: tuple[tuple[int, int, int], ...] = (
    (0, 4351, 100),
    (8192, 8205, 100),
    (8208, 8223, 100),
    (8242, 8247, 100),
)
URL_WEIGHT = 23  # transformedURLLength
MENTION = regex.compile(r"(?<![\w@＠!#$%&*])[@＠]\w{1,15}(?![\w@])")


def _weight(code_point: int) -> int:
    for start, end, weight in WEIGHT_RANGES:
        if start <= code_point <= end:
            return weight
    return DEFAULT_WEIGHT


def weighted_length(text: str) -> int:
    """twitter-text's weighted length of `text` (links already counted as `URL_WEIGHT`)."""
    total = 0
    for cluster in graphemes(text):
        if is_emoji(cluster):
            total += DEFAULT_WEIGHT
        else:
            total += sum(_weight(ord(ch)) for ch in cluster)
    return total // WEIGHT_SCALE


def post_url(post_id: str, handle: str = "") -> str:
    """The web address of a post (the handle-less form works for any account)."""
    if handle:
        return f"https://x.com/{handle.lstrip('@')}/status/{post_id}"
    return f"https://x.com/i/web/status/{post_id}"


def _replied_to(tweet: dict[str, Any]) -> str:
    for ref in tweet.get("referenced_tweets") or []:
        if ref.get("type") == "replied_to":
            return str(ref.get("id", ""))
    return ""


class XProvider(SocialProvider):
    """X API v2: `POST /2/tweets`, v2 media upload, OAuth 2.0 with PKCE and rotating refresh."""

    name = "x"
    label = "X"
    rank = 10
    text_rules = TextRules(
        limit=280,
        unit=weighted_length,
        normalization="NFC",
        url_weight=URL_WEIGHT,
        mention=MENTION,
    )
    max_media = 4
    aspect_ratios = {"feed": None, "video": (1 / 3, 3.0)}
    threads = True
    can_lookup = True
    settings = ("x_client_id",)

    # --- publishing -------------------------------------------------------------------------

    def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
        """Upload the media, then post each thread part as a reply to the previous one.

        Raises:
            Rejected: too many media, a video mixed with other media, or X refused the content.
            AuthExpired, RateLimited, Transient, OutcomeUnknown: as translated by `x_api`.
        """
        media = post.media
        if len(media) > self.max_media:
            raise Rejected(f"X takes at most {self.max_media} images per post: remove some")
        if any(m.is_video for m in media) and len(media) > 1:
            raise Rejected("X takes one video per post, without other media: remove the extras")
        token = account.access_token
        ids: list[str] = list(post.done_parts)  # an earlier attempt's parts are not re-sent
        media_ids = [] if ids else [x_api.upload_media(item, token) for item in media]
        for index, text in enumerate(post.thread):
            if index < len(ids):
                continue
            body: dict[str, Any] = {"text": text}
            if index == 0 and media_ids:
                body["media"] = {"media_ids": media_ids}
            if ids:
                body["reply"] = {"in_reply_to_tweet_id": ids[-1]}
            try:
                answer = x_api.call("POST", "/2/tweets", token, json=body)
            except SocialError as error:
                if ids:
                    raise PartlyPublished(tuple(ids), error) from error
                raise
            ids.append(str(answer["data"]["id"]))
        return PublishResult(
            remote_id=ids[0], url=post_url(ids[0], account.handle), part_ids=tuple(ids)
        )

    def lookup(self, post: NormalizedPost, account: AccountAuth) -> PublishResult | None:
        """Find the post among the account's recent posts by its first part's exact text,
        then follow later parts that reply to it with the expected text.

        Returns None when the first part is not among the last `LOOKUP_WINDOW` posts.
        """
        answer = x_api.call(
            "GET",
            f"/2/users/{account.remote_id}/tweets",
            account.access_token,
            params={
                "max_results": str(LOOKUP_WINDOW),
                "tweet.fields": "created_at,referenced_tweets",
            },
        )
        tweets = answer.get("data") or []
        parts = post.thread
        first = next((t for t in tweets if t.get("text") == parts[0]), None)
        if first is None:
            return None
        ids = [str(first["id"])]
        for text in parts[1:]:
            reply = next(
                (t for t in tweets if t.get("text") == text and _replied_to(t) == ids[-1]), None
            )
            if reply is None:
                break
            ids.append(str(reply["id"]))
        return PublishResult(
            remote_id=ids[0], url=post_url(ids[0], account.handle), part_ids=tuple(ids)
        )

    # --- tokens -----------------------------------------------------------------------------

    def refresh_token(self, account: AccountAuth) -> TokenSet:
        """Trade the (single-use) refresh token for a new access and refresh token.

        Raises:
            AuthExpired: no refresh token, or X refused it (reused, revoked): reconnect.
        """
        if not account.refresh_token:
            raise AuthExpired("X gave no refresh token for this account: reconnect it")
        return x_api.token_request(
            {"grant_type": "refresh_token", "refresh_token": account.refresh_token}
        )

    def authorization_url(self, flow: OAuthFlow) -> str:
        """X's authorize page with PKCE (S256) and the scopes Tandem needs."""
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": get_settings().x_client_id,
                "redirect_uri": flow.redirect_uri,
                "scope": x_api.SCOPES,
                "state": flow.state,
                "code_challenge": flow.code_challenge,
                "code_challenge_method": "S256",
            },
            quote_via=urllib.parse.quote,
        )
        return f"{get_settings().x_authorize_url}?{query}"

    def exchange_code(self, flow: OAuthFlow, code: str) -> TokenSet:
        """Trade the authorization code (valid 30 s) for tokens."""
        return x_api.token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": flow.redirect_uri,
                "code_verifier": flow.code_verifier,
            }
        )

    def identities(self, tokens: TokenSet) -> list[Identity]:
        """The one user these tokens belong to (`GET /2/users/me`)."""
        user = x_api.call("GET", "/2/users/me", tokens.access_token)["data"]
        return [
            Identity(
                kind="user",
                remote_id=str(user["id"]),
                handle=str(user.get("username", "")),
                display_name=str(user.get("name") or user.get("username", "")),
                tokens=tokens,
            )
        ]

    # --- inbox and metrics ------------------------------------------------------------------

    def fetch_inbox(
        self, account: AccountAuth, post_ids: Sequence[str], since: datetime | None
    ) -> list[InboxItem]:
        """Mentions of the account newer than `since` (`GET /2/users/:id/mentions`): a reply
        starts with the author's handle, so replies to `post_ids` are among them (kind
        "reply"); the rest are kind "mention". DMs are not read (`dm.read` is not asked)."""
        ours = set(post_ids)
        params: dict[str, str] = {
            "max_results": "100",
            "tweet.fields": "created_at,author_id,conversation_id,referenced_tweets",
            "expansions": "author_id",
        }
        if since is not None:
            params["start_time"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        items: list[InboxItem] = []
        for _ in range(MAX_INBOX_PAGES):
            answer = x_api.call(
                "GET", f"/2/users/{account.remote_id}/mentions", account.access_token, params=params
            )
            users = {
                str(u.get("id")): str(u.get("username", ""))
                for u in (answer.get("includes") or {}).get("users", [])
            }
            for tweet in answer.get("data") or []:
                author_id = str(tweet.get("author_id", ""))
                parent = _replied_to(tweet)
                items.append(
                    InboxItem(
                        remote_id=str(tweet["id"]),
                        kind="reply" if parent in ours else "mention",
                        author=users.get(author_id) or author_id,
                        text=str(tweet.get("text", "")),
                        created_at=http.parse_time(tweet.get("created_at")),
                        post_remote_id=parent,
                        url=post_url(str(tweet["id"]), users.get(author_id, "")),
                    )
                )
            next_token = (answer.get("meta") or {}).get("next_token")
            if not next_token:
                break
            params["pagination_token"] = str(next_token)
        return items

    def fetch_metrics(self, account: AccountAuth, remote_ids: list[str]) -> dict[str, Metrics]:
        """Public metrics per post (100 ids per request); deleted posts are left out."""
        out: dict[str, Metrics] = {}
        for start in range(0, len(remote_ids), 100):
            batch = remote_ids[start : start + 100]
            answer = x_api.call(
                "GET",
                "/2/tweets",
                account.access_token,
                params={"ids": ",".join(batch), "tweet.fields": "public_metrics"},
            )
            data = answer.get("data") or []
            for tweet in [data] if isinstance(data, dict) else data:
                pm = tweet.get("public_metrics") or {}
                out[str(tweet["id"])] = Metrics(
                    likes=int(pm.get("like_count", 0)),
                    # The 2026 OpenAPI schema names it repost_count (contract §1.7).
                    reposts=int(pm.get("retweet_count", pm.get("repost_count", 0))),
                    replies=int(pm.get("reply_count", 0)),
                    views=int(pm.get("impression_count", 0)),
                )
        return out
