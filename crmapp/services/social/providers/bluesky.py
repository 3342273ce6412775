"""Bluesky (AT Protocol XRPC on the account's PDS): posts as `app.bsky.feed.post` records.

Connect with a handle and an app password (`create_session`); no OAuth redirect. Every thread
part gets a record key derived from the post's idempotency key, so a retry that repeats
createRecord collides with the record already written and the provider reads it back
(`getRecord`) instead of posting twice. `lookup` uses the same keys.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from crmapp.services.social import http
from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    Connect,
    Identity,
    InboxItem,
    MediaItem,
    Metrics,
    NormalizedPost,
    PublishResult,
    RateLimited,
    Rejected,
    SocialError,
    SocialProvider,
    TokenSet,
    Transient,
)
from crmapp.services.social.providers.bluesky_text import (
    MAX_BYTES,
    MAX_GRAPHEMES,
    MENTION,
    check_text,
    facets,
    record_key,
)
from crmapp.services.social.textcount import TextRules, grapheme_count
from crmapp.settings import get_settings

POST = "app.bsky.feed.post"
MAX_IMAGE_BYTES = 1_000_000
INBOX_REASONS = {"mention": "mention", "reply": "reply", "quote": "mention"}
_AUTH_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired"}


def create_session(pds_url: str, handle: str, app_password: str) -> Identity:
    """Log in with a handle and an app password (`com.atproto.server.createSession`).

    Args:
        pds_url: The account's PDS ("" for the default, `TANDEM_BLUESKY_PDS`).
        handle: The handle ("name.bsky.social", a leading "@" is ignored) or the email.
        app_password: An app password (Settings → Privacy and security → App passwords).

    Returns:
        The account (remote_id = DID) with its access and refresh tokens.

    Raises:
        Rejected: Wrong handle or password, or the main password of an account with
            two-factor sign-in.
    """
    base = (pds_url or get_settings().bluesky_default_pds).rstrip("/")
    resp = http.request(
        "POST",
        f"{base}/xrpc/com.atproto.server.createSession",
        json={"identifier": handle.strip().lstrip("@"), "password": app_password},
    )
    body = http.json_or_empty(resp)
    error = str(body.get("error") or "")
    if error == "AuthFactorTokenRequired":
        raise Rejected(
            "This Bluesky account asks for an email sign-in code: use an app password instead "
            "of your main password (Bluesky → Settings → Privacy and security → App passwords)."
        )
    if error == "AccountTakedown":
        raise Rejected("Bluesky has taken this account down; it cannot be connected.")
    if resp.status_code == 401:
        raise Rejected(
            "Bluesky says the handle or app password is wrong. Check the handle (e.g. "
            "name.bsky.social) and create a new app password if needed."
        )
    _raise_for(resp, what="the sign-in")
    return Identity(
        kind="user",
        remote_id=str(body["did"]),
        handle=str(body.get("handle") or handle),
        display_name=str(body.get("handle") or handle),
        tokens=_tokens(body),
        base_url=base,
    )


class BlueskyProvider(SocialProvider):
    """Publishes posts, threads and images to a Bluesky account."""

    name = "bluesky"
    label = "Bluesky"
    rank = 60
    text_rules = TextRules(
        limit=MAX_GRAPHEMES, unit=grapheme_count, max_bytes=MAX_BYTES, mention=MENTION
    )
    max_media = 4
    threads = True
    can_lookup = True
    idempotent = True
    connect = Connect.APP_PASSWORD
    connect_hint = "you.bsky.social"
    connect_help = (
        "Create an app password in Bluesky → Settings → App passwords",
        "https://bsky.app/settings/app-passwords",
    )

    def sign_in(self, *, handle: str, password: str, instance_url: str = "") -> Identity:
        """Log in with the handle and an app password on the account's PDS (the default
        `TANDEM_BLUESKY_PDS` when `instance_url` is "")."""
        return create_session(instance_url, handle, password)

    def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
        base = _pds(account)
        parts = post.thread
        check_text(parts)
        _check_media(post.media, self.max_media)
        images = [self._image(base, account, item) for item in post.media]
        refs: list[dict[str, str]] = []
        unresolved: list[str] = []

        def resolve(handle: str) -> str | None:
            did = self._resolve(base, handle)
            if did is None and f"@{handle}" not in unresolved:
                unresolved.append(f"@{handle}")
            return did

        for index, text in enumerate(parts):
            record: dict[str, Any] = {
                "$type": POST,
                "text": text,
                "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            }
            found = facets(text, resolve=resolve)
            if found:
                record["facets"] = found
            if index == 0 and images:
                record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
            if refs:
                record["reply"] = {"root": refs[0], "parent": refs[-1]}
            key = record_key(post.idempotency_key, index)
            refs.append(self._create(base, account, key, record))
        result = _result(account, [r["uri"] for r in refs])
        if unresolved:
            note = (
                f"Bluesky could not find {', '.join(unresolved)}: posted as plain text, "
                "not as a link to the account."
            )
            result = replace(result, notes=(note,))
        return result

    def lookup(self, post: NormalizedPost, account: AccountAuth) -> PublishResult | None:
        """The post's result when every part's record exists, else None (a publish then
        writes only the missing parts)."""
        base = _pds(account)
        uris = []
        for index in range(len(post.thread)):
            ref = _get_record(base, account.remote_id, record_key(post.idempotency_key, index))
            if ref is None:
                return None
            uris.append(ref["uri"])
        return _result(account, uris)

    def _create(
        self, base: str, account: AccountAuth, rkey: str, record: dict[str, Any]
    ) -> dict[str, str]:
        body = {"repo": account.remote_id, "collection": POST, "rkey": rkey, "record": record}
        resp = http.request(
            "POST",
            f"{base}/xrpc/com.atproto.repo.createRecord",
            json=body,
            headers=_auth(account.access_token),
        )
        if resp.status_code == 200:
            created = http.json_or_empty(resp)
            return {"uri": str(created["uri"]), "cid": str(created["cid"])}
        error = str(http.json_or_empty(resp).get("error") or "")
        if resp.status_code not in (401, 429) and error not in _AUTH_ERRORS:
            # Whatever the PDS answers for a key already taken (a retry), the record is there.
            existing = _get_record(base, account.remote_id, rkey)
            if existing is not None:
                return existing
        _raise_for(resp, what="the post")
        raise Transient(f"Bluesky answered {resp.status_code} to createRecord")

    def _image(self, base: str, account: AccountAuth, item: MediaItem) -> dict[str, Any]:
        resp = http.request(
            "POST",
            f"{base}/xrpc/com.atproto.repo.uploadBlob",
            content=item.data,
            headers={**_auth(account.access_token), "Content-Type": item.content_type},
        )
        _raise_for(resp, what=f"the image {item.filename!r}")
        image: dict[str, Any] = {"alt": item.alt, "image": http.json_or_empty(resp)["blob"]}
        if item.width > 0 and item.height > 0:
            image["aspectRatio"] = {"width": item.width, "height": item.height}
        return image

    def _resolve(self, base: str, handle: str) -> str | None:
        """The DID behind `handle`, or None when it cannot be resolved for any reason (unknown
        handle, its domain unreachable, the PDS failing): a mention never blocks the post, it
        stays plain text and `publish` says so."""
        try:
            resp = http.request(
                "GET", f"{base}/xrpc/com.atproto.identity.resolveHandle", params={"handle": handle}
            )
        except SocialError:
            return None
        if resp.status_code != 200:
            return None
        return str(http.json_or_empty(resp).get("did") or "") or None

    def refresh_token(self, account: AccountAuth) -> TokenSet:
        """A new session from the refresh token (both tokens rotate: store the new refresh)."""
        resp = http.request(
            "POST",
            f"{_pds(account)}/xrpc/com.atproto.server.refreshSession",
            headers=_auth(account.refresh_token),
        )
        _raise_for(resp, what="refreshing the session")
        return _tokens(http.json_or_empty(resp))

    def fetch_inbox(
        self, account: AccountAuth, post_ids: Sequence[str], since: datetime | None
    ) -> list[InboxItem]:
        """Reply, mention and quote notifications newer than `since`: replies to `post_ids`
        are kind "reply", the rest "mention". Bluesky's chat is not read."""
        ours = set(post_ids)
        base = _pds(account)
        items: list[InboxItem] = []
        cursor = ""
        for _ in range(20):  # pages, newest first
            params = {"limit": "50", **({"cursor": cursor} if cursor else {})}
            resp = http.request(
                "GET",
                f"{base}/xrpc/app.bsky.notification.listNotifications",
                params=params,
                headers=_auth(account.access_token),
            )
            _raise_for(resp, what="the notifications")
            body = http.json_or_empty(resp)
            reached_since = False
            for note in body.get("notifications") or []:
                when = http.parse_time(note.get("indexedAt"))
                if since is not None and when <= since:
                    reached_since = True
                    continue
                if note.get("reason") in INBOX_REASONS:
                    items.append(_inbox_item(note, when, ours))
            cursor = str(body.get("cursor") or "")
            if reached_since or not cursor:
                break
        return items

    def fetch_metrics(self, account: AccountAuth, remote_ids: list[str]) -> dict[str, Metrics]:
        base = _pds(account)
        out: dict[str, Metrics] = {}
        for start in range(0, len(remote_ids), 25):  # getPosts takes 25 URIs at a time
            resp = http.request(
                "GET",
                f"{base}/xrpc/app.bsky.feed.getPosts",
                params={"uris": remote_ids[start : start + 25]},
                headers=_auth(account.access_token),
            )
            _raise_for(resp, what="the posts' figures")
            for view in http.json_or_empty(resp).get("posts") or []:
                out[str(view["uri"])] = Metrics(
                    likes=int(view.get("likeCount") or 0),
                    reposts=int(view.get("repostCount") or 0),
                    replies=int(view.get("replyCount") or 0),
                )
        return out


