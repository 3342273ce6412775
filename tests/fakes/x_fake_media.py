"""Media routes of the fake X (contract §1.2): the v2 one-shot upload for images and the
initialize/append/finalize + STATUS flow for video. Mixed into `FakeX`."""

from __future__ import annotations

from typing import Any

from tests.fakes.http_fake import Reply, Request, route

CATEGORIES = {
    "amplify_video",
    "tweet_gif",
    "tweet_image",
    "tweet_video",
    "dm_gif",
    "dm_image",
    "dm_video",
    "subtitles",
}
IMAGE_MAX_BYTES = 5 * 1024 * 1024


class XMediaRoutes:
    """Needs from the host class: `_guard`, `problem`, `_next_id`, `media`."""

    media: dict[str, dict[str, Any]]
    video_processing_polls = 2  # STATUS answers "in_progress" this many times, then succeeded
    video_fails = False  # processing ends in "failed" instead

    def _guard(self, request: Request, endpoint: str) -> tuple[str, dict[str, str]] | Reply: ...
    def problem(self, status: int, detail: str, headers: dict[str, str]) -> Reply: ...
    def _next_id(self) -> str: ...

    @route("POST", r"/2/media/upload")
    def upload(self, request: Request) -> Reply:
        guard = self._guard(request, "POST /2/media/upload")
        if isinstance(guard, Reply):
            return guard
        user, headers = guard
        if request.content_type != "multipart/form-data":
            return self.problem(400, "The request must be multipart/form-data.", headers)
        parts = request.multipart()
        if "media" not in parts:
            return self.problem(400, "The `media` field is required.", headers)
        category = parts.get("media_category", ("", b"", ""))[1].decode()
        if category not in CATEGORIES:
            return self.problem(400, "The `media_category` field is required and valid.", headers)
        _, data, content_type = parts["media"]
        if len(data) > IMAGE_MAX_BYTES:
            return self.problem(400, "Image file size exceeds 5 MB.", headers)
        media_id = self._next_id()
        self.media[media_id] = {
            "owner": user,
            "category": category,
            "size": len(data),
            "data": data,
            "state": "succeeded",
        }
        body = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": len(data),
            "expires_after_secs": 86400,
            "image": {"image_type": content_type, "w": 1, "h": 1},
        }
        return Reply(200, {"data": body}, headers=headers)

    @route("POST", r"/2/media/upload/initialize")
    def initialize(self, request: Request) -> Reply:
        guard = self._guard(request, "POST /2/media/upload/initialize")
        if isinstance(guard, Reply):
            return guard
        user, headers = guard
        try:
            body = request.json()
        except ValueError:
            return self.problem(400, "The request body is not valid JSON.", headers)
        if not isinstance(body, dict) or not body.get("media_type"):
            return self.problem(400, "The `media_type` field is required.", headers)
        total = body.get("total_bytes")
        if not isinstance(total, int) or not 0 < total <= 17179869184:
            return self.problem(400, "The `total_bytes` field is required and valid.", headers)
        if body.get("media_category") not in CATEGORIES:
            return self.problem(400, "The `media_category` field is not valid.", headers)
        media_id = self._next_id()
        self.media[media_id] = {
            "owner": user,
            "category": body["media_category"],
            "size": total,
            "segments": {},
            "state": "initialized",
            "polls": 0,
        }
        data = {"id": media_id, "media_key": f"7_{media_id}", "expires_after_secs": 1295999}
        return Reply(200, {"data": data}, headers=headers)

    def _owned(self, request: Request, headers: dict[str, str]) -> dict[str, Any] | Reply:
        item = self.media.get(request.params["id"])
        if item is None:
            return self.problem(400, "The media id is not valid.", headers)
        return item

    @route("POST", r"/2/media/upload/(?P<id>\d+)/append")
    def append(self, request: Request) -> Reply:
        guard = self._guard(request, "POST /2/media/upload/append")
        if isinstance(guard, Reply):
            return guard
        _, headers = guard
        item = self._owned(request, headers)
        if isinstance(item, Reply):
            return item
        parts = request.multipart()
        try:
            index = int(parts["segment_index"][1].decode())
        except (KeyError, ValueError):
            return self.problem(400, "The `segment_index` field is required.", headers)
        if not 0 <= index <= 999 or "media" not in parts:
            return self.problem(400, "The segment is not valid.", headers)
        item["segments"][index] = parts["media"][1]
        return Reply(200, {"data": {"expires_at": 1_900_000_000}}, headers=headers)

    @route("POST", r"/2/media/upload/(?P<id>\d+)/finalize")
    def finalize(self, request: Request) -> Reply:
        guard = self._guard(request, "POST /2/media/upload/finalize")
        if isinstance(guard, Reply):
            return guard
        _, headers = guard
        item = self._owned(request, headers)
        if isinstance(item, Reply):
            return item
        segments = item.get("segments", {})
        data = b"".join(segments[i] for i in sorted(segments))
        if sorted(segments) != list(range(len(segments))) or len(data) != item["size"]:
            return self.problem(400, "Segments do not add up to total_bytes.", headers)
        item["data"] = data
        item["state"] = "pending"
        body = {
            "id": request.params["id"],
            "media_key": f"7_{request.params['id']}",
            "size": len(data),
            "expires_after_secs": 86400,
            "processing_info": {"state": "pending", "check_after_secs": 1},
        }
        return Reply(200, {"data": body}, headers=headers)

    @route("GET", r"/2/media/upload")
    def status(self, request: Request) -> Reply:
        guard = self._guard(request, "GET /2/media/upload")
        if isinstance(guard, Reply):
            return guard
        _, headers = guard
        item = self.media.get(request.arg("media_id"))
        if request.arg("command") != "STATUS" or item is None:
            return self.problem(400, "command=STATUS and a valid media_id are required.", headers)
        item["polls"] = item.get("polls", 0) + 1
        info: dict[str, Any]
        if item["polls"] <= self.video_processing_polls:
            info = {"state": "in_progress", "check_after_secs": 1, "progress_percent": 40}
        elif self.video_fails:
            item["state"] = "failed"
            info = {
                "state": "failed",
                "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported video codec"},
            }
        else:
            item["state"] = "succeeded"
            info = {"state": "succeeded", "progress_percent": 100}
        return Reply(
            200, {"data": {"id": request.arg("media_id"), "processing_info": info}}, headers
        )
