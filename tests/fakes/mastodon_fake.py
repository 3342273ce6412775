"""A local Mastodon instance speaking contract §5 (statuses, media v2, apps + OAuth, notifications).

Statuses honour `Idempotency-Key` (the same key from the same account within an hour returns the
same status and creates nothing), count length the way Mastodon does (graphemes, a URL counts
`url_chars`) and answer 422 with the real error bodies. Bodies are accepted form-encoded, as JSON
or as multipart, as the real API does. Every answer carries `X-RateLimit-*` headers; past
`rate_limit` requests the answer is 429 until `reset_rate_limit()`.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

import regex

from tests.fakes.http_fake import FakeServer, Reply, Request, route
from tests.fakes.mastodon_fake_media import MastodonMediaRoutes

URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


def _now_iso(offset: float = 0.0) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=offset)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class FakeMastodon(MastodonMediaRoutes, FakeServer):
    """One instance. Scripting: `rate_limit`, `max_characters` (enforced) and
    `advertised_max_characters` (what `/api/v2/instance` says), `async_media` (images answered
    202 too), `processing_polls` (206 answers before ready), `fail_processing`."""

    def __init__(self) -> None:
        super().__init__()
        self.max_characters = 500
        self.advertised_max_characters: int | None = None
        self.url_chars = 23
        self.max_media = 4
        self.rate_limit = 300
        self.rate_window = 300
        self.async_media = False
        self.processing_polls = 2
        self.fail_processing = False
        self.idempotency_ttl = 3600.0
        self.apps: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.tokens: dict[str, str] = {}  # token -> account id
        self.accounts: dict[str, dict[str, Any]] = {}
        self.statuses: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []  # newest last
        self._idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self._next_id = 110_000_000_000_000_000
        self._rate_lock = threading.Lock()
        self._used = 0
        self._reset_at = _now_iso(self.rate_window)
        self.alice = self.add_account("alice", "Alice")
        self.alice_token = self.add_token(self.alice["id"])

    # scripting -------------------------------------------------------------------------------
    def add_account(self, username: str, display_name: str = "") -> dict[str, Any]:
        account = {
            "id": self._id(),
            "username": username,
            "acct": username,
            "display_name": display_name or username,
            "url": "",  # set once the base URL is known (see _account)
        }
        self.accounts[account["id"]] = account
        return account

    def add_token(self, account_id: str) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens[token] = account_id
        return token

    def add_mention(
        self,
        *,
        author: str,
        content: str,
        in_reply_to_id: str | None = None,
        created_at: str | None = None,
    ) -> dict[str, Any]:
        """A remote user's mention of alice (notification + status)."""
        status_id = self._id()
        when = created_at or _now_iso()
        status = {
            "id": status_id,
            "created_at": when,
            "in_reply_to_id": in_reply_to_id,
            "content": content,
            "url": f"https://remote.example/@{author}/{status_id}",
            "account": {"id": "9", "username": author, "acct": f"{author}@remote.example"},
        }
        note = {
            "id": self._id(),
            "type": "mention",
            "created_at": when,
            "account": status["account"],
            "status": status,
        }
        self.notifications.append(note)
        return note

    def reset_rate_limit(self) -> None:
        with self._rate_lock:
            self._used = 0

    def created(self) -> list[dict[str, Any]]:
        """Statuses created through the API, oldest first."""
        return [s for s in self.statuses.values() if s.get("_local")]

    # plumbing --------------------------------------------------------------------------------
    def _id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def _dispatch(self, request: Request) -> Reply:
        with self._rate_lock:
            self._used += 1
            remaining = max(0, self.rate_limit - self._used)
            over = self._used > self.rate_limit
        headers = {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": self._reset_at,
        }
        if over:
            self.requests.append(request)
            return Reply(429, {"error": "Too many requests"}, headers=headers)
        reply = super()._dispatch(request)
        reply.headers = {**headers, **reply.headers}
        return reply

    def not_found(self, request: Request) -> Reply:
        return Reply(404, {"error": "Record not found"})

    def _fields(self, request: Request) -> dict[str, list[str]]:
        """Form, JSON or multipart parameters as name -> values (`media_ids[]` and JSON
        `media_ids` both land under `media_ids`)."""
        out: dict[str, list[str]] = {}
        kind = request.content_type
        if kind == "application/json":
            body = request.json()
            if not isinstance(body, dict):
                return {}
            for key, value in body.items():
                out[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        elif kind == "multipart/form-data":
            for name, (_filename, data, _type) in request.multipart_all():
                out.setdefault(name, []).append(data.decode("utf-8", "replace"))
        else:
            out = request.form()
        if "media_ids[]" in out:
            out["media_ids"] = out.pop("media_ids[]")
        return out

    def _user(self, request: Request) -> dict[str, Any] | None:
        account_id = self.tokens.get(request.bearer())
        return self._account(account_id) if account_id else None

    def _account(self, account_id: str) -> dict[str, Any]:
        account = self.accounts[account_id]
        account["url"] = f"{self.base_url}/@{account['username']}"
        return account

    @staticmethod
    def _unauthorized() -> Reply:
        return Reply(401, {"error": "The access token is invalid"})

    def length(self, text: str) -> int:
        return len(regex.findall(r"\X", URL.sub("x" * self.url_chars, text)))

    # apps and OAuth --------------------------------------------------------------------------
    @route("POST", r"/api/v1/apps")
    def create_app(self, request: Request) -> Reply:
        fields = self._fields(request)
        name = fields.get("client_name", [""])[0]
        redirect = fields.get("redirect_uris", [""])[0]
        missing = [
            label
            for label, value in (("Application name", name), ("Redirect URI", redirect))
            if not value
        ]
        if missing:
            return Reply(
                422,
                {
                    "error": "Validation failed: "
                    + ", ".join(f"{m} can't be blank" for m in missing)
                },
            )
        app = {
            "id": self._id(),
            "name": name,
            "website": None,
            "redirect_uri": redirect,
            "redirect_uris": redirect.split(),
            "client_id": secrets.token_urlsafe(16),
            "client_secret": secrets.token_urlsafe(32),
            "scopes": fields.get("scopes", ["read"])[0].split(),
        }
        self.apps[app["client_id"]] = app
        return Reply(200, app)

    @route("GET", r"/oauth/authorize")
    def authorize(self, request: Request) -> Reply:
        """Stands in for the user approving: redirects at once with a code."""
        app = self.apps.get(request.arg("client_id"))
        redirect = request.arg("redirect_uri")
        if app is None or redirect not in app["redirect_uris"]:
            return Reply(400, raw=b"invalid_client or redirect_uri", content_type="text/html")
        if request.arg("response_type") != "code":
            return Reply(400, raw=b"unsupported_response_type", content_type="text/html")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "client_id": app["client_id"],
            "redirect_uri": redirect,
            "challenge": request.arg("code_challenge"),
            "scope": request.arg("scope", "read"),
        }
        query = urllib.parse.urlencode({"code": code, "state": request.arg("state")})
        return Reply(302, headers={"Location": f"{redirect}?{query}"})

    @route("POST", r"/oauth/token")
    def token(self, request: Request) -> Reply:
        fields = {k: v[0] for k, v in self._fields(request).items()}
        app = self.apps.get(fields.get("client_id", ""))
        if app is None or app["client_secret"] != fields.get("client_secret"):
            return Reply(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "Client authentication failed due to unknown client.",
                },
            )
        grant = self.codes.pop(fields.get("code", ""), None)
        verifier = fields.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).decode()
        if (
            grant is None
            or grant["client_id"] != app["client_id"]
            or grant["redirect_uri"] != fields.get("redirect_uri")
            or (grant["challenge"] and grant["challenge"] != challenge.rstrip("="))
        ):
            return Reply(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "The provided "
                    "authorization grant is invalid, expired, revoked, does not "
                    "match the redirection URI used in the authorization request, "
                    "or was issued to another client.",
                },
            )
        token = self.add_token(self.alice["id"])
        return Reply(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "scope": grant["scope"],
                "created_at": int(time.time()),
            },
        )

    @route("GET", r"/api/v1/accounts/verify_credentials")
    def verify_credentials(self, request: Request) -> Reply:
        user = self._user(request)
        return Reply(200, user) if user else self._unauthorized()

    @route("GET", r"/api/v2/instance")
    def instance(self, request: Request) -> Reply:
        advertised = self.advertised_max_characters or self.max_characters
        host = urllib.parse.urlsplit(self.base_url).netloc
        return Reply(
            200,
            {
                "domain": host,
                "title": "Fake Mastodon",
                "configuration": {
                    "statuses": {
                        "max_characters": advertised,
                        "max_media_attachments": self.max_media,
                        "characters_reserved_per_url": self.url_chars,
                    }
                },
            },
        )

    # statuses --------------------------------------------------------------------------------
    @route("POST", r"/api/v1/statuses")
    def create_status(self, request: Request) -> Reply:
        user = self._user(request)
        if user is None:
            return self._unauthorized()
        key = request.headers.get("idempotency-key", "")
        if key:
            seen = self._idempotency.get((user["id"], key))
            if seen and time.monotonic() - seen[1] < self.idempotency_ttl:
                return Reply(200, self._public(self.statuses[seen[0]]))
        fields = self._fields(request)
        text = fields.get("status", [""])[0]
        media_ids = fields.get("media_ids", [])
        if not text.strip() and not media_ids:
            return Reply(422, {"error": "Validation failed: Text can't be blank"})
        if self.length(text) > self.max_characters:
            return Reply(
                422,
                {
                    "error": "Validation failed: Text character limit of "
                    f"{self.max_characters} exceeded"
                },
            )
        if len(media_ids) > self.max_media:
            return Reply(422, {"error": f"You cannot attach more than {self.max_media} files."})
        media = [self.media[m] for m in media_ids if m in self.media]
        if any(m["_polls_left"] > 0 or m["_failed"] for m in media):
            return Reply(
                422,
                {
                    "error": "Cannot attach files that have not finished "
                    "processing. Try again in a moment!"
                },
            )
        reply_to = fields.get("in_reply_to_id", [""])[0] or None
        if reply_to and reply_to not in self.statuses:
            return Reply(404, {"error": "Record not found"})
        status_id = self._id()
        status = {
            "id": status_id,
            "created_at": _now_iso(),
            "in_reply_to_id": reply_to,
            "visibility": fields.get("visibility", ["public"])[0],
            "url": f"{self.base_url}/@{user['username']}/{status_id}",
            "uri": f"{self.base_url}/users/{user['username']}/statuses/{status_id}",
            "content": "<p>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</p>",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "media_attachments": [self._media_public(m) for m in media],
            "account": user,
            "application": {"name": "Tandem", "website": None},
            "_local": True,
            "_text": text,
        }
        self.statuses[status_id] = status
        if reply_to:
            self.statuses[reply_to]["replies_count"] += 1
        if key:
            self._idempotency[(user["id"], key)] = (status_id, time.monotonic())
        return Reply(200, self._public(status))

    @route("GET", r"/api/v1/statuses/(?P<id>[^/]+)")
    def get_status(self, request: Request) -> Reply:
        if self._user(request) is None:
            return self._unauthorized()
        status = self.statuses.get(request.params["id"])
        return Reply(200, self._public(status)) if status else self.not_found(request)

    @staticmethod
    def _public(status: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in status.items() if not k.startswith("_")}

    # notifications ---------------------------------------------------------------------------
    @route("GET", r"/api/v1/notifications")
    def list_notifications(self, request: Request) -> Reply:
        if self._user(request) is None:
            return self._unauthorized()
        types = request.query.get("types[]", [])
        limit = min(80, int(request.arg("limit", "40") or 40))
        notes = sorted(self.notifications, key=lambda n: int(n["id"]), reverse=True)
        if types:
            notes = [n for n in notes if n["type"] in types]
        for name, keep in (
            ("max_id", lambda n, v: int(n["id"]) < v),
            ("since_id", lambda n, v: int(n["id"]) > v),
            ("min_id", lambda n, v: int(n["id"]) > v),
        ):
            if request.arg(name):
                value = int(request.arg(name))
                notes = [n for n in notes if keep(n, value)]
        page = notes[:limit]
        headers = {}
        if page:
            base = f"{self.base_url}/api/v1/notifications"
            extra = "".join(f"&types[]={t}" for t in types) + f"&limit={limit}"
            headers["Link"] = (
                f'<{base}?max_id={page[-1]["id"]}{extra}>; rel="next", '
                f'<{base}?min_id={page[0]["id"]}{extra}>; rel="prev"'
            )
        return Reply(200, page, headers=headers)
