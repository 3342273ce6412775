"""Instagram business accounts through the Graph API with Facebook Login (contract §4).

Publishing is three steps: create a container from a public media URL, wait until Instagram has
processed it (`status_code` FINISHED), then `media_publish` it. The account's token is the token
of the Facebook Page it is linked to; `extra["page_id"]` names that Page and `extra` keeps the
long-lived user token to re-read the Page token (as for Facebook).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

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
    SocialError,
    SocialProvider,
    TokenSet,
    Transient,
)
from crmapp.services.social.providers import meta_graph as graph
from crmapp.services.social.providers.facebook import SCOPES as PAGE_SCOPES
from crmapp.services.social.textcount import TextRules

SCOPES = (
    PAGE_SCOPES + ",instagram_basic,instagram_content_publish,instagram_manage_comments,"
    "instagram_manage_insights"
)
INSIGHT_METRICS = "views,reach,saved,likes,comments,shares,total_interactions"
COMMENT_FIELDS = (
    "id,text,timestamp,username,from,parent_id,replies{id,text,timestamp,username,from}"
)
FORMATS = ("feed", "reel", "story", "carousel")


# Instagram counts tags the strict way (the composer and publishing share these): a run of
# tags written together ("#one#two") is one tag each; digits-only and full-width tags count; a
# "#" after a word character or "&" ("word#x", "&#39;") does not start one. A mention is "@"
# and a name of letters, digits, "_" and "." (not after a word character or "@").
HASHTAG = regex.compile(r"(?:(?<![\w&])|(?<=(?<![\w&])(?:[#＃]\w+)+))[#＃]\w+")
MENTION = regex.compile(r"(?<![\w@])@(?:[\w.]*\w|\.+)")


def check_caption(caption: str) -> None:
    """Raise `Rejected` when Instagram would refuse the caption (2200 chars, 30 #, 20 @)."""
    rules = InstagramProvider.text_rules
    if len(caption) > rules.limit:
        raise Rejected(
            f"The caption is {len(caption)} characters; Instagram allows {rules.limit}. Shorten it."
        )
    if problems := rules.cap_problems("Instagram", caption):
        raise Rejected(" ".join(problems))


class InstagramProvider(graph.FacebookLogin, SocialProvider):
    """An Instagram professional (business or creator) account linked to a Facebook Page."""

    login_scopes: ClassVar[str] = SCOPES
    name = "instagram"
    label = "Instagram"
    rank = 40
    # Per caption (contract §4): 2200 code points, 30 hashtags, 20 mentions.
    text_rules = TextRules(
        limit=2200, hashtag=HASHTAG, mention=MENTION, max_hashtags=30, max_mentions=20
    )
    max_media = 10  # a carousel takes 2 to 10
    min_media = 1
    formats = FORMATS
    aspect_ratios = {
        "feed": (4 / 5, 1.91),
        "video": (4 / 5, 1.91),
        "story": (9 / 16, 9 / 16),
        "reel": (9 / 16, 9 / 16),
    }
    # Content publishing takes JPEG only (contract §4.1; a PNG is refused with 2207005).
    image_types = ("image/jpeg",)
    settings = ("meta_app_id",)
    connect_label = "Instagram (business, via Facebook login)"
    poll_interval: ClassVar[float] = 3.0  # seconds between container status reads
    max_polls: ClassVar[int] = 60  # then Transient: Instagram is still processing

    # --- publishing ------------------------------------------------------------------------

    def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
        """Publish a feed image, a reel, a story or a carousel.

        Raises:
            Rejected: No media, a caption over the limits, media Instagram cannot fetch or
                process (with the reason), a format that does not fit the media.
            RateLimited: The 24-hour publishing quota is used up.
            Transient: Instagram never finished processing the media.
        """
        caption, media = post.text, post.media
        fmt = post.format if post.format in FORMATS else "feed"
        if not media:
            raise Rejected("Instagram posts need an image or a video")
        if len(media) > self.max_media:
            raise Rejected(f"Instagram carousels take at most {self.max_media} items; remove some")
        if missing := [item.filename for item in media if not item.url]:
            raise Rejected(
                f"Instagram fetches media from a public URL and {', '.join(missing)} has none; "
                "upload it again"
            )
        if fmt == "story" and len(media) > 1:
            raise Rejected("An Instagram story takes one image or video; post the others apart")
        if fmt == "reel" and (len(media) > 1 or not media[0].is_video):
            raise Rejected("An Instagram reel takes exactly one video")
        if fmt == "carousel" and len(media) < 2:
            raise Rejected("An Instagram carousel needs 2 to 10 images or videos")
        if fmt != "story":
            check_caption(caption)
        self._check_quota(account)
        if len(media) > 1 or fmt == "carousel":
            children = [self._container(account, self._child_params(item)) for item in media]
            for child in children:
                self._wait_finished(account, child)
            params = {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
        else:
            params = self._single_params(media[0], fmt, caption)
        container = self._container(account, params)
        self._wait_finished(account, container)
        answer = self._call(
            "POST", f"{account.remote_id}/media_publish", account, params={"creation_id": container}
        )
        media_id = str(answer["id"])
        return PublishResult(
            remote_id=media_id, url=self._permalink(account, media_id), part_ids=(media_id,)
        )

    @staticmethod
    def _single_params(item: MediaItem, fmt: str, caption: str) -> dict[str, Any]:
        if fmt == "story":
            key = "video_url" if item.is_video else "image_url"
            return {"media_type": "STORIES", key: item.url}
        params: dict[str, Any] = {"caption": caption}
        if item.alt and not item.is_video:
            params["alt_text"] = item.alt
        if item.is_video:  # single feed videos are published as reels (since 2023-07)
            return params | {"media_type": "REELS", "video_url": item.url, "share_to_feed": "true"}
        return params | {"image_url": item.url}

    @staticmethod
    def _child_params(item: MediaItem) -> dict[str, Any]:
        if item.is_video:
            return {"is_carousel_item": "true", "media_type": "VIDEO", "video_url": item.url}
        return {"is_carousel_item": "true", "image_url": item.url}

    def _check_quota(self, account: AccountAuth) -> None:
        since = int((datetime.now(UTC) - timedelta(hours=23)).timestamp())
        body = self._call(
            "GET",
            f"{account.remote_id}/content_publishing_limit",
            account,
            params={"fields": "quota_usage,config", "since": since},
        )
        entry = (body.get("data") or [{}])[0]
        usage = int(entry.get("quota_usage") or 0)
        total = int((entry.get("config") or {}).get("quota_total") or 0)
        if total and usage >= total:
            raise RateLimited(
                f"Instagram allows {total} posts a day and this account reached it; it will retry",
                datetime.now(UTC) + graph.DAILY_LIMIT_WAIT,
            )

    def _container(self, account: AccountAuth, params: dict[str, Any]) -> str:
        answer = self._call("POST", f"{account.remote_id}/media", account, params=params)
        return str(answer["id"])

    def _wait_finished(self, account: AccountAuth, container: str) -> None:
        for attempt in range(self.max_polls):
            body = self._call("GET", container, account, params={"fields": "status_code,status"})
            code = str(body.get("status_code") or "")
            if code in ("FINISHED", "PUBLISHED"):
                return
            if code == "ERROR":
                raise Rejected(self._status_reason(str(body.get("status") or "")))
            if code == "EXPIRED":
                raise Rejected("The Instagram upload expired before publishing; publish it again")
            if attempt < self.max_polls - 1:
                time.sleep(self.poll_interval)
        raise Transient("Instagram is still processing the media; it will try again")

    @staticmethod
    def _status_reason(status: str) -> str:
        match = re.search(r"\b(2207\d{3}|36\d{3})\b", status)
        if match:
            number = int(match.group(1))
            reason = graph.REASONS.get(number) or graph.CODE_REASONS.get(number)
            if reason:
                return reason
        return f"Instagram could not process the media ({status or 'no details'}); try another file"

    def _permalink(self, account: AccountAuth, media_id: str) -> str:
        try:
            body = self._call("GET", media_id, account, params={"fields": "permalink"})
        except SocialError:
            return ""  # published all the same; the link is a nicety
        return str(body.get("permalink") or "")

    def _call(self, method: str, path: str, account: AccountAuth, **kwargs: Any) -> dict[str, Any]:
        return graph.call(method, path, token=account.access_token, network="Instagram", **kwargs)

    # --- tokens and login ------------------------------------------------------------------

    def refresh_token(self, account: AccountAuth) -> TokenSet:
        """Re-read the linked Page's token with the user token kept in `account.extra`."""
        page_id = str(account.extra.get("page_id") or "")
        if not page_id:
            raise AuthExpired("The Instagram account's Page is unknown; reconnect it")
        return graph.refresh_page_token(account, page_id=page_id, network="Instagram")

    def identities(self, tokens: TokenSet) -> list[Identity]:
        """One Identity per Instagram business account linked to a Page the user manages."""
        keep = graph.user_token_extra(tokens)
        out = []
        for page in graph.list_pages(tokens.access_token):
            ig = page.get("instagram_business_account") or {}
            if not ig.get("id") or not page.get("access_token"):
                continue
            username = str(ig.get("username") or ig["id"])
            out.append(
                Identity(
                    kind="instagram_business",
                    remote_id=str(ig["id"]),
                    handle=username,
                    display_name=str(ig.get("name") or username),
                    tokens=TokenSet(access_token=str(page["access_token"]), extra=dict(keep)),
                    extra={"page_id": str(page["id"]), "page_name": str(page.get("name") or "")},
                )
            )
        return out

    # --- inbox and metrics -----------------------------------------------------------------

    def fetch_inbox(
        self, account: AccountAuth, post_ids: Sequence[str], since: datetime | None
    ) -> list[InboxItem]:
        """Comments and replies newer than `since` on the media `post_ids` (§4.6); the
        account's own comments are left out. Instagram Direct is not read."""
        items: list[InboxItem] = []
        for media_id in post_ids:
            url = self._permalink(account, media_id)
            params = {"fields": COMMENT_FIELDS, "limit": 50}
            for comment in graph.paged(
                f"{media_id}/comments",
                token=account.access_token,
                params=params,
                network="Instagram",
            ):
                replies = (comment.get("replies") or {}).get("data") or []
                kinds = [("reply" if comment.get("parent_id") else "comment", comment)]
                kinds += [("reply", reply) for reply in replies]
                for kind, entry in kinds:
                    item = self._inbox_item(account, entry, kind, media_id, url, since)
                    if item is not None:
                        items.append(item)
        return items

    @staticmethod
    def _inbox_item(
        account: AccountAuth,
        entry: dict[str, Any],
        kind: str,
        media_id: str,
        url: str,
        since: datetime | None,
    ) -> InboxItem | None:
        created = http.parse_time(entry.get("timestamp"))
        author = entry.get("from") or {}
        username = str(entry.get("username") or author.get("username") or "")
        own = str(author.get("id") or "") == account.remote_id or (
            account.handle and username == account.handle
        )
        if own or (since and created <= since):
            return None
        return InboxItem(
            remote_id=str(entry["id"]),
            kind=kind,
            author=username,
            text=str(entry.get("text") or ""),
            created_at=created,
            post_remote_id=media_id,
            url=url,
        )

    def fetch_metrics(self, account: AccountAuth, remote_ids: list[str]) -> dict[str, Metrics]:
        """Media insights (§4.7): views, likes, comments (replies), shares (reposts). Media
        without figures (too few viewers, expired stories, empty data) are left out."""

        def figures(values: dict[str, Any]) -> Metrics:
            return Metrics(
                likes=graph.number(values.get("likes")),
                reposts=graph.number(values.get("shares")),
                replies=graph.number(values.get("comments")),
                views=graph.number(values.get("views")),
            )

        return graph.post_metrics(account, remote_ids, INSIGHT_METRICS, "Instagram", figures)
