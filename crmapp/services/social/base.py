"""The one interface every network implements, the payload it publishes and its errors.

Jobs and services talk to `SocialProvider` only; each network's class in `providers/` declares
its facts as class attributes, translates its wire contract into these types and every failure
into one of the exceptions below, so that callers decide retry, refresh or fail without knowing
the network (litellm's `BaseConfig.get_error_class`, social-core's backends, apprise's plugins).
This module knows no network: `registry` finds them.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from crmapp.services.social.textcount import TextRules

# --- errors ---------------------------------------------------------------------------------


class SocialError(Exception):
    """Base of every provider failure; `str(error)` is shown to the user as is."""


class RateLimited(SocialError):
    """The network refused for now; try again at `retry_at` (from its reset header, if any)."""

    def __init__(self, message: str, retry_at: datetime | None = None):
        self.retry_at = retry_at
        super().__init__(message)


class AuthExpired(SocialError):
    """The token is expired or revoked: refresh it, or the owner must reconnect the account."""


class Rejected(SocialError):
    """The network refused this content for good; `reason` says what the user can change."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class Transient(SocialError):
    """A failure worth retrying as is (5xx, connection refused before anything was sent)."""


class OutcomeUnknown(SocialError):
    """The request may have reached the network (a timeout after sending): check before any
    retry, never blindly repeat."""


class PartlyPublished(SocialError):
    """A thread stopped part-way: `part_ids` went out, then `cause` happened. A retry passes
    them back as `NormalizedPost.done_parts` and only the rest is published."""

    def __init__(self, part_ids: tuple[str, ...], cause: SocialError):
        self.part_ids, self.cause = part_ids, cause
        super().__init__(f"{len(part_ids)} part(s) of the thread went out, then: {cause}")


class NotSupported(SocialError):
    """The network (or this account kind) cannot do what was asked."""


# --- payload --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaItem:
    """One image or video attached to a post.

    `url` is where the network can fetch it (Instagram and Facebook pull by URL); `data` is the
    bytes for networks that take uploads (X, LinkedIn, Mastodon, Bluesky).
    """

    content_type: str
    data: bytes
    url: str = ""
    width: int = 0
    height: int = 0
    alt: str = ""
    filename: str = "media"

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")


@dataclass(frozen=True)
class NormalizedPost:
    """What to publish, independent of the network.

    `parts` is the thread: `parts[0]` is the first post and each later part replies to the one
    before (networks that do not thread get `text` only). `overrides` maps a network name to
    fields that replace the defaults for it (`text`, `parts`, `format`, ...); `resolved(network)`
    applies them. `idempotency_key` is the same on every attempt for one target, so a network
    that supports it (Mastodon's `Idempotency-Key`, a Bluesky record key) never posts twice.
    `format` picks the kind of post where a network has several (Instagram: feed, reel, story,
    carousel; Facebook: feed, photo, video). `done_parts` lists the thread parts an earlier,
    interrupted attempt already published: threading networks continue after the last of them.
    """

    text: str
    idempotency_key: str
    parts: tuple[str, ...] = ()
    media: tuple[MediaItem, ...] = ()
    link: str = ""
    format: str = "feed"
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    done_parts: tuple[str, ...] = ()  # ids of thread parts an earlier attempt published

    @property
    def thread(self) -> tuple[str, ...]:
        """The parts to publish in order (the text alone when it is not a thread)."""
        return self.parts or (self.text,)

    def resolved(self, network: str) -> NormalizedPost:
        """This post with `network`'s overrides applied (and no overrides left)."""
        extra = dict(self.overrides.get(network, {}))
        if "parts" in extra:
            extra["parts"] = tuple(extra["parts"])
        return replace(self, overrides={}, **extra)


