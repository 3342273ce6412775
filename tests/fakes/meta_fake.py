"""A local Meta Graph API (contract §3 Facebook Pages, §4 Instagram) for provider tests.

Serves `/v{N}.{M}/...` (any version; a path without one gets the Graph "Unknown path" error).
Tokens come from the `access_token` query/form field or `Authorization: Bearer`; a missing,
unknown or expired one gets the Graph error 190. Facebook Login (code → short-lived token →
`fb_exchange_token` → long-lived token → `/me/accounts` Page tokens), Page feed/photos/videos,
comments and insights live here; Instagram containers, publishing and quota in `meta_fake_ig`.

Scripting: `rate_limit(code, calls=, minutes=)` throttles the next calls with code 4/17/32/80001
and usage headers; `expire_token(token)`; `rotate_page_token(page)` (password change);
`fail_next` from the base class for anything else; `fetch` downloads media URLs (as Meta does)
so that an unreachable URL or, for Instagram, a picture that is not a JPEG is refused.
"""

from __future__ import annotations

import itertools
import json
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.fakes.http_fake import FakeServer, Reply, Request, route
from tests.fakes.meta_fake_ig import NODE, InstagramRoutes, V, graph_error, graph_time

APP_ID = "meta-app-id"
APP_SECRET = "meta-app-secret"
LONG_LIVED_SECONDS = 5183944
PAGE_METRICS = {
    "post_total_media_view_unique",
    "post_reactions_by_type_total",
    "post_clicks",
    "post_clicks_by_type",
}
RATE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try "
    "again. For more info, please refer to "
    "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
}


