"""A local X API v2 that follows /work/shared/contracts/SOCIAL_APIS.md §1.

Tokens: `issue_token(user_id)` hands out a Bearer token valid 2 h (`expire(token)` ends it);
`authorize(...)` plays the user's consent and returns a code for `/2/oauth2/token`, which
checks PKCE (S256), client authentication (Basic for confidential clients, else `client_id`) and
rotates refresh tokens (a reused one gets 400 invalid_request).

Every response carries `x-rate-limit-{limit,remaining,reset}` for its endpoint; `rate_limits`
maps "METHOD /path" to calls per 15-minute window per user (default `default_rate_limit`); a call
over the limit gets the v2 429 body. `usage_capped` makes `POST /2/tweets` answer the 403 usage
cap. Errors are RFC 7807 problem objects.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from tests.fakes.http_fake import FakeServer, Reply, Request, route
from tests.fakes.x_fake_media import XMediaRoutes

WINDOW = 900
PROBLEM = "https://api.x.com/2/problems/"
ID_RX = re.compile(r"^[0-9]{1,19}$")
TWEET_KEYS = {
    "text",
    "reply",
    "media",
    "quote_tweet_id",
    "reply_settings",
    "poll",
    "made_with_ai",
    "paid_partnership",
    "community_id",
    "share_with_followers",
    "nullcast",
}


def _oauth_error(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description})


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakeX(XMediaRoutes, FakeServer):
    """The fake X server; inspect `tweets`, `media`, `requests`."""

    def __init__(self, *, client_id: str = "x-client", client_secret: str = "") -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.users: dict[str, dict[str, str]] = {}
        self.tweets: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, tuple[str, float]] = {}  # access token -> (user id, expiry)
        self.refresh_tokens: dict[str, str] = {}  # live refresh token -> user id
        self.codes: dict[str, dict[str, str]] = {}
        self.rate_limits: dict[str, int] = {"POST /2/tweets": 100}
        self.default_rate_limit = 900
        self.usage_capped = False
        self.max_chars = 280
        self.too_long_status = 400
        self._counts: dict[tuple[str, str, int], int] = {}
        self._ids = itertools.count(1880028106020515840)
        self.add_user("2244994945", "tandem_test", "Tandem Test")

    # --- scripting --------------------------------------------------------------------------
    def add_user(self, user_id: str, username: str, name: str = "") -> None:
        self.users[user_id] = {"id": user_id, "username": username, "name": name or username}

    def issue_token(self, user_id: str = "2244994945", *, expires_in: int = 7200) -> str:
        token = "xat-" + secrets.token_urlsafe(12)
        self.tokens[token] = (user_id, time.time() + expires_in)
        return token

    def issue_refresh(self, user_id: str = "2244994945") -> str:
        token = "xrt-" + secrets.token_urlsafe(12)
        self.refresh_tokens[token] = user_id
        return token

    def expire(self, token: str) -> None:
        user, _ = self.tokens[token]
        self.tokens[token] = (user, time.time() - 1)

    def authorize(
        self, *, code_challenge: str, redirect_uri: str, user_id: str = "2244994945"
    ) -> str:
        """The user approved the app: a code as X puts it on the redirect."""
        code = "code-" + secrets.token_urlsafe(8)
        self.codes[code] = {"challenge": code_challenge, "redirect": redirect_uri, "user": user_id}
        return code

    def add_tweet(
        self, user_id: str, text: str, *, created_at: datetime | None = None, reply_to: str = ""
    ) -> str:
        tweet_id = self._next_id()
        self.tweets[tweet_id] = {
            "id": tweet_id,
            "text": text,
            "author_id": user_id,
            "created_at": created_at or datetime.now(UTC),
            "reply_to": reply_to,
            "media_ids": [],
            "public_metrics": {
                "retweet_count": 0,
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": 0,
            },
        }
        return tweet_id

    # --- helpers ----------------------------------------------------------------------------
    def _next_id(self) -> str:
        return str(next(self._ids))

    def problem(self, status: int, detail: str, headers: dict[str, str], **extra: Any) -> Reply:
        titles = {400: "Invalid Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
        body = {
            "title": titles.get(status, "Error"),
            "detail": detail,
            "type": PROBLEM + "invalid-request" if status == 400 else "about:blank",
            "status": status,
            **extra,
        }
        return Reply(status, body, headers=headers, content_type="application/problem+json")

    def _guard(self, request: Request, endpoint: str) -> tuple[str, dict[str, str]] | Reply:
        """Authenticate and count the call: (user id, rate headers) or the refusal."""
        entry = self.tokens.get(request.bearer())
        if entry is None or entry[1] < time.time():
            body = {"title": "Unauthorized", "type": "about:blank", "status": 401}
            return Reply(
                401, {**body, "detail": "Unauthorized"}, content_type="application/problem+json"
            )
        user = entry[0]
        window = int(time.time()) // WINDOW
        limit = self.rate_limits.get(endpoint, self.default_rate_limit)
        used = self._counts.get((user, endpoint, window), 0) + 1
        self._counts[(user, endpoint, window)] = used
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - used)),
            "x-rate-limit-reset": str((window + 1) * WINDOW),
        }
        if used > limit:
            body = {"title": "Too Many Requests", "detail": "Too Many Requests"}
            return Reply(429, {**body, "type": "about:blank", "status": 429}, headers=headers)
        return user, headers

    def not_found(self, request: Request) -> Reply:
        return self.problem(404, f"Unknown path {request.path}", {})

    def _public(self, tweet: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": tweet["id"], "text": tweet["text"]}
        out["edit_history_tweet_ids"] = [tweet["id"]]
        if "created_at" in fields:
            out["created_at"] = _iso(tweet["created_at"])
        if "author_id" in fields:
            out["author_id"] = tweet["author_id"]
        if "conversation_id" in fields:
            out["conversation_id"] = tweet.get("conversation_id") or tweet["id"]
        if "referenced_tweets" in fields and tweet["reply_to"]:
            out["referenced_tweets"] = [{"type": "replied_to", "id": tweet["reply_to"]}]
        if "public_metrics" in fields:
            out["public_metrics"] = dict(tweet["public_metrics"])
        return out

    # --- posts ------------------------------------------------------------------------------
    @route("POST", r"/2/tweets")
    def create_tweet(self, request: Request) -> Reply:
        guard = self._guard(request, "POST /2/tweets")
        if isinstance(guard, Reply):
            return guard
        user, h = guard
        try:
            body = request.json()
        except ValueError:
            return self.problem(400, "The request body is not valid JSON.", h)
        if not isinstance(body, dict):
            return self.problem(400, "The request body must be a JSON object.", h)
        if unknown := set(body) - TWEET_KEYS:
            return self.problem(400, f"Unknown fields: {sorted(unknown)}", h)
        if self.usage_capped:
            capped = {"title": "UsageCapExceeded", "period": "Monthly", "scope": "Product"}
            detail = "Usage cap exceeded: Monthly product cap"
            body = {
                **capped,
                "detail": detail,
                "type": "https://api.twitter.com/2/problems/usage-capped",
            }
            return Reply(403, body, headers=h, content_type="application/problem+json")
        text = body.get("text")
        media = body.get("media")
        reply = body.get("reply")
        if not text and not media:
            return self.problem(400, "One or more of text or media is required.", h)
        if text is not None and not isinstance(text, str):
            return self.problem(400, "`text` must be a string.", h)
        reply_to = ""
        if reply is not None:
            if not isinstance(reply, dict) or set(reply) - {
                "in_reply_to_tweet_id",
                "exclude_reply_user_ids",
            }:
                return self.problem(400, "`reply` has properties that are not allowed.", h)
            reply_to = str(reply.get("in_reply_to_tweet_id") or "")
            if not ID_RX.match(reply_to):
                return self.problem(400, "`reply.in_reply_to_tweet_id` is required.", h)
            if reply_to not in self.tweets:
                return self.problem(
                    403,
                    "You attempted to reply to a Tweet that is deleted or not visible to you.",
                    h,
                )
        media_ids: list[str] = []
        if media is not None:
            if not isinstance(media, dict) or set(media) - {"media_ids", "tagged_user_ids"}:
                return self.problem(400, "`media` has properties that are not allowed.", h)
            media_ids = media.get("media_ids") or []
            if not isinstance(media_ids, list) or not 1 <= len(media_ids) <= 4:
                return self.problem(
                    400, "`media.media_ids` must hold 1 to 4 items (a maximum of 4 items).", h
                )
            for media_id in media_ids:
                item = self.media.get(str(media_id))
                if item is None or item["owner"] != user or item["state"] != "succeeded":
                    return self.problem(400, f"Your media IDs are invalid: {media_id}", h)
        if text and len(text) > self.max_chars:
            return self.problem(self.too_long_status, "Your Tweet text is too long.", h)
        for tweet in self.tweets.values():
            if tweet["author_id"] == user and text and tweet["text"] == text:
                detail = "You are not allowed to create a Tweet with duplicate content."
                return Reply(
                    403,
                    {"detail": detail, "type": "about:blank", "title": "Forbidden", "status": 403},
                    headers=h,
                )
        tweet_id = self.add_tweet(user, text or "", reply_to=reply_to)
        self.tweets[tweet_id]["media_ids"] = [str(m) for m in media_ids]
        data = {"id": tweet_id, "text": text or "", "edit_history_tweet_ids": [tweet_id]}
        return Reply(201, {"data": data}, headers=h)

    @route("GET", r"/2/tweets")
    def get_tweets(self, request: Request) -> Reply:
        guard = self._guard(request, "GET /2/tweets")
        if isinstance(guard, Reply):
            return guard
        _, h = guard
        ids = [i for i in request.arg("ids").split(",") if i]
        if not ids or len(ids) > 100 or not all(ID_RX.match(i) for i in ids):
            return self.problem(400, "The `ids` query parameter is required (1 to 100 ids).", h)
        fields = set(request.arg("tweet.fields").split(","))
        found = [self._public(self.tweets[i], fields) for i in ids if i in self.tweets]
        body: dict[str, Any] = {"data": found} if found else {}
        missing = [i for i in ids if i not in self.tweets]
        if missing:
            body["errors"] = [
                {
                    "value": i,
                    "detail": f"Could not find tweet with ids: [{i}].",
                    "title": "Not Found Error",
                    "resource_type": "tweet",
                    "parameter": "ids",
                    "resource_id": i,
                    "type": PROBLEM + "resource-not-found",
                }
                for i in missing
            ]
        return Reply(200, body, headers=h)

    def _timeline(self, request: Request, tweets: list[dict[str, Any]], h: dict[str, str]) -> Reply:
        try:
            size = int(request.arg("max_results", "10"))
        except ValueError:
            size = 0
        if not 5 <= size <= 100:
            return self.problem(400, "`max_results` must be between 5 and 100.", h)
        if start := request.arg("start_time"):
            since = datetime.fromisoformat(start.replace("Z", "+00:00"))
            tweets = [t for t in tweets if t["created_at"] >= since]
        tweets = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)
        offset = int(request.arg("pagination_token", "0").removeprefix("page") or 0)
        page = tweets[offset : offset + size]
        fields = set(request.arg("tweet.fields").split(","))
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if offset + size < len(tweets):
            meta["next_token"] = f"page{offset + size:012d}"  # minLength 16
        body: dict[str, Any] = {"meta": meta}
        if page:
            body["data"] = [self._public(t, fields) for t in page]
        if "author_id" in request.arg("expansions") and page:
            authors = {t["author_id"] for t in page}
            body["includes"] = {"users": [self.users[a] for a in authors if a in self.users]}
        return Reply(200, body, headers=h)

    @route("GET", r"/2/users/(?P<id>\d+)/tweets")
    def user_tweets(self, request: Request) -> Reply:
        guard = self._guard(request, "GET /2/users/:id/tweets")
        if isinstance(guard, Reply):
            return guard
        uid = request.params["id"]
        mine = [t for t in self.tweets.values() if t["author_id"] == uid]
        return self._timeline(request, mine, guard[1])

    @route("GET", r"/2/users/(?P<id>\d+)/mentions")
    def mentions(self, request: Request) -> Reply:
        guard = self._guard(request, "GET /2/users/:id/mentions")
        if isinstance(guard, Reply):
            return guard
        uid = request.params["id"]
        handle = "@" + self.users.get(uid, {}).get("username", "\0")
        found = [
            t
            for t in self.tweets.values()
            if t["author_id"] != uid and handle.lower() in t["text"].lower()
        ]
        return self._timeline(request, found, guard[1])

    @route("GET", r"/2/users/me")
    def me(self, request: Request) -> Reply:
        guard = self._guard(request, "GET /2/users/me")
        if isinstance(guard, Reply):
            return guard
        user, h = guard
        return Reply(200, {"data": self.users[user]}, headers=h)

    # --- OAuth ------------------------------------------------------------------------------
    @route("POST", r"/2/oauth2/token")
    def token(self, request: Request) -> Reply:
        form = {k: v[0] for k, v in request.form().items()}
        if self.client_secret:
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            if request.headers.get("authorization") != f"Basic {expected}":
                return _oauth_error(
                    401, "unauthorized_client", "Missing valid authorization header"
                )
        elif form.get("client_id") != self.client_id:
            return _oauth_error(400, "invalid_request", "Missing required parameter [client_id].")
        grant = form.get("grant_type")
        if grant == "authorization_code":
            code = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if (
                code is None
                or code["redirect"] != form.get("redirect_uri")
                or code["challenge"] != digest.decode()
            ):
                return _oauth_error(
                    400, "invalid_request", "Value passed for the authorization code was invalid."
                )
            user = code["user"]
        elif grant == "refresh_token":
            user = self.refresh_tokens.pop(form.get("refresh_token", ""), "")
            if not user:
                return _oauth_error(
                    400, "invalid_request", "Value passed for the token was invalid."
                )
        else:
            return _oauth_error(400, "unsupported_grant_type", "Invalid grant_type.")
        body = {
            "token_type": "bearer",
            "expires_in": 7200,
            "access_token": self.issue_token(user),
            "scope": "tweet.write users.read tweet.read offline.access media.write",
            "refresh_token": self.issue_refresh(user),
        }
        return Reply(200, body)
