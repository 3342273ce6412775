"""Mastodon: statuses with an `Idempotency-Key`, media v2 (sync or polled), threads by
`in_reply_to_id`. Each account lives on its own instance (`AccountAuth.base_url`).

Connecting is per instance: `register_app` creates the OAuth client on the instance once (the
caller stores its id and secret), then the provider's OAuth methods take that app as
`app=MastodonApp(...)`. Mastodon tokens do not expire.
"""

from __future__ import annotations

import html
import re
import time
import urllib.parse
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import httpx
import regex

from crmapp.services.social import http
from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    Identity,
    InboxItem,
    MediaItem,
    Metrics,
    NormalizedPost,
    PublishResult,
    RateLimited,
    Rejected,
    SocialProvider,
    TokenSet,
    Transient,
    register,
)

SCOPES = "read write"
DEFAULT_MAX_CHARS = 500
DEFAULT_URL_CHARS = 23
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


@dataclass(frozen=True)
class MastodonApp:
    """The OAuth client registered on one instance (`register_app`)."""

    instance_url: str
    client_id: str
    client_secret: str


# --- module functions (connect) -------------------------------------------------------------


def register_app(instance_url: str, redirect_uri: str, *, name: str = "Tandem") -> dict[str, str]:
    """Register Tandem as an OAuth application on `instance_url` (`POST /api/v1/apps`).

    Args:
        instance_url: The instance, e.g. "https://mastodon.social".
        redirect_uri: Where the instance sends the user back after approving.
        name: The application name users see on the consent screen.

    Returns:
        `{"client_id": ..., "client_secret": ...}` to store for this instance.
    """
    base = _base(instance_url)
    resp = http.request(
        "POST",
        f"{base}/api/v1/apps",
        data={"client_name": name, "redirect_uris": redirect_uri, "scopes": SCOPES},
    )
    _raise_for(resp, what="registering the app")
    body = http.json_or_empty(resp)
    return {"client_id": str(body["client_id"]), "client_secret": str(body["client_secret"])}


def verify_credentials(instance_url: str, access_token: str) -> Identity:
    """The account a token belongs to (`GET /api/v1/accounts/verify_credentials`).

    Raises:
        AuthExpired: The token is revoked or invalid.
    """
    base = _base(instance_url)
    resp = http.request(
        "GET", f"{base}/api/v1/accounts/verify_credentials", headers=_auth(access_token)
    )
    _raise_for(resp, what="checking the account")
    body = http.json_or_empty(resp)
    acct = str(body.get("acct") or body.get("username") or "")
    host = urllib.parse.urlsplit(base).netloc
    return Identity(
        kind="user",
        remote_id=str(body["id"]),
        handle=f"@{acct}" if "@" in acct else f"@{acct}@{host}",
        display_name=str(body.get("display_name") or acct),
        tokens=TokenSet(access_token=access_token, scope=SCOPES),
        base_url=base,
        extra={"url": body.get("url", "")},
    )


_LIMITS_TTL = 600.0
_limits_cache: dict[str, tuple[float, tuple[int, int]]] = {}


def instance_limits(base_url: str) -> tuple[int, int]:
    """`(max_characters, characters_reserved_per_url)` of an instance (`GET /api/v2/instance`),
    or the defaults 500/23 when the instance does not say or cannot be reached. An instance's
    answer is kept for ten minutes (one request per post would halve the publishing rate)."""
    cached = _limits_cache.get(base_url)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    limits = _read_limits(base_url)
    if limits is not None:
        _limits_cache[base_url] = (time.monotonic() + _LIMITS_TTL, limits)
    return limits or (DEFAULT_MAX_CHARS, DEFAULT_URL_CHARS)


def _read_limits(base_url: str) -> tuple[int, int] | None:
    try:
        resp = http.request("GET", f"{_base(base_url)}/api/v2/instance")
    except Transient:
        return None
    statuses = http.json_or_empty(resp).get("configuration", {}).get("statuses", {})
    if resp.status_code != 200 or not isinstance(statuses, dict):
        return None
    return (
        int(statuses.get("max_characters") or DEFAULT_MAX_CHARS),
        int(statuses.get("characters_reserved_per_url") or DEFAULT_URL_CHARS),
    )


def status_length(text: str, *, url_chars: int = DEFAULT_URL_CHARS) -> int:
    """Length as Mastodon counts it: graphemes, every URL counting `url_chars`."""
    countable = _URL.sub("x" * url_chars, text)
    return len(regex.findall(r"\X", countable))


# --- the provider ---------------------------------------------------------------------------