class FakeMeta(InstagramRoutes, FakeServer):
    """Facebook Pages and Instagram business accounts under one Graph server."""

    def __init__(self, *, quota_total: int = 50, in_progress_polls: int = 0) -> None:
        super().__init__()
        self.tokens: dict[str, dict[str, Any]] = {}  # token -> {"kind", "page", "expired"}
        self.codes: dict[str, str] = {}  # login code -> the short-lived token it yields
        self.pages: dict[str, dict[str, Any]] = {}
        self.posts: dict[str, dict[str, Any]] = {}  # "{page}_{n}" -> post
        self.photos: dict[str, dict[str, Any]] = {}  # unpublished and published photos
        self.videos: dict[str, dict[str, Any]] = {}
        self.throttle: dict[str, Any] | None = None
        # How Meta downloads media given by URL (photos `url`, containers `image_url` and
        # `video_url`): a test that can serve them sets it; None leaves URLs unchecked.
        self.fetch: Callable[[str], bytes] | None = None
        self._ids = itertools.count(1000)
        self.init_instagram(quota_total=quota_total, in_progress_polls=in_progress_polls)

    # --- seeding and scripting ---------------------------------------------------------------
    def next_id(self) -> str:
        return str(next(self._ids))

    def add_code(self, code: str) -> None:
        """A login code that `oauth/access_token` trades for a short-lived user token."""
        self.codes[code] = f"short-{code}"

    def add_user_token(self, token: str) -> str:
        self.tokens[token] = {"kind": "user", "expired": False}
        return token

    def add_page(self, page_id: str, name: str, *, ig_id: str = "", ig_username: str = "") -> str:
        """A Page the (single) user manages, optionally with a linked Instagram account.
        Returns its Page token."""
        token = f"page-token-{page_id}-{self.next_id()}"
        self.tokens[token] = {"kind": "page", "page": page_id, "expired": False}
        self.pages[page_id] = {"id": page_id, "name": name, "token": token, "ig": ig_id}
        if ig_id:
            self.add_ig_user(ig_id, ig_username or f"ig{ig_id}", page_id)
        return token

    def expire_token(self, token: str) -> None:
        self.tokens[token]["expired"] = True

    def rotate_page_token(self, page_id: str) -> str:
        """The old Page token stops working (password changed); returns the new one."""
        self.expire_token(self.pages[page_id]["token"])
        token = f"page-token-{page_id}-{self.next_id()}"
        self.tokens[token] = {"kind": "page", "page": page_id, "expired": False}
        self.pages[page_id]["token"] = token
        return token

    def rate_limit(
        self, code: int = 4, *, calls: int = 1, minutes: int = 0, status: int = 403
    ) -> None:
        """Refuse the next `calls` authenticated calls with `code` and full usage headers
        (`estimated_time_to_regain_access` = `minutes`)."""
        self.throttle = {"code": code, "calls": calls, "minutes": minutes, "status": status}

    def add_comment(
        self,
        post_id: str,
        message: str,
        *,
        author: tuple[str, str],
        created: datetime,
        parent: str = "",
    ) -> str:
        comment_id = f"{post_id.split('_')[-1]}_{self.next_id()}"
        comment: dict[str, Any] = {
            "id": comment_id,
            "message": message,
            "from": {"id": author[0], "name": author[1]},
            "created_time": graph_time(created),
        }
        if parent:
            comment["parent"] = {"id": parent}
        self.posts[post_id]["comments"].append(comment)
        return comment_id

    # --- plumbing ------------------------------------------------------------------------------
    @staticmethod
    def params(request: Request) -> dict[str, Any]:
        """Query, form, JSON or multipart fields together (Graph takes them anywhere)."""
        out: dict[str, Any] = {key: values[0] for key, values in request.query.items()}
        if request.content_type == "application/x-www-form-urlencoded":
            out |= {key: values[0] for key, values in request.form().items()}
        elif request.content_type == "application/json" and request.body:
            out |= request.json()
        elif request.content_type == "multipart/form-data":
            for name, (filename, payload, _type) in request.multipart_all():
                out[name] = (
                    {"filename": filename, "size": len(payload)} if filename else (payload.decode())
                )
        return out

    def guard(self, request: Request, *, page: str = "") -> tuple[dict[str, Any], Reply | None]:
        """The call's fields and token check (and throttle); an error Reply when refused."""
        fields = self.params(request)
        token = str(fields.pop("access_token", "") or request.bearer())
        info = self.tokens.get(token)
        if not token:
            return fields, graph_error(
                400, 190, "An access token is required to request this resource."
            )
        if info is None:
            return fields, graph_error(
                400, 190, "Invalid OAuth access token - Cannot parse access token"
            )
        if info["expired"]:
            return fields, graph_error(
                400,
                190,
                "Error validating access token: Session has expired on Tuesday, 01-Jan-30 "
                "00:00:00 PST.",
                463,
            )
        if page and info["kind"] == "page" and info["page"] != page:
            return fields, graph_error(403, 200, "(#200) The token does not belong to this object")
        fields["_token"] = info
        if self.throttle and self.throttle["calls"] > 0:
            self.throttle["calls"] -= 1
            code, minutes = self.throttle["code"], self.throttle["minutes"]
            usage = {"call_count": 100, "total_time": 25, "total_cputime": 25}
            buc = {
                page or "app": [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 20,
                        "total_time": 20,
                        "estimated_time_to_regain_access": minutes,
                    }
                ]
            }
            reply = graph_error(
                self.throttle["status"], code, RATE_MESSAGES.get(code, f"(#{code})")
            )
            reply.headers = {
                "X-App-Usage": json.dumps(usage),
                "X-Business-Use-Case-Usage": json.dumps(buc),
            }
            return fields, reply
        return fields, None

    @staticmethod
    def ok(body: Any) -> Reply:
        usage = {"call_count": 2, "total_time": 1, "total_cputime": 1}
        return Reply(200, body, headers={"X-App-Usage": json.dumps(usage)})

    @staticmethod
    def missing(node: str) -> Reply:
        return graph_error(
            400,
            100,
            f"Unsupported request. Object with ID '{node}' does not exist, cannot be loaded due "
            "to missing permissions, or does not support this operation.",
            33,
        )

    def paged(self, request: Request, items: list[dict[str, Any]], fields: dict[str, Any]) -> Reply:
        """`{"data", "paging"}` with cursors; `next` only when more items follow."""
        limit = int(fields.get("limit") or 25)
        start = int(fields.get("after") or 0)
        body: dict[str, Any] = {"data": items[start : start + limit]}
        cursors = {"before": str(start), "after": str(start + limit)}
        body["paging"] = {"cursors": cursors}
        if start + limit < len(items):
            query = {k: v for k, v in fields.items() if not k.startswith("_")}
            query["after"] = str(start + limit)
            body["paging"]["next"] = (
                f"{self.base_url}{request.path}?{urllib.parse.urlencode(query)}"
            )
        return self.ok(body)

    def not_found(self, request: Request) -> Reply:
        return graph_error(400, 2500, f"Unknown path components: {request.path}")

    # --- Facebook Login ------------------------------------------------------------------------
    @route("GET", V + r"/oauth/access_token")
    def access_token(self, request: Request) -> Reply:
        fields = self.params(request)
        if fields.get("client_id") != APP_ID:
            return graph_error(400, 101, "Error validating application. Invalid application ID.")
        if fields.get("client_secret") != APP_SECRET:
            return graph_error(400, 1, "Error validating client secret.")
        if fields.get("grant_type") == "fb_exchange_token":
            info = self.tokens.get(str(fields.get("fb_exchange_token") or ""))
            if info is None or info["kind"] != "user" or info["expired"]:
                return graph_error(
                    400, 190, "Invalid OAuth access token - Cannot parse access token"
                )
            token = self.add_user_token(f"long-user-{self.next_id()}")
            return self.ok(
                {"access_token": token, "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS}
            )
        if not fields.get("redirect_uri") or not fields.get("code"):
            return graph_error(400, 100, "Missing redirect_uri or code parameter.")
        short = self.codes.pop(str(fields["code"]), "")
        if not short:
            return graph_error(400, 100, "This authorization code has been used.", 36009)
        self.add_user_token(short)
        return self.ok({"access_token": short, "token_type": "bearer", "expires_in": 5400})

    @route("GET", V + r"/me/accounts")
    def me_accounts(self, request: Request) -> Reply:
        fields, refused = self.guard(request)
        if refused:
            return refused
        if fields["_token"]["kind"] != "user":
            return graph_error(
                400, 100, "(#100) Tried accessing nonexisting field (accounts) on node type (Page)"
            )
        wanted = str(fields.get("fields") or "id,name")
        items = []
        for page in self.pages.values():
            item: dict[str, Any] = {"id": page["id"], "name": page["name"]}
            if "access_token" in wanted:
                item["access_token"] = page["token"]
            if "instagram_business_account" in wanted and page["ig"]:
                ig = self.ig_users[page["ig"]]
                item["instagram_business_account"] = {
                    "id": page["ig"],
                    "username": ig["username"],
                    "name": ig["username"].title(),
                }
            items.append(item)
        return self.paged(request, items, fields)

    # --- Facebook Pages ------------------------------------------------------------------------
    @route("GET", V + "/" + NODE + r"/feed")
    def page_feed(self, request: Request) -> Reply:
        page = request.params["node"]
        fields, refused = self.guard(request, page=page)
        if refused:
            return refused
        if page not in self.pages:
            return self.missing(page)
        posts = [p for p in self.posts.values() if p["page"] == page]
        items = []
        for post in sorted(posts, key=lambda p: p["created_time"], reverse=True):
            times = [post["created_time"]] + [c["created_time"] for c in post["comments"]]
            items.append(
                {
                    "id": post["id"],
                    "message": post["message"],
                    "created_time": post["created_time"],
                    "updated_time": max(times),
                }
            )
        return self.paged(request, items, fields)

    @route("POST", V + "/" + NODE + r"/feed")
    def create_post(self, request: Request) -> Reply:
        page = request.params["node"]
        fields, refused = self.guard(request, page=page)
        if refused:
            return refused
        if page not in self.pages:
            return self.missing(page)
        message, link = str(fields.get("message") or ""), str(fields.get("link") or "")
        attached = fields.get("attached_media") or []
        if isinstance(attached, str):
            attached = json.loads(attached)
        if not message and not link and not attached:
            return graph_error(400, 100, "(#100) Missing message or attachment")
        if len(message) > 63206:
            return graph_error(400, 100, "(#100) The message is too long")
        photo_ids = [str(item.get("media_fbid")) for item in attached]
        for photo_id in photo_ids:
            photo = self.photos.get(photo_id)
            if photo is None or photo["page"] != page or photo["published"]:
                return graph_error(400, 100, f"(#100) param attached_media[{photo_id}] is invalid")
        if message and any(
            p["page"] == page and p["message"] == message for p in self.posts.values()
        ):
            return graph_error(400, 506, "(#506) Duplicate status message")
        for photo_id in photo_ids:
            self.photos[photo_id]["published"] = True
        post_id = self.store_post(page, message, link=link, photos=photo_ids)
        return self.ok({"id": post_id})

    def store_post(
        self, page: str, message: str, *, link: str = "", photos: list[str] | None = None
    ) -> str:
        post_id = f"{page}_{self.next_id()}"
        self.posts[post_id] = {
            "id": post_id,
            "page": page,
            "message": message,
            "link": link,
            "photos": photos or [],
            "created_time": graph_time(datetime.now(UTC)),
            "comments": [],
            "insights": {},
        }
        return post_id

    @route("POST", V + "/" + NODE + r"/photos")
    def create_photo(self, request: Request) -> Reply:
        page = request.params["node"]
        fields, refused = self.guard(request, page=page)
        if refused:
            return refused
        if page not in self.pages:
            return self.missing(page)
        source = fields.get("url") or fields.get("source")
        if not source:
            return graph_error(400, 324, "(#324) Requires upload file")
        data, refused = self.download(str(fields.get("url") or ""))
        if refused:
            return graph_error(400, 324, "(#324) Missing or invalid image file")
        photo_id = self.next_id()
        published = str(fields.get("published", "true")).lower() != "false"
        self.photos[photo_id] = {
            "page": page,
            "source": source,
            "published": published,
            "data": data,
        }
        if not published:
            return self.ok({"id": photo_id})
        post_id = self.store_post(page, str(fields.get("caption") or ""), photos=[photo_id])
        return self.ok({"id": photo_id, "post_id": post_id})

    @route("POST", V + "/" + NODE + r"/videos")
    def create_video(self, request: Request) -> Reply:
        page = request.params["node"]
        fields, refused = self.guard(request, page=page)
        if refused:
            return refused
        if page not in self.pages:
            return self.missing(page)
        source = fields.get("file_url") or fields.get("source")
        if not source:
            return graph_error(400, 100, "(#100) Either file_url or source must be provided")
        video_id = self.next_id()
        self.videos[video_id] = {
            "page": page,
            "source": source,
            "description": fields.get("description", ""),
        }
        return self.ok({"id": video_id})

    @route("GET", V + "/" + NODE + r"/comments")
    def comments(self, request: Request) -> Reply:
        node = request.params["node"]
        if node in self.ig_media:
            return self.ig_comments(request)
        post = self.posts.get(node)
        fields, refused = self.guard(request, page=post["page"] if post else "")
        if refused:
            return refused
        if post is None:
            return self.missing(node)
        items = sorted(post["comments"], key=lambda c: c["created_time"])
        if fields.get("order") == "reverse_chronological":
            items.reverse()
        if fields.get("filter") != "stream":
            items = [c for c in items if "parent" not in c]
        return self.paged(request, items, fields)

    @route("GET", V + "/" + NODE + r"/insights")
    def insights(self, request: Request) -> Reply:
        node = request.params["node"]
        if node in self.ig_media:
            return self.ig_insights(request)
        post = self.posts.get(node)
        fields, refused = self.guard(request, page=post["page"] if post else "")
        if refused:
            return refused
        if post is None:
            return self.missing(node)
        metrics = [m for m in str(fields.get("metric") or "").split(",") if m]
        if not metrics or any(m not in PAGE_METRICS for m in metrics):
            return graph_error(400, 100, "(#100) The value must be a valid insights metric")
        data = [
            {
                "name": m,
                "period": "lifetime",
                "values": [{"value": post["insights"][m]}],
                "title": m,
                "description": m,
                "id": f"{node}/insights/{m}/lifetime",
            }
            for m in metrics
            if m in post["insights"]
        ]
        return self.ok({"data": data})
