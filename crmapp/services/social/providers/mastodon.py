"""Mastodon: statuses with an `Idempotency-Key`, media v2 (sync or polled), threads by
`in_reply_to_id`. Each account lives on its own instance (`AccountAuth.base_url`).

Connecting is per instance (`Connect.OAUTH_PER_INSTANCE`): `register_client` creates the OAuth
client on the user's instance, and the connect flow hands it back to `authorization_url` and
`exchange_code` as `client`. Mastodon tokens do not expire.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from crmapp.services.social import http
from crmapp.services.social.base import (
    AccountAuth,
    Connect,
    Identity,
    InboxItem,
    MediaItem,
    Metrics,
    NormalizedPost,
    OAuthFlow,
    PublishResult,
    Rejected,
    SocialProvider,
    TokenSet,
    Transient,
)
from crmapp.services.social.providers.mastodon_api import (
    DEFAULT_MAX_CHARS,
    DEFAULT_URL_CHARS,
    MENTION,
    SCOPES,
    auth_headers,
    instance_base,
    instance_limits,
    mention_item,
    raise_for,
    register_app,
    verify_credentials,
)
from crmapp.services.social.textcount import TextRules, grapheme_count

# --- the provider ---------------------------------------------------------------------------


class MastodonProvider(SocialProvider):
    """Publishes to a Mastodon (or compatible) instance."""

    name = "mastodon"
    label = "Mastodon"
    rank = 50
    # The defaults of an instance; publishing reads the account's own (`instance_limits`).
    text_rules = TextRules(
        limit=DEFAULT_MAX_CHARS,
        unit=grapheme_count,
        url_weight=DEFAULT_URL_CHARS,
        bare_links=False,  # Mastodon links only http(s) URLs
        local_mentions=True,
        mention=MENTION,
    )
    max_media = 4
    threads = True
    idempotent = True
    connect = Connect.OAUTH_PER_INSTANCE
    connect_hint = "mastodon.social"

    # Polling of media processed asynchronously (video, gifv): every interval, this many times.
    media_poll_interval: float = 1.0
    media_poll_attempts: int = 120

    def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
        base = instance_base(account.base_url)
        parts = post.thread
        if len(post.media) > self.max_media:
            raise Rejected(f"Mastodon takes at most {self.max_media} attachments: remove some.")
        max_chars, url_chars = instance_limits(base)
        rules = replace(self.text_rules, limit=max_chars, url_weight=url_chars)
        for number, text in enumerate(parts, start=1):
            length = rules.count(text)
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
            headers = auth_headers(account.access_token)
            headers["Idempotency-Key"] = f"{post.idempotency_key}-{index}"
            resp = http.request("POST", f"{base}/api/v1/statuses", data=fields, headers=headers)
            raise_for(resp, what="the post")
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
            headers=auth_headers(token),
        )
        raise_for(resp, what=f"the attachment {item.filename!r}")
        media_id = str(http.json_or_empty(resp)["id"])
        if resp.status_code == 200:
            return media_id
        for _ in range(self.media_poll_attempts):  # 202: processing in the background
            time.sleep(self.media_poll_interval)
            check = http.request(
                "GET", f"{base}/api/v1/media/{media_id}", headers=auth_headers(token)
            )
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
            raise_for(check, what=f"the attachment {item.filename!r}")
        raise Transient(f"Mastodon is still processing {item.filename!r}; trying again later")

    def refresh_token(self, account: AccountAuth) -> TokenSet:
        """Mastodon tokens do not expire: check the token still works and return it as is."""
        verify_credentials(account.base_url, account.access_token)
        return TokenSet(access_token=account.access_token, scope=SCOPES)

    def fetch_inbox(
        self, account: AccountAuth, post_ids: Sequence[str], since: datetime | None
    ) -> list[InboxItem]:
        """Mention notifications newer than `since`: a reply mentions the author, so replies
        to `post_ids` are among them (kind "reply"); the rest are kind "mention". Private
        mentions are mentions too: Mastodon has no separate direct messages."""
        ours = set(post_ids)
        base = instance_base(account.base_url)
        url: str | None = f"{base}/api/v1/notifications"
        params: list[tuple[str, str]] | None = [("types[]", "mention"), ("limit", "40")]
        items: list[InboxItem] = []
        for _ in range(20):  # pages (newest first); stops at `since` or the end
            if url is None:
                break
            resp = http.request(
                "GET", url, params=params, headers=auth_headers(account.access_token)
            )
            raise_for(resp, what="the notifications")
            page = resp.json()
            if not isinstance(page, list) or not page:
                break
            reached_since = False
            for note in page:
                item = mention_item(note, ours)
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
        base = instance_base(account.base_url)
        out: dict[str, Metrics] = {}
        for remote_id in remote_ids:
            resp = http.request(
                "GET",
                f"{base}/api/v1/statuses/{remote_id}",
                headers=auth_headers(account.access_token),
            )
            if resp.status_code == 404:
                continue
            raise_for(resp, what="the post's figures")
            body = http.json_or_empty(resp)
            out[remote_id] = Metrics(
                likes=int(body.get("favourites_count") or 0),
                reposts=int(body.get("reblogs_count") or 0),
                replies=int(body.get("replies_count") or 0),
            )
        return out

    # OAuth (per instance: the client registered there) -------------------------------------
    def register_client(self, *, instance_url: str, redirect_uri: str) -> dict[str, str]:
        """Register Tandem as an OAuth application on the user's instance (`/api/v1/apps`)."""
        instance = instance_url.strip().rstrip("/")
        if not instance:
            raise Rejected("Enter your Mastodon server, e.g. mastodon.social")
        if not instance.startswith(("http://", "https://")):
            instance = "https://" + instance
        return {"instance_url": instance, **register_app(instance, redirect_uri)}

    def authorization_url(self, flow: OAuthFlow) -> str:
        """The instance's consent page (`/oauth/authorize`, PKCE S256, scopes "read write")."""
        client = _registered(flow)
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": client["client_id"],
                "redirect_uri": flow.redirect_uri,
                "scope": SCOPES,
                "state": flow.state,
                "code_challenge": flow.code_challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{instance_base(client['instance_url'])}/oauth/authorize?{query}"

    def exchange_code(self, flow: OAuthFlow, code: str) -> TokenSet:
        """Trade the code for a token (`/oauth/token`); `extra["instance_url"]` says where."""
        client = _registered(flow)
        base = instance_base(client["instance_url"])
        resp = http.request(
            "POST",
            f"{base}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": client["client_id"],
                "client_secret": client["client_secret"],
                "redirect_uri": flow.redirect_uri,
                "code_verifier": flow.code_verifier,
                "scope": SCOPES,
            },
        )
        if resp.status_code in (400, 401):
            body = http.json_or_empty(resp)
            detail = body.get("error_description") or body.get("error") or "refused"
            raise Rejected(f"The Mastodon server refused the sign-in ({detail}); connect again.")
        raise_for(resp, what="the sign-in")
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


def _registered(flow: OAuthFlow) -> Mapping[str, str]:
    if not flow.client.get("client_id"):
        raise ValueError("Mastodon OAuth needs the client `register_client` made on the instance")
    return flow.client