# --- helpers --------------------------------------------------------------------------------


def _pds(account: AccountAuth) -> str:
    return (account.base_url or get_settings().bluesky_default_pds).rstrip("/")


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _check_media(media: tuple[MediaItem, ...], most: int) -> None:
    if len(media) > most:
        raise Rejected(f"Bluesky takes at most {most} images per post: remove some.")
    for item in media:
        if not item.content_type.startswith("image/"):
            raise Rejected(
                f"{item.filename!r} is not an image; Tandem posts only images to Bluesky."
            )
        if len(item.data) > MAX_IMAGE_BYTES:
            raise Rejected(
                f"The image {item.filename!r} is {len(item.data) // 1000} KB; Bluesky takes up "
                "to 1,000 KB. Resize or compress it."
            )


def _get_record(base: str, repo: str, rkey: str) -> dict[str, str] | None:
    resp = http.request(
        "GET",
        f"{base}/xrpc/com.atproto.repo.getRecord",
        params={"repo": repo, "collection": POST, "rkey": rkey},
    )
    body = http.json_or_empty(resp)
    if resp.status_code == 400 and body.get("error") == "RecordNotFound":
        return None
    _raise_for(resp, what="checking the post")
    return {"uri": str(body["uri"]), "cid": str(body["cid"])}


