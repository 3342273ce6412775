"""The sandbox feed page: a sandbox account's published posts, as a network would show them."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.social import accounts, feed
from crmapp.state.session import SessionState

TIME_FORMAT = "%d %b %Y, %H:%M"


@dataclasses.dataclass
class FeedComment:
    """A comment under a sandbox post."""

    author: str = ""
    text: str = ""
    when: str = ""


@dataclasses.dataclass
class FeedMedia:
    """A picture or video of a sandbox post (`url` is a path on this app)."""

    url: str = ""
    kind: str = "image"
    alt: str = ""


@dataclasses.dataclass
class FeedPost:
    """One published sandbox post, its thread, media, figures and comments (times already
    local)."""

    id: str = ""
    parts: list[str] = dataclasses.field(default_factory=list)
    media: list[FeedMedia] = dataclasses.field(default_factory=list)
    when: str = ""
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    views: int = 0
    comments: list[FeedComment] = dataclasses.field(default_factory=list)


class SandboxFeedState(SessionState):
    """One sandbox account's feed."""

    name: str = ""
    handle: str = ""
    posts: list[FeedPost] = []
    error: str = ""
    loaded: bool = False

    @rx.event
    def load(self):
        """The account and its posts, newest first."""
        self.loaded, self.error, self.posts = False, "", []
        key = str(self.router.page.params.get("account_id", ""))

        def read(session: Session, actor: Actor):
            account = accounts.view(feed.sandbox_account(session, actor, key))
            return account, feed.sandbox_feed(session, actor, account.id)

        done = self._service(read)
        if not done.ok:
            self.error, self.loaded = done.error, done.login is None
            return done.login
        account, items = done.value
        self.name, self.handle = account.display_name, account.handle

        def when(item: dict) -> str:
            at = item.get("published_at") or item.get("created_at")
            return timefmt.local(at, self._tz(), TIME_FORMAT) if at else ""

        self.posts = [
            FeedPost(
                id=p["remote_id"] or p["target_id"],
                parts=list(p["parts"]),
                media=[FeedMedia(m["url"], m["kind"], m["alt"]) for m in p["media"]],
                when=when(p),
                likes=p["likes"],
                reposts=p["reposts"],
                replies=p["replies"],
                views=p["views"],
                comments=[FeedComment(c["author"], c["text"], when(c)) for c in p["comments"]],
            )
            for p in items
        ]
        self.loaded = True
        return None
