"""Media routes of the fake Mastodon (contract §5): `POST /api/v2/media` (images answer 200 at
once; video, audio, or every upload with `async_media`, answer 202 and are processed over
`processing_polls` reads of `GET /api/v1/media/:id`, which answer 206 meanwhile). Mixed into
`FakeMastodon`."""

from __future__ import annotations

from typing import Any

from tests.fakes.http_fake import Reply, Request, route


class MastodonMediaRoutes:
    """Needs from the host class: `_user`, `_unauthorized`, `_id`, `not_found`, `base_url`,
    `media`, `async_media`, `processing_polls`, `fail_processing`."""

    media: dict[str, dict[str, Any]]
    base_url: str
    async_media: bool
    processing_polls: int
    fail_processing: bool

    def _user(self, request: Request) -> dict[str, Any] | None: ...
    def _id(self) -> str: ...
    def not_found(self, request: Request) -> Reply: ...
    @staticmethod
    def _unauthorized() -> Reply: ...

    @route("POST", r"/api/v2/media")
    def upload_media(self, request: Request) -> Reply:
        if self._user(request) is None:
            return self._unauthorized()
        if request.content_type != "multipart/form-data":
            return Reply(422, {"error": "Validation failed: File can't be blank"})
        parts = request.multipart()
        if "file" not in parts:
            return Reply(422, {"error": "Validation failed: File can't be blank"})
        filename, data, kind = parts["file"]
        if not data or kind.split("/")[0] not in ("image", "video", "audio"):
            return Reply(
                422, {"error": "Validation failed: File content type is invalid, File is invalid"}
            )
        slow = self.async_media or kind.split("/")[0] != "image"
        media = {
            "id": self._id(),
            "type": kind.split("/")[0],
            "_filename": filename,
            "description": parts.get("description", ("", b"", ""))[1].decode() or None,
            "_polls_left": self.processing_polls if slow else 0,
            "_data": data,
            "_failed": self.fail_processing and slow,
        }
        self.media[media["id"]] = media
        return Reply(202 if slow else 200, self._media_public(media))

    @route("GET", r"/api/v1/media/(?P<id>[^/]+)")
    def get_media(self, request: Request) -> Reply:
        if self._user(request) is None:
            return self._unauthorized()
        media = self.media.get(request.params["id"])
        if media is None:
            return self.not_found(request)
        if media["_polls_left"] > 0:
            media["_polls_left"] -= 1
            return Reply(206, self._media_public(media))
        if media["_failed"]:
            return Reply(422, {"error": "Error processing media"})
        return Reply(200, self._media_public(media))

    def _media_public(self, media: dict[str, Any]) -> dict[str, Any]:
        ready = media["_polls_left"] == 0 and not media["_failed"]
        url = f"{self.base_url}/system/media/{media['id']}" if ready else None
        return {
            "id": media["id"],
            "type": media["type"],
            "url": url,
            "preview_url": url,
            "remote_url": None,
            "description": media["description"],
            "meta": {},
            "blurhash": None,
        }
