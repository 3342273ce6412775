"""X API v2 plumbing shared by the X provider: calls, error translation, media upload, OAuth.

Every response is checked by `raise_for`, which turns X's problem+json answers into the
project's exceptions (contract §1.1, §1.3, §1.4); media goes through the v2 one-shot upload
(images) or initialize/append/finalize + STATUS polling (video, contract §1.2).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from crmapp.services.social import http
from crmapp.services.social.base import (
    AuthExpired,
    MediaItem,
    RateLimited,
    Rejected,
    TokenSet,
    Transient,
)
from crmapp.settings import get_settings

CHUNK_BYTES = 1024 * 1024  # append segment size (Postiz sends 1 MB chunks)
VIDEO_WAIT_SECONDS = 300.0  # give up polling a video's processing after this long
SCOPES = "tweet.read tweet.write users.read offline.access media.write"

# Replaced in tests so that polling does not sleep for real.
sleep: Callable[[float], None] = time.sleep


def api_base() -> str:
    """The X API host from settings (read at call time)."""
    return get_settings().x_api_base.rstrip("/")


def _detail(body: dict[str, Any]) -> str:
    """The human part of an X error body (v2 problem, v1.1 `errors`, OAuth `error`)."""
    if body.get("detail"):
        return str(body["detail"])
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return str(first.get("message") or first.get("detail") or first.get("title") or "")
    return str(body.get("error_description") or body.get("title") or body.get("error") or "")


def raise_for(response: httpx.Response) -> dict[str, Any]:
    """The JSON body of a successful answer; any error becomes a base exception.

    Raises:
        AuthExpired: 401, or an "Unsupported Authentication" refusal.
        RateLimited: 429, or a 403 usage cap; `retry_at` from `x-rate-limit-reset`.
        Rejected: 400/403/404/422 with content or request problems (reason says what to change).
        Transient: 5xx.
    """
    status = response.status_code
    body = http.json_or_empty(response)
    if status < 400:
        return body
    detail = _detail(body)
    kind = f"{body.get('type', '')} {body.get('title', '')}".lower()
    reset = http.reset_time(response.headers.get("x-rate-limit-reset"))
    if status == 401 or "unsupported authentication" in detail.lower():
        raise AuthExpired("X sign-in expired or was revoked: reconnect the X account")
    if status == 429:
        raise RateLimited("X rate limit reached; the post will be retried later", reset)
    if status >= 500:
        raise Transient(f"X is having trouble ({status}): {detail or 'no details'}")
    if "usage-capped" in kind or "usagecap" in kind:
        raise RateLimited(f"X usage cap reached: {detail or 'cap exceeded'}", reset)
    lowered = detail.lower()
    if "duplicate" in lowered:
        raise Rejected("X refuses duplicate content: change the text")
    if "too long" in lowered:
        raise Rejected(
            "The text is too long for X (280 characters; each link counts 23): shorten it"
        )
    if "maximum of 4 items" in lowered:
        raise Rejected("X takes at most 4 images per post: remove some")
    if "cashtag" in lowered:
        raise Rejected("X allows at most one $cashtag per post: remove the others")
    if "invalid url" in lowered:
        raise Rejected("X says a link in the text is invalid: fix or remove it")
    if status == 403:
        raise Rejected(f"X refused the post: {detail or 'forbidden'}")
    raise Rejected(f"X rejected the request: {detail or f'HTTP {status}'}")


def call(
    method: str, path: str, token: str, *, write: bool | None = None, **kwargs: Any
) -> dict[str, Any]:
    """One authenticated X API call; returns the JSON body or raises a base exception."""
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    response = http.request(method, f"{api_base()}{path}", write=write, headers=headers, **kwargs)
    return raise_for(response)


# --- media ----------------------------------------------------------------------------------


def upload_media(item: MediaItem, token: str) -> str:
    """Upload one image or video; returns its media id once X can attach it.

    Raises:
        Rejected: unsupported type, or X failed to process the video.
    """
    if item.is_video:
        return _upload_video(item, token)
    if not item.content_type.startswith("image/"):
        raise Rejected(f"X cannot attach {item.content_type} files: use an image or a video")
    category = "tweet_gif" if item.content_type == "image/gif" else "tweet_image"
    body = call(
        "POST",
        "/2/media/upload",
        token,
        files={"media": (item.filename, item.data, item.content_type)},
        data={"media_category": category},
    )
    return str(body["data"]["id"])


def _upload_video(item: MediaItem, token: str) -> str:
    init = call(
        "POST",
        "/2/media/upload/initialize",
        token,
        json={
            "media_type": item.content_type,
            "total_bytes": len(item.data),
            "media_category": "tweet_video",
        },
    )
    media_id = str(init["data"]["id"])
    for index, start in enumerate(range(0, len(item.data), CHUNK_BYTES)):
        chunk = item.data[start : start + CHUNK_BYTES]
        call(
            "POST",
            f"/2/media/upload/{media_id}/append",
            token,
            data={"segment_index": str(index)},
            files={"media": (item.filename, chunk, "application/octet-stream")},
        )
    final = call("POST", f"/2/media/upload/{media_id}/finalize", token)
    info = final.get("data", {}).get("processing_info")
    waited = 0.0
    while info:
        state = info.get("state")
        if state == "succeeded":
            break
        if state == "failed":
            message = (info.get("error") or {}).get("message") or "unknown reason"
            raise Rejected(
                f"X could not process the video ({message}): check its format "
                "(MP4, up to 140 s, 512 MB)"
            )
        delay = float(info.get("check_after_secs") or 1)
        if waited + delay > VIDEO_WAIT_SECONDS:
            raise Transient("X is still processing the video; trying again later")
        sleep(delay)
        waited += delay
        status = call(
            "GET",
            "/2/media/upload",
            token,
            params={"command": "STATUS", "media_id": media_id},
        )
        info = status.get("data", {}).get("processing_info")
    return media_id


# --- OAuth ----------------------------------------------------------------------------------


def token_request(form: dict[str, str]) -> TokenSet:
    """POST the token endpoint (code exchange or refresh) and read the token set.

    Confidential clients authenticate with HTTP Basic; public clients send `client_id` in the
    form (contract §1.3). A refused grant (a reused or revoked refresh token, a bad code) is
    `AuthExpired`: the owner has to connect the account again.
    """
    settings = get_settings()
    auth = None
    form = dict(form)
    if settings.x_client_secret:
        auth = httpx.BasicAuth(settings.x_client_id, settings.x_client_secret)
    else:
        form["client_id"] = settings.x_client_id
    # A write: a lost answer may have consumed a single-use refresh token (OutcomeUnknown).
    response = http.request("POST", f"{api_base()}/2/oauth2/token", data=form, auth=auth)
    if response.status_code in (400, 401):
        detail = _detail(http.json_or_empty(response)) or f"HTTP {response.status_code}"
        raise AuthExpired(f"X refused the sign-in ({detail}): reconnect the X account")
    body = raise_for(response)
    expires_in = body.get("expires_in")
    return TokenSet(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token") or ""),
        expires_at=(datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None),
        scope=str(body.get("scope") or ""),
    )
