"""Instagram content publishing for `FakeMeta` (contract §4): containers with a status state
machine, `media_publish` against a 24-hour quota, `content_publishing_limit`, media reads,
comments and insights. Mixed into `FakeMeta`, whose `guard`, `ok`, `paged`, `missing` and
`next_id` it uses.

Containers are IN_PROGRESS for the first `in_progress_polls` status reads, then FINISHED; an
`image_url` containing "bad-ratio" ends in ERROR with subcode 2207009, and `fail_container(subcode)`
makes the next container end in ERROR with that subcode.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.fakes.http_fake import Reply, Request, route

V = r"/v\d+\.\d+"
NODE = r"(?P<node>\w+)"
MEDIA_METRICS = {"views", "reach", "saved", "likes", "comments", "shares", "total_interactions"}
DEPRECATED_METRICS = {"impressions", "plays", "clips_replays_count", "video_views"}
MEDIA_TYPES = {"", "IMAGE", "VIDEO", "REELS", "STORIES", "CAROUSEL"}


def graph_time(when: datetime) -> str:
    """Graph's time format: `2024-01-01T10:00:00+0000`."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def graph_error(
    status: int, code: int, message: str, subcode: int | None = None, **more: Any
) -> Reply:
    """A Graph error envelope."""
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error |= more
    error["fbtrace_id"] = "AbCdEfFake"
    return Reply(status, {"error": error})


