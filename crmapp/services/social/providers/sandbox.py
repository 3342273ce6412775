"""The built-in sandbox network: try Tandem's publishing offline, clearly labelled as such.

A sandbox "publish" lands on the account's feed page inside the app (the published targets of
sandbox accounts, with their text and media as the payload builder gives them). Engagement
and comments grow with time since publishing, deterministically from the post id, so the inbox
and analytics have something plausible to show. No tokens, no
network. Two markers let a user try the failure paths: a text containing `[sandbox:reject]` is
refused, `[sandbox:ratelimit]` is rate-limited for a minute.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from crmapp import routes
from crmapp.services.social.base import (
    AccountAuth,
    Connect,
    InboxItem,
    Metrics,
    NormalizedPost,
    PublishResult,
    RateLimited,
    Rejected,
    SocialProvider,
    TokenSet,
)
from crmapp.services.social.textcount import TextRules

COMMENTERS = ("Ada (sandbox)", "Grace (sandbox)", "Linus (sandbox)", "Margaret (sandbox)")
COMMENTS = (
    "Love this — sharing with my team.",
    "Great point. How long did the rollout take?",
    "Congrats on the launch!",
    "Is there a case study I can read?",
)


def _seed(remote_id: str) -> int:
    return int.from_bytes(hashlib.sha256(remote_id.encode()).digest()[:4], "big")


def _published_at(remote_id: str) -> datetime | None:
    """The publish time encoded in a sandbox id (`sb-<epoch>-<hash>`)."""
    try:
        return datetime.fromtimestamp(int(remote_id.split("-")[1]), UTC)
    except (IndexError, ValueError):
        return None


class SandboxProvider(SocialProvider):
    """Publishes into Tandem itself."""

    name = "sandbox"
    label = "Sandbox"
    rank = 90
    text_rules = TextRules(limit=500)  # code points
    max_media = 4
    threads = True
    idempotent = True
    connect = Connect.BUILT_IN

    def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
        if "[sandbox:reject]" in post.text:
            raise Rejected("The sandbox refused this post because it contains [sandbox:reject]")
        if "[sandbox:ratelimit]" in post.text:
            raise RateLimited(
                "The sandbox is rate-limiting this post ([sandbox:ratelimit])",
                datetime.now(UTC) + timedelta(minutes=1),
            )
        if len(post.media) > self.max_media:
            raise Rejected(f"The sandbox takes at most {self.max_media} pictures or videos")
        if any(not item.data for item in post.media):
            raise Rejected("A media file of this post is empty; attach it again")
        stamp = int(datetime.now(UTC).timestamp())
        digest = hashlib.sha256(post.idempotency_key.encode()).hexdigest()[:12]
        ids = tuple(f"sb-{stamp}-{digest}-{i}" for i in range(len(post.thread)))
        return PublishResult(ids[0], f"{routes.sandbox_feed(account.remote_id)}#{ids[0]}", ids)

    def refresh_token(self, account: AccountAuth) -> TokenSet:
        return TokenSet(access_token="sandbox", expires_at=None)

    def fetch_metrics(self, account: AccountAuth, remote_ids: list[str]) -> dict[str, Metrics]:
        now = datetime.now(UTC)
        out = {}
        for remote_id in remote_ids:
            published = _published_at(remote_id)
            if published is None:
                continue
            hours = max(0.0, (now - published).total_seconds() / 3600)
            grown = 1 - 0.5 ** (hours / 6)  # half the eventual reach in the first six hours
            seed = _seed(remote_id)
            views = int((200 + seed % 1800) * grown)
            out[remote_id] = Metrics(
                likes=int(views * (0.02 + (seed % 7) / 100)),
                reposts=int(views * 0.005),
                replies=len(self._comments(remote_id, now)),
                views=views,
                clicks=int(views * 0.01),
            )
        return out

    def fetch_inbox(
        self, account: AccountAuth, post_ids: Sequence[str], since: datetime | None
    ) -> list[InboxItem]:
        """The comments the posts `post_ids` have gathered (the sandbox keeps no state of its
        own: they grow from each post's id and age)."""
        now = datetime.now(UTC)
        items = [c for rid in post_ids for c in self._comments(rid, now)]
        return [c for c in items if since is None or c.created_at > since]

    def comments_for(self, remote_id: str, now: datetime | None = None) -> list[InboxItem]:
        """The comments a sandbox post has gathered by `now`."""
        return self._comments(remote_id, now or datetime.now(UTC))

    def _comments(self, remote_id: str, now: datetime) -> list[InboxItem]:
        published = _published_at(remote_id)
        if published is None:
            return []
        seed = _seed(remote_id)
        out = []
        for i in range(seed % 4):
            at = published + timedelta(minutes=2 + 7 * i)
            if at <= now:
                who = COMMENTERS[(seed + i) % len(COMMENTERS)]
                text = COMMENTS[(seed // 7 + i) % len(COMMENTS)]
                out.append(InboxItem(f"{remote_id}-c{i}", "comment", who, text, at, remote_id))
        return out