@dataclass(frozen=True)
class AccountAuth:
    """A connected account as a provider sees it: identity, where it lives, and its tokens
    (decrypted for the duration of one call; never stored in this form)."""

    network: str
    remote_id: str  # X user id, LinkedIn person/organization id, Page id, IG user id, DID, ...
    handle: str = ""
    kind: str = "user"  # user | person | organization | page | instagram_business
    base_url: str = ""  # Mastodon instance / Bluesky PDS; "" where the host is a setting
    access_token: str = ""
    refresh_token: str = ""
    expires_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TokenSet:
    """Tokens from a code exchange or a refresh. `refresh_token` empty means the network did
    not send a new one: the caller keeps the one it has (never wipes it)."""

    access_token: str
    refresh_token: str = ""
    expires_at: datetime | None = None
    scope: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OAuthFlow:
    """One OAuth connection in progress, as the connect flow hands it to a provider.

    `code_challenge` and `code_verifier` are "" where the network takes no PKCE (`pkce`);
    `client` is the OAuth client `register_client` made on the user's server ({} where the
    network's app is in Settings).
    """

    redirect_uri: str
    state: str = ""
    code_challenge: str = ""
    code_verifier: str = ""
    client: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Identity:
    """An author the user can connect after logging in (a person, a company page, a Facebook
    Page, an Instagram business account, ...), with the token to publish as it."""

    kind: str
    remote_id: str
    handle: str
    display_name: str
    tokens: TokenSet
    base_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishResult:
    """Where the post landed: the first item's id and URL and every thread item's id.

    `notes` are what the author should know about how it went out (a mention the network
    could not find, posted as plain text); they are shown on the post's target.
    """

    remote_id: str
    url: str = ""
    part_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class InboxItem:
    """A comment, reply, mention or direct message addressed to the account."""

    remote_id: str
    kind: str  # comment | reply | mention | message
    author: str
    text: str
    created_at: datetime
    post_remote_id: str = ""
    url: str = ""


@dataclass(frozen=True)
class Metrics:
    """Engagement of one published post (missing figures are 0)."""

    likes: int = 0
    reposts: int = 0
    replies: int = 0
    views: int = 0
    clicks: int = 0


# --- the interface --------------------------------------------------------------------------

Ratio = tuple[float, float]  # (min, max) width / height


class Connect(StrEnum):
    """How a user connects an account of a network."""

    OAUTH = "oauth"  # the network's login page, through the app set up in Settings
    OAUTH_PER_INSTANCE = "instance"  # the login page of the user's own server, app made there
    APP_PASSWORD = "app_password"  # a handle and an app password, no redirect
    BUILT_IN = "built_in"  # nothing to connect: the account lives in Tandem (the sandbox)