def _result(account: AccountAuth, uris: list[str]) -> PublishResult:
    profile = account.handle.lstrip("@") or account.remote_id
    rkey = uris[0].rsplit("/", 1)[-1]
    return PublishResult(
        remote_id=uris[0],
        url=f"https://bsky.app/profile/{profile}/post/{rkey}",
        part_ids=tuple(uris),
    )


def _tokens(body: dict[str, Any]) -> TokenSet:
    access = str(body["accessJwt"])
    return TokenSet(
        access_token=access,
        refresh_token=str(body.get("refreshJwt") or ""),
        expires_at=jwt_expiry(access),
        extra={"did": body.get("did", ""), "handle": body.get("handle", "")},
    )


def jwt_expiry(token: str) -> datetime:
    """The `exp` claim of a JWT (unverified: only to schedule a refresh), else now + 2 h."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, ValueError, KeyError, TypeError):
        return datetime.now(UTC) + timedelta(hours=2)


def _raise_for(resp: httpx.Response, *, what: str) -> None:
    """Translate an XRPC error answer into the base exceptions (nothing for 2xx)."""
    status = resp.status_code
    if status < 400:
        return
    body = http.json_or_empty(resp)
    error = str(body.get("error") or "")
    message = str(body.get("message") or error or status)
    if status == 429:
        raise RateLimited(
            "Bluesky's rate limit is reached; waiting for it to reset",
            http.reset_time(resp.headers.get("RateLimit-Reset")),
        )
    if status >= 500:
        raise Transient(f"Bluesky failed on {what} ({status}: {message})")
    if status == 401 or error in _AUTH_ERRORS:
        raise AuthExpired(f"Bluesky no longer accepts this session ({message})")
    if "graphemes" in message or "longer than" in message:
        raise Rejected(
            f"Bluesky says the post is too long ({message}). Shorten it or split it into a thread."
        )
    raise Rejected(f"Bluesky refused {what}: {message}")


def _inbox_item(note: dict[str, Any], when: datetime, ours: set[str]) -> InboxItem:
    record = note.get("record") or {}
    author = (note.get("author") or {}).get("handle", "")
    uri = str(note.get("uri") or "")
    parent = ((record.get("reply") or {}).get("parent") or {}).get("uri", "")
    quoted = ((record.get("embed") or {}).get("record") or {}).get("uri", "")
    kind = INBOX_REASONS[str(note["reason"])]
    if kind == "reply" and parent not in ours:
        kind = "mention"  # a reply to a post Tandem did not publish
    return InboxItem(
        remote_id=uri,
        kind=kind,
        author=f"@{author}",
        text=str(record.get("text") or ""),
        created_at=when,
        post_remote_id=str(parent or quoted),
        url=f"https://bsky.app/profile/{author}/post/{uri.rsplit('/', 1)[-1]}" if uri else "",
    )