class InstagramRoutes:
    """The Instagram half of the Graph fake."""

    # provided by FakeMeta
    guard: Any
    ok: Any
    paged: Any
    missing: Any
    next_id: Any
    fetch: Any

    def init_instagram(self, *, quota_total: int, in_progress_polls: int) -> None:
        self.ig_users: dict[str, dict[str, Any]] = {}
        self.containers: dict[str, dict[str, Any]] = {}
        self.ig_media: dict[str, dict[str, Any]] = {}
        self.quota_total = quota_total
        self.in_progress_polls = in_progress_polls
        self.next_container_error: int | None = None

    def download(self, url: str) -> tuple[bytes | None, Reply | None]:
        """Fetch `url` as Meta does before accepting media by URL (only when the test gave the
        fake a `fetch`: it cannot reach the app otherwise); an error Reply when that fails."""
        if self.fetch is None or not url:
            return None, None
        try:
            return self.fetch(url), None
        except Exception:
            return None, graph_error(
                400,
                9004,
                "Media download has failed.: The media could not be fetched from the URI",
                2207052,
            )

    def add_ig_user(self, ig_id: str, username: str, page_id: str) -> None:
        self.ig_users[ig_id] = {"id": ig_id, "username": username, "page": page_id, "usage": 0}

    def fail_container(self, subcode: int) -> None:
        """The next container created ends in ERROR with `subcode`."""
        self.next_container_error = subcode

    def add_ig_comment(
        self,
        media_id: str,
        text: str,
        *,
        username: str,
        created: datetime,
        replies: list[tuple[str, str, datetime]] = (),  # type: ignore[assignment]
    ) -> str:
        comment_id = self.next_id()
        comment: dict[str, Any] = {
            "id": comment_id,
            "text": text,
            "timestamp": graph_time(created),
            "username": username,
            "from": {"id": f"u-{username}", "username": username},
            "replies": [
                {
                    "id": self.next_id(),
                    "text": reply_text,
                    "timestamp": graph_time(when),
                    "username": who,
                    "from": {"id": f"u-{who}", "username": who},
                    "parent_id": comment_id,
                }
                for who, reply_text, when in replies
            ],
        }
        self.ig_media[media_id]["comments"].append(comment)
        return comment_id

    def _ig_guard(self, request: Request, ig_id: str) -> tuple[dict[str, Any], Reply | None]:
        ig = self.ig_users.get(ig_id)
        fields, refused = self.guard(request, page=ig["page"] if ig else "")
        if refused:
            return fields, refused
        if ig is None:
            return fields, self.missing(ig_id)
        return fields, None

    # --- publishing ----------------------------------------------------------------------------
    @route("GET", V + "/" + NODE + r"/content_publishing_limit")
    def publishing_limit(self, request: Request) -> Reply:
        ig_id = request.params["node"]
        fields, refused = self._ig_guard(request, ig_id)
        if refused:
            return refused
        entry: dict[str, Any] = {"quota_usage": self.ig_users[ig_id]["usage"]}
        if "config" in str(fields.get("fields") or ""):
            entry["config"] = {"quota_total": self.quota_total, "quota_duration": 86400}
        return self.ok({"data": [entry]})

    @route("POST", V + "/" + NODE + r"/media")
    def create_container(self, request: Request) -> Reply:
        ig_id = request.params["node"]
        fields, refused = self._ig_guard(request, ig_id)
        if refused:
            return refused
        media_type = str(fields.get("media_type") or "").upper()
        image, video = str(fields.get("image_url") or ""), str(fields.get("video_url") or "")
        carousel_item = str(fields.get("is_carousel_item") or "").lower() == "true"
        if media_type not in MEDIA_TYPES:
            return graph_error(400, 100, f"(#100) Invalid media_type {media_type}", 2207023)
        if media_type == "CAROUSEL":
            children = [c for c in str(fields.get("children") or "").split(",") if c]
            if not 2 <= len(children) <= 10 or any(
                self.containers.get(c, {}).get("owner") != ig_id
                or not self.containers[c]["carousel_item"]
                for c in children
            ):
                return graph_error(400, 100, "(#100) The carousel children are invalid", 2207028)
        elif media_type in ("VIDEO", "REELS") and not video:
            return graph_error(400, 100, "(#100) The parameter video_url is required.")
        elif media_type == "STORIES" and not (image or video):
            return graph_error(400, 100, "(#100) The parameter image_url or video_url is required.")
        elif media_type in ("", "IMAGE") and not image:
            return graph_error(400, 100, "(#100) The parameter image_url is required.")
        if len(str(fields.get("caption") or "")) > 2200:
            return graph_error(400, 100, "(#100) The caption is too long", 2207010)
        data, refused = self.download(image or video)
        if refused:
            return refused
        if image and data is not None and not data.startswith(b"\xff\xd8\xff"):
            return graph_error(
                400,
                9004,
                "The image format is not supported. Only JPEG images can be published.",
                2207005,
            )
        error = self.next_container_error
        self.next_container_error = None
        if "bad-ratio" in image:
            error = 2207009
        container_id = self.next_id()
        self.containers[container_id] = {
            "id": container_id,
            "owner": ig_id,
            "media_type": media_type or "IMAGE",
            "carousel_item": carousel_item,
            "fields": fields,
            "polls": 0,
            "error": error,
            "published": False,
            "data": data,
        }
        return self.ok({"id": container_id})

    def container_status(self, container: dict[str, Any], *, poll: bool) -> str:
        if container["published"]:
            return "PUBLISHED"
        if poll:
            container["polls"] += 1
        if container["polls"] <= self.in_progress_polls:
            return "IN_PROGRESS"
        return "ERROR" if container["error"] else "FINISHED"

    @route("POST", V + "/" + NODE + r"/media_publish")
    def media_publish(self, request: Request) -> Reply:
        ig_id = request.params["node"]
        fields, refused = self._ig_guard(request, ig_id)
        if refused:
            return refused
        creation_id = str(fields.get("creation_id") or "")
        if not creation_id:
            return graph_error(400, 100, "(#100) The parameter creation_id is required.")
        container = self.containers.get(creation_id)
        if container is None or container["owner"] != ig_id or container["carousel_item"]:
            return self.missing(creation_id)
        user = self.ig_users[ig_id]
        if user["usage"] >= self.quota_total:
            return graph_error(
                400,
                9,
                "Application request limit reached: you reached the maximum number of posts "
                "allowed in 24 hours.",
                2207042,
            )
        if self.container_status(container, poll=False) != "FINISHED":
            return graph_error(
                400,
                9007,
                "Media ID is not available",
                2207027,
                error_user_title="Media not ready for publishing",
                error_user_msg="The media is not ready for publishing, please wait",
            )
        container["published"] = True
        user["usage"] += 1
        media_id = self.next_id()
        self.ig_media[media_id] = {
            "id": media_id,
            "owner": ig_id,
            "container": creation_id,
            "media_type": container["media_type"],
            "timestamp": graph_time(datetime.now(UTC)),
            "permalink": f"https://www.instagram.com/p/C{media_id}x/",
            "comments": [],
            "insights": {},
            "too_few_viewers": False,
        }
        return self.ok({"id": media_id})

    @route("GET", V + "/" + NODE)
    def read_node(self, request: Request) -> Reply:
        node = request.params["node"]
        owner = (self.containers.get(node) or self.ig_media.get(node) or {}).get("owner", "")
        fields, refused = self._ig_guard(request, owner)
        if refused:
            return refused if owner else self.missing(node)
        wanted = str(fields.get("fields") or "id").split(",")
        if node in self.containers:
            container = self.containers[node]
            body: dict[str, Any] = {"id": node}
            status = self.container_status(container, poll=True)
            if "status_code" in wanted:
                body["status_code"] = status
            if "status" in wanted:
                error = container["error"]
                body["status"] = f"Error: {error}" if status == "ERROR" else status.title()
            return self.ok(body)
        media = self.ig_media[node]
        return self.ok({"id": node} | {f: media[f] for f in wanted if f in media})

    # --- reading -------------------------------------------------------------------------------
    @route("GET", V + "/" + NODE + r"/media")
    def list_media(self, request: Request) -> Reply:
        ig_id = request.params["node"]
        fields, refused = self._ig_guard(request, ig_id)
        if refused:
            return refused
        wanted = str(fields.get("fields") or "id").split(",")
        items = []
        for media in sorted(self.ig_media.values(), key=lambda m: m["timestamp"], reverse=True):
            if media["owner"] == ig_id:
                row = media | {"comments_count": len(media["comments"])}
                items.append({"id": media["id"]} | {f: row[f] for f in wanted if f in row})
        return self.paged(request, items, fields)

    def ig_comments(self, request: Request) -> Reply:
        media = self.ig_media[request.params["node"]]
        fields, refused = self._ig_guard(request, media["owner"])
        if refused:
            return refused
        wanted = str(fields.get("fields") or "id,text,timestamp")
        items = []
        for comment in sorted(media["comments"], key=lambda c: c["timestamp"], reverse=True):
            item = {k: v for k, v in comment.items() if k != "replies"}
            if "replies" in wanted and comment["replies"]:
                item["replies"] = {"data": comment["replies"]}
            items.append(item)
        return self.paged(request, items, fields)

    def ig_insights(self, request: Request) -> Reply:
        node = request.params["node"]
        media = self.ig_media[node]
        fields, refused = self._ig_guard(request, media["owner"])
        if refused:
            return refused
        metrics = [m for m in str(fields.get("metric") or "").split(",") if m]
        if not metrics or any(m in DEPRECATED_METRICS or m not in MEDIA_METRICS for m in metrics):
            return graph_error(400, 100, "(#100) metric[0] must be one of the following values")
        if media["too_few_viewers"]:
            return graph_error(400, 10, "(#10) Not enough viewers for the media to show insights")
        data = [
            {
                "name": m,
                "period": "lifetime",
                "values": [{"value": media["insights"][m]}],
                "title": m,
                "description": m,
                "id": f"{node}/insights/{m}/lifetime",
            }
            for m in metrics
            if m in media["insights"]
        ]
        return self.ok({"data": data})
