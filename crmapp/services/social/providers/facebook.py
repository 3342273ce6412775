"""Facebook Pages through the Graph API (contract §3): posts, photos, videos, comments, insights.

The account is a Page; its access token is the Page token (it does not expire), and its `extra`
keeps the long-lived user token it was read with, so `refresh_token` can read it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from crmapp.services.social import http
from crmapp.services.social.base import (
    AccountAuth,
    Identity,
    InboxItem,
    MediaItem,
    Metrics,
    NormalizedPost,
    NotSupported,
    PublishResult,
    Rejected,
    SocialProvider,
    TokenSet,
)
from crmapp.services.social.providers import meta_graph as graph
from crmapp.services.social.textcount import TextRules

SCOPES = (
    "pages_show_list,pages_read_engagement,pages_manage_posts,pages_manage_engagement,"
    "pages_read_user_content,read_insights,business_management"
)
INSIGHT_METRICS = "post_total_media_view_unique,post_reactions_by_type_total,post_clicks"
COMMENT_FIELDS = "id,message,from,created_time,parent"


def _post_url(post_id: str) -> str:
    return f"https://www.facebook.com/{post_id}"


class FacebookProvider(graph.FacebookLogin, SocialProvider):
    """A Facebook Page."""

    login_scopes: ClassVar[str] = SCOPES
    name = "facebook"
    label = "Facebook"
    rank = 30
    kind_labels = {"page": "Facebook Page"}
    text_rules = TextRules(limit=63206)  # code points
    max_media = 10  # photos in one post (the contract gives no number; capped here)
    aspect_ratios = {
        "feed": None,
        "video": None,
        "story": (9 / 16, 9 / 16),
        "reel": (9 / 16, 9 / 16),
    }
    settings = ("meta_app_id",)
    connect_label = "Facebook Page"

    # --- publishing ------------------------------------------------------------------------

    def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
        """Publish a text/link post, one photo, several photos or one video to the Page.

        Raises:
            Rejected: Too long, too many media, a video mixed with photos, nothing to post,
                or Facebook refused the content.
        """
        page, token = account.remote_id, account.access_token
        text, media = post.text, post.media
        if post.format in ("story", "reel"):
            raise NotSupported(f"Facebook {post.format}s are not supported yet; post to the feed")
        if len(text) > self.text_rules.limit:
            raise Rejected(
                f"The text is {len(text)} characters; Facebook allows {self.text_rules.limit}. "
                "Shorten it."
            )
        if len(media) > self.max_media:
            raise Rejected(f"Facebook takes at most {self.max_media} photos; remove some")
        videos = [item for item in media if item.is_video]
        if videos and len(media) > 1:
            raise Rejected("Facebook posts take one video or up to 10 photos; not both")
        if not media:
            if not text.strip() and not post.link:
                raise Rejected("The post is empty; write some text or add a link")
            body: dict[str, Any] = {"message": text, "published": True}
            if post.link:
                body["link"] = post.link
            return self._result(self._call("POST", f"{page}/feed", token, json_body=body)["id"])
        caption = text if not post.link or post.link in text else f"{text}\n\n{post.link}".strip()
        if videos:
            answer = self._upload(page, token, videos[0], {"description": caption}, "videos")
            video_id = str(answer["id"])
            return PublishResult(
                remote_id=video_id,
                url=f"https://www.facebook.com/{page}/videos/{video_id}",
                part_ids=(video_id,),
            )
        if len(media) == 1:
            answer = self._upload(page, token, media[0], {"caption": caption}, "photos")
            return self._result(str(answer.get("post_id") or f"{page}_{answer['id']}"))
        photo_ids = [
            str(self._upload(page, token, item, {"published": False}, "photos")["id"])
            for item in media
        ]
        body = {
            "message": caption,
            "attached_media": [{"media_fbid": photo_id} for photo_id in photo_ids],
            "published": True,
        }
        return self._result(self._call("POST", f"{page}/feed", token, json_body=body)["id"])

    def _upload(
        self, page: str, token: str, item: MediaItem, fields: dict[str, Any], edge: str
    ) -> dict[str, Any]:
        """A photo or video by URL (Facebook fetches it) or as multipart `source` bytes."""
        fields = {"published": True, **fields}
        if item.url:
            key = "file_url" if edge == "videos" else "url"
            return self._call("POST", f"{page}/{edge}", token, json_body={key: item.url, **fields})
        if not item.data:
            raise Rejected("A media item has neither a URL nor any data; attach it again")
        form = {
            key: str(value).lower() if isinstance(value, bool) else str(value)
            for key, value in fields.items()
        }
        files = {"source": (item.filename, item.data, item.content_type)}
        return self._call("POST", f"{page}/{edge}", token, data=form, files=files)

    def _call(self, method: str, path: str, token: str, **kwargs: Any) -> dict[str, Any]:
        return graph.call(method, path, token=token, network="Facebook", **kwargs)

    @staticmethod
    def _result(post_id: Any) -> PublishResult:
        post_id = str(post_id)
        return PublishResult(remote_id=post_id, url=_post_url(post_id), part_ids=(post_id,))

    # --- tokens and login ------------------------------------------------------------------

    def refresh_token(self, account: AccountAuth) -> TokenSet:
        """Re-read the Page token with the long-lived user token kept in `account.extra`."""
        return graph.refresh_page_token(account, page_id=account.remote_id, network="Facebook")

    def identities(self, tokens: TokenSet) -> list[Identity]:
        """One Identity per Page the user manages; its tokens are the Page token (which does not
        expire) with the user token in `extra` for later re-reads."""
        keep = graph.user_token_extra(tokens)
        out = []
        for page in graph.list_pages(tokens.access_token):
            if not page.get("access_token"):
                continue  # a Page the user cannot publish to (no task allowing it)
            picture = ((page.get("picture") or {}).get("data") or {}).get("url", "")
            name = str(page.get("name") or page.get("id"))
            out.append(
                Identity(
                    kind="page",
                    remote_id=str(page["id"]),
                    handle=name,
                    display_name=name,
                    tokens=TokenSet(access_token=str(page["access_token"]), extra=dict(keep)),
                    extra={"picture": picture} if picture else {},
                )
            )
        return out

    # --- inbox and metrics -----------------------------------------------------------------

    def fetch_inbox(
        self, account: AccountAuth, post_ids: Sequence[str], since: datetime | None
    ) -> list[InboxItem]:
        """Comments (and replies to comments) newer than `since` on the Page posts `post_ids`;
        the Page's own comments are left out. Page conversations (Messenger) are not read."""
        page, token = account.remote_id, account.access_token
        items: list[InboxItem] = []
        for post_id in post_ids:
            params = {
                "fields": COMMENT_FIELDS,
                "filter": "stream",
                "order": "reverse_chronological",
                "limit": 25,
            }
            for comment in graph.paged(f"{post_id}/comments", token=token, params=params):
                created = http.parse_time(comment.get("created_time"))
                if since and created <= since:
                    break  # reverse chronological: the rest is older
                author = comment.get("from") or {}
                if str(author.get("id") or "") == page:
                    continue
                items.append(
                    InboxItem(
                        remote_id=str(comment["id"]),
                        kind="reply" if comment.get("parent") else "comment",
                        author=str(author.get("name") or author.get("id") or ""),
                        text=str(comment.get("message") or ""),
                        created_at=created,
                        post_remote_id=post_id,
                        url=_post_url(str(comment["id"])),
                    )
                )
        return items

    def fetch_metrics(self, account: AccountAuth, remote_ids: list[str]) -> dict[str, Metrics]:
        """Post insights (§3.7): views, reactions (as likes) and clicks. Posts without figures
        (not enough audience, not a post) are left out."""

        def figures(values: dict[str, Any]) -> Metrics:
            reactions = values.get("post_reactions_by_type_total")
            likes = sum(map(graph.number, reactions.values())) if isinstance(reactions, dict) else 0
            return Metrics(
                likes=likes,
                views=graph.number(values.get("post_total_media_view_unique")),
                clicks=graph.number(values.get("post_clicks")),
            )

        return graph.post_metrics(account, remote_ids, INSIGHT_METRICS, "Facebook", figures)
