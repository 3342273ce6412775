"""Mastodon's wire details shared by the provider and the connect flow: app registration,
credentials, instance limits, error translation, notifications and HTML to text."""

from __future__ import annotations

import html
import time
import urllib.parse
from collections.abc import Collection
from html.parser import HTMLParser
from typing import Any

import httpx
import regex

from crmapp.services.social import http
from crmapp.services.social.base import (
    AuthExpired,
    Identity,
    InboxItem,
    RateLimited,
    Rejected,
    TokenSet,
    Transient,
)

SCOPES = "read write"
DEFAULT_MAX_CHARS = 500
DEFAULT_URL_CHARS = 23  # characters_reserved_per_url
# An account mention, @user or @user@domain, not after a word character or a slash; a remote
# one counts as its local @user (the `user` group), as Mastodon's StatusLengthValidator does.
MENTION = regex.compile(
    r"(?<![\w/@])@(?P<user>[a-z0-9_](?:[a-z0-9_.\-]*[a-z0-9_])?)(?:@[\w.\-]*\w)?",
    regex.IGNORECASE,
)


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
    base = instance_base(instance_url)
    resp = http.request(
        "POST",
        f"{base}/api/v1/apps",
        data={"client_name": name, "redirect_uris": redirect_uri, "scopes": SCOPES},
    )
    raise_for(resp, what="registering the app")
    body = http.json_or_empty(resp)
    return {"client_id": str(body["client_id"]), "client_secret": str(body["client_secret"])}


def verify_credentials(instance_url: str, access_token: str) -> Identity:
    """The account a token belongs to (`GET /api/v1/accounts/verify_credentials`).

    Raises:
        AuthExpired: The token is revoked or invalid.
    """
    base = instance_base(instance_url)
    resp = http.request(
        "GET", f"{base}/api/v1/accounts/verify_credentials", headers=auth_headers(access_token)
    )
    raise_for(resp, what="checking the account")
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
        resp = http.request("GET", f"{instance_base(base_url)}/api/v2/instance")
    except Transient:
        return None
    statuses = http.json_or_empty(resp).get("configuration", {}).get("statuses", {})
    if resp.status_code != 200 or not isinstance(statuses, dict):
        return None
    return (
        int(statuses.get("max_characters") or DEFAULT_MAX_CHARS),
        int(statuses.get("characters_reserved_per_url") or DEFAULT_URL_CHARS),
    )


# --- helpers --------------------------------------------------------------------------------


def instance_base(url: str) -> str:
    if not url:
        raise Rejected("This Mastodon account has no server address; reconnect it.")
    return url.rstrip("/")


def auth_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def raise_for(resp: httpx.Response, *, what: str) -> None:
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


def mention_item(note: dict[str, Any], ours: Collection[str] = ()) -> InboxItem | None:
    """A mention notification as an inbox item ("reply" when it answers one of `ours`)."""
    status = note.get("status")
    if note.get("type") != "mention" or not isinstance(status, dict):
        return None
    account = note.get("account") or status.get("account") or {}
    parent = str(status.get("in_reply_to_id") or "")
    return InboxItem(
        remote_id=str(status["id"]),
        kind="reply" if parent and parent in ours else "mention",
        author=f"@{account.get('acct', '')}",
        text=strip_html(str(status.get("content") or "")),
        created_at=http.parse_time(status.get("created_at") or note.get("created_at")),
        post_remote_id=parent,
        url=str(status.get("url") or ""),
    )


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