@register
class MastodonProvider(SocialProvider):
    """Publishes to a Mastodon (or compatible) instance."""

    name = "mastodon"
    label = "Mastodon"
    max_chars = 500
    threads = True
    max_media = 4
    oauth = True
    can_lookup = False
    idempotent = True

    # Polling of media processed asynchronously (video, gifv): every interval, this many times.
    media_poll_interval: float = 1.0
    media_poll_attempts: int = 120

    def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
        base = _base(account.base_url)
        parts = post.thread
        if len(post.media) > self.max_media:
            raise Rejected(f"Mastodon takes at most {self.max_media} attachments: remove some.")
        max_chars, url_chars = instance_limits(base)
        for number, text in enumerate(parts, start=1):
            length = status_length(text, url_chars=url_chars)
            if length > max_chars:
                where = f"Part {number} of the thread" if len(parts) > 1 else "The post"
                raise Rejected(
                    f"{where} is {length} characters; this Mastodon server allows {max_chars} "
                    f"(each link counts as {url_chars}). Shorten it or split it into a thread."
                )
        media_ids = [self._upload(base, item, account.access_token) for item in post.media]
        ids: list[str] = []
        first_url = ""
        for index, text in enumerate(parts):
            fields: dict[str, str | list[str]] = {"status": text}
            if index == 0 and media_ids:
                fields["media_ids[]"] = media_ids
            if ids:
                fields["in_reply_to_id"] = ids[-1]
            headers = _auth(account.access_token)
            headers["Idempotency-Key"] = f"{post.idempotency_key}-{index}"
            resp = http.request("POST", f"{base}/api/v1/statuses", data=fields, headers=headers)
            _raise_for(resp, what="the post")
            status = http.json_or_empty(resp)
            ids.append(str(status["id"]))
            if index == 0:
                first_url = str(status.get("url") or "")
        return PublishResult(remote_id=ids[0], url=first_url, part_ids=tuple(ids))

    def _upload(self, base: str, item: MediaItem, token: str) -> str:
        data = {"description": item.alt} if item.alt else None
        resp = http.request(
            "POST",
            f"{base}/api/v2/media",
            files={"file": (item.filename, item.data, item.content_type)},
            data=data,
            headers=_auth(token),
        )
        _raise_for(resp, what=f"the attachment {item.filename!r}")
        media_id = str(http.json_or_empty(resp)["id"])
        if resp.status_code == 200:
            return media_id
        for _ in range(self.media_poll_attempts):  # 202: processing in the background
            time.sleep(self.media_poll_interval)
            check = http.request("GET", f"{base}/api/v1/media/{media_id}", headers=_auth(token))
            if check.status_code == 200:
                return media_id
            if check.status_code == 206:
                continue
            if check.status_code == 422:
                error = http.json_or_empty(check).get("error") or "processing failed"
                raise Rejected(
                    f"Mastodon could not process {item.filename!r} ({error}). "
                    "Try another file or format (MP4 video, JPEG or PNG image)."
                )
            _raise_for(check, what=f"the attachment {item.filename!r}")
        raise Transient(f"Mastodon is still processing {item.filename!r}; trying again later")

    def refresh_token(self, account: AccountAuth) -> TokenSet:
        """Mastodon tokens do not expire: check the token still works and return it as is."""
        verify_credentials(account.base_url, account.access_token)
        return TokenSet(access_token=account.access_token, scope=SCOPES)

    def fetch_inbox(self, account: AccountAuth, since: datetime | None) -> list[InboxItem]:
        base = _base(account.base_url)
        url: str | None = f"{base}/api/v1/notifications"
        params: list[tuple[str, str]] | None = [("types[]", "mention"), ("limit", "40")]
        items: list[InboxItem] = []
        for _ in range(20):  # pages (newest first); stops at `since` or the end
            if url is None:
                break
            resp = http.request("GET", url, params=params, headers=_auth(account.access_token))
            _raise_for(resp, what="the notifications")
            page = resp.json()
            if not isinstance(page, list) or not page:
                break
            reached_since = False
            for note in page:
                item = _mention(note)
                if item is None:
                    continue
                if since is not None and item.created_at <= since:
                    reached_since = True
                    continue
                items.append(item)
            if reached_since:
                break
            url = resp.links.get("next", {}).get("url")
            params = None  # the Link URL carries them
        return items

    def fetch_metrics(self, account: AccountAuth, remote_ids: list[str]) -> dict[str, Metrics]:
        base = _base(account.base_url)
        out: dict[str, Metrics] = {}
        for remote_id in remote_ids:
            resp = http.request(
                "GET", f"{base}/api/v1/statuses/{remote_id}", headers=_auth(account.access_token)
            )
            if resp.status_code == 404:
                continue
            _raise_for(resp, what="the post's figures")
            body = http.json_or_empty(resp)
            out[remote_id] = Metrics(
                likes=int(body.get("favourites_count") or 0),
                reposts=int(body.get("reblogs_count") or 0),
                replies=int(body.get("replies_count") or 0),
            )
        return out

    # OAuth (per instance: pass the app registered there) ------------------------------------
    def authorization_url(
        self, *, redirect_uri: str, state: str, code_challenge: str, app: MastodonApp | None = None
    ) -> str:
        """The instance's consent page (`/oauth/authorize`, PKCE S256, scopes "read write")."""
        app = _require(app)
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": app.client_id,
                "redirect_uri": redirect_uri,
                "scope": SCOPES,
                "state": state,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{_base(app.instance_url)}/oauth/authorize?{query}"

    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str, app: MastodonApp | None = None
    ) -> TokenSet:
        """Trade the code for a token (`/oauth/token`); `extra["instance_url"]` says where."""
        app = _require(app)
        base = _base(app.instance_url)
        resp = http.request(
            "POST",
            f"{base}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
                "scope": SCOPES,
            },
        )
        if resp.status_code in (400, 401):
            body = http.json_or_empty(resp)
            detail = body.get("error_description") or body.get("error") or "refused"
            raise Rejected(f"The Mastodon server refused the sign-in ({detail}); connect again.")
        _raise_for(resp, what="the sign-in")
        body = http.json_or_empty(resp)
        return TokenSet(
            access_token=str(body["access_token"]),
            scope=str(body.get("scope") or SCOPES),
            extra={"instance_url": base},
        )

    def identities(self, tokens: TokenSet) -> list[Identity]:
        """The one account the token belongs to (needs `tokens.extra["instance_url"]`)."""
        instance = str(tokens.extra.get("instance_url") or "")
        if not instance:
            raise Rejected("Which Mastodon server is this account on? Connect again.")
        return [replace(verify_credentials(instance, tokens.access_token), tokens=tokens)]