class SocialProvider(abc.ABC):
    """One network: every fact about it as a class attribute, and a few methods.

    The composer's rules, the payload builder, the connect flow, the accounts page and the
    publishing engine read these attributes; none of them names a network. A subclass in a
    module of `providers/` is found by `registry` (adding a network is adding that file).
    """

    # --- who it is
    name: ClassVar[str]  # the key stored with accounts and posts ("x", "mastodon", ...)
    label: ClassVar[str]  # how the network is named to users
    rank: ClassVar[int] = 50  # where it is listed among the networks (lower first)
    # How an account of a kind is named where it is not simply the network's ("LinkedIn page").
    kind_labels: ClassVar[Mapping[str, str]] = {}

    # --- text: the limit, how it is counted, links, hashtags and mentions
    text_rules: ClassVar[TextRules]

    # --- media
    max_media: ClassVar[int] = 4  # attachments per post
    min_media: ClassVar[int] = 0  # a post needs at least this many (Instagram: 1)
    formats: ClassVar[tuple[str, ...]] = ("feed",)  # the kinds of post it publishes
    # Aspect ratio (min, max) per format ("feed" a post's image, "video" a post's video, "story"
    # and "reel" full-screen); None: any ratio. A format not named follows "feed".
    aspect_ratios: ClassVar[Mapping[str, Ratio | None]] = {"feed": None, "video": None}
    # The image types it publishes as they are; any other picture goes as a JPEG copy. (): any.
    image_types: ClassVar[tuple[str, ...]] = ()

    # --- publishing
    threads: ClassVar[bool] = False  # publishes `parts` as a reply chain
    # Whether `lookup` can tell if a post already went out (checked before retrying an
    # unknown outcome); idempotent networks retry safely instead.
    can_lookup: ClassVar[bool] = False
    idempotent: ClassVar[bool] = False
    # Whether `fetch_inbox` also returns direct messages (kind "message"); none does yet.
    reads_messages: ClassVar[bool] = False

    # --- connecting
    connect: ClassVar[Connect] = Connect.OAUTH
    pkce: ClassVar[bool] = True  # the OAuth flow sends a PKCE challenge (S256)
    # The `Settings` fields that must be set before it can connect (its app's client id).
    settings: ClassVar[tuple[str, ...]] = ()
    connect_label: ClassVar[str] = ""  # what the connect button says after "Connect" ("": label)
    connect_hint: ClassVar[str] = ""  # an example server or handle for the connect form
    connect_help: ClassVar[tuple[str, str]] = ("", "")  # (text, URL) of a help link there

    @abc.abstractmethod
    def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
        """Publish `post` (already resolved for this network) as `account`."""

    @abc.abstractmethod
    def refresh_token(self, account: AccountAuth) -> TokenSet:
        """A fresh access token (and the newest refresh token, if the network rotates it)."""

    @abc.abstractmethod
    def fetch_inbox(
        self, account: AccountAuth, post_ids: Sequence[str], since: datetime | None
    ) -> list[InboxItem]:
        """What people wrote to the account newer than `since` (all of it when None).

        Args:
            account: The connected account.
            post_ids: The remote ids of the posts Tandem published as this account (every
                thread part's id), chosen by the caller: most networks have no feed of the
                comments on an account's posts, so these are the posts read.
            since: Only items newer than this.

        Returns:
            The comments and replies on `post_ids` (kind "comment" or "reply", with
            `post_remote_id` naming the post); networks whose API has a notification feed (X
            mentions, Mastodon, Bluesky) also return the other mentions of the account there
            (kind "mention"); direct messages (kind "message") only where `reads_messages`.
            The account's own comments are left out.
        """

    @abc.abstractmethod
    def fetch_metrics(self, account: AccountAuth, remote_ids: list[str]) -> dict[str, Metrics]:
        """Engagement per published post id (posts the network has no figures for are left out)."""

    def lookup(self, post: NormalizedPost, account: AccountAuth) -> PublishResult | None:
        """Whether `post` already went out (after an unknown outcome): its result, or None when
        it did not. Raises `NotSupported` where the network cannot tell."""
        raise NotSupported(f"{self.label} cannot confirm whether a post went out")

    # --- connecting (the connect flow calls these; state, PKCE and sealing are its own) -----

    def register_client(self, *, instance_url: str, redirect_uri: str) -> dict[str, str]:
        """The OAuth client a connection on `instance_url` goes through, for networks that
        connect `OAUTH_PER_INSTANCE` (an app registered on the user's server); the connect
        flow keeps it sealed and hands it back as `OAuthFlow.client`. {} where the app is in
        Settings."""
        return {}

    def authorization_url(self, flow: OAuthFlow) -> str:
        """The network's consent page for `flow` (its redirect, state and PKCE challenge)."""
        raise NotSupported(f"{self.label} does not connect through OAuth")

    def exchange_code(self, flow: OAuthFlow, code: str) -> TokenSet:
        """The tokens for the `code` the network sent back at the end of `flow`."""
        raise NotSupported(f"{self.label} does not connect through OAuth")

    def identities(self, tokens: TokenSet) -> list[Identity]:
        """The authors these tokens can publish as (chosen by the user after login)."""
        raise NotSupported(f"{self.label} does not connect through OAuth")

    def sign_in(self, *, handle: str, password: str, instance_url: str = "") -> Identity:
        """The account behind a handle and an app password (networks that connect with
        `APP_PASSWORD`); the password itself is not kept."""
        raise NotSupported(f"{self.label} does not connect with an app password")