# --- helpers --------------------------------------------------------------------------------


def _base(url: str) -> str:
    if not url:
        raise Rejected("This Mastodon account has no server address; reconnect it.")
    return url.rstrip("/")


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _require(app: MastodonApp | None) -> MastodonApp:
    if app is None:
        raise ValueError("Mastodon OAuth needs app=MastodonApp(...) for the instance")
    return app


def _raise_for(resp: httpx.Response, *, what: str) -> None:
    """Translate an error answer into the base exceptions (nothing for 2xx)."""
    status = resp.status_code
    if status < 400:
        return
    body = http.json_or_empty(resp)
    message = str(body.get("error") or resp.reason_phrase or status)
    if status == 401:
        raise AuthExpired(f"Mastodon no longer accepts this account's token ({message})")
    if status == 429:
        raise RateLimited(
            "Mastodon's rate limit is reached; waiting for it to reset",
            http.reset_time(resp.headers.get("X-RateLimit-Reset")),
        )
    if status >= 500:
        raise Transient(f"Mastodon failed on {what} ({status}: {message})")
    if status == 404:
        raise Rejected(
            f"Mastodon could not find what {what} refers to ({message}); the post replied to "
            "may have been deleted."
        )
    raise Rejected(_reason(message, what))


def _reason(message: str, what: str) -> str:
    text = message.removeprefix("Validation failed: ")
    lowered = text.lower()
    if "can't be blank" in lowered:
        return "The post is empty: add some text or an attachment."
    if "character limit" in lowered:
        return f"Mastodon says the post is too long ({text}). Shorten it or split it into a thread."
    if "content type" in lowered or "file is invalid" in lowered:
        return f"Mastodon cannot take {what} ({text}). Use a JPEG, PNG, GIF or MP4 file."
    if "processing" in lowered:
        return f"Mastodon has not finished processing the media ({text}); try again shortly."
    return f"Mastodon refused {what}: {text}"


def _mention(note: dict[str, Any]) -> InboxItem | None:
    status = note.get("status")
    if note.get("type") != "mention" or not isinstance(status, dict):
        return None
    account = note.get("account") or status.get("account") or {}
    return InboxItem(
        remote_id=str(status["id"]),
        kind="mention",
        author=f"@{account.get('acct', '')}",
        text=strip_html(str(status.get("content") or "")),
        created_at=_time(str(status.get("created_at") or note.get("created_at") or "")),
        post_remote_id=str(status.get("in_reply_to_id") or ""),
        url=str(status.get("url") or ""),
    )


def _time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")
        elif tag == "p" and self.out:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def strip_html(content: str) -> str:
    """A status's HTML `content` as plain text (paragraphs and line breaks kept)."""
    parser = _Text()
    parser.feed(content)
    parser.close()
    return html.unescape("".join(parser.out)).strip()
