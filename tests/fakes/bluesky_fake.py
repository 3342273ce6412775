"""A local Bluesky PDS speaking contract §6 under /xrpc/ (sessions, records, blobs, queries).

Access tokens are JWT-shaped (the `exp` claim is real) and expire after `access_ttl` seconds
(then 400 ExpiredToken); refreshSession rotates: a used refresh token is revoked. createRecord
validates the post record the way the lexicon does (text ≤ 300 graphemes and ≤ 3000 bytes,
createdAt, facet byte ranges inside the text and on UTF-8 boundaries, reply with both root and
parent strongRefs, image embeds with known blobs and alt text). A record key already taken is
refused with 400 `{"error":"InvalidRequest","message":"Record already exists: <uri>"}` (our
choice: the real PDS's exact answer is not documented). Every answer carries RateLimit-*
headers; past `rate_limit` requests it is 429 RateLimitExceeded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from datetime import UTC, datetime
from typing import Any

import regex

from tests.fakes.http_fake import FakeServer, Reply, Request, route

POST = "app.bsky.feed.post"
RKEY = re.compile(r"^[a-zA-Z0-9._:~-]{1,512}$")
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
FEATURES = {"link": "uri", "mention": "did", "tag": "tag"}


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _cid(data: bytes, prefix: str = "bafyrei") -> str:
    return prefix + base64.b32encode(hashlib.sha256(data).digest()).decode().lower().rstrip("=")


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _err(status: int, error: str, message: str) -> Reply:
    return Reply(status, {"error": error, "message": message})


def _invalid(message: str) -> Reply:
    return _err(400, "InvalidRequest", message)


class FakeBluesky(FakeServer):
    """One PDS (with the AppView queries it proxies). `alice` is the connected account."""

    def __init__(self) -> None:
        super().__init__()
        self.access_ttl = 7200.0
        self.rate_limit = 3000
        self.rate_window = 300
        self.accounts: dict[str, dict[str, Any]] = {}  # handle -> account
        self.access: dict[str, dict[str, Any]] = {}  # jwt -> {did, exp}
        self.refresh: dict[str, str] = {}  # live refresh jwt -> did
        self.records: dict[str, dict[str, Any]] = {}  # uri -> {uri, cid, value, counts}
        self.blobs: dict[str, dict[str, Any]] = {}
        self.blob_data: dict[str, bytes] = {}  # what was uploaded, by blob ref
        self.notifications: list[dict[str, Any]] = []  # oldest first
        self._rate_lock = threading.Lock()
        self._used = 0
        self.reset_epoch = int(time.time()) + self.rate_window
        self.alice = self.add_account("alice.test", "app-pass-1234", main_password="hunter2")

    # scripting -------------------------------------------------------------------------------
    def add_account(
        self,
        handle: str,
        app_password: str = "",
        *,
        main_password: str = "",
        email_2fa: bool = True,
    ) -> dict[str, Any]:
        did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
        account = {
            "did": did,
            "handle": handle,
            "app_password": app_password,
            "main_password": main_password,
            "email_2fa": email_2fa,
        }
        self.accounts[handle] = account
        return account

    def expire_access_tokens(self) -> None:
        for claims in self.access.values():
            claims["exp"] = time.time() - 1

    def add_notification(
        self, *, reason: str, author: str, text: str, indexed_at: str = "", reply_parent: str = ""
    ) -> dict[str, Any]:
        did = (self.accounts.get(author) or self.add_account(author))["did"]
        rkey = secrets.token_hex(6)
        record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": indexed_at}
        if reply_parent:
            record["reply"] = {
                "root": {"uri": reply_parent, "cid": "x"},
                "parent": {"uri": reply_parent, "cid": "x"},
            }
        note = {
            "uri": f"at://{did}/{POST}/{rkey}",
            "cid": _cid(rkey.encode()),
            "author": {"did": did, "handle": author},
            "reason": reason,
            "record": record,
            "isRead": False,
            "indexedAt": indexed_at or _now(),
        }
        self.notifications.append(note)
        return note

    def posts(self) -> list[dict[str, Any]]:
        """Records created through createRecord, in order."""
        return list(self.records.values())

    # plumbing --------------------------------------------------------------------------------
    def _dispatch(self, request: Request) -> Reply:
        with self._rate_lock:
            self._used += 1
            remaining = max(0, self.rate_limit - self._used)
            over = self._used > self.rate_limit
        headers = {
            "RateLimit-Limit": str(self.rate_limit),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(self.reset_epoch),
            "RateLimit-Policy": f"{self.rate_limit};w={self.rate_window}",
        }
        if over:
            self.requests.append(request)
            return Reply(
                429,
                {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                headers=headers,
            )
        reply = super()._dispatch(request)
        reply.headers = {**headers, **reply.headers}
        return reply

    def not_found(self, request: Request) -> Reply:
        return _err(501, "MethodNotImplemented", "Method Not Implemented")

    def _session(self, account: dict[str, Any]) -> dict[str, Any]:
        now = time.time()
        did = account["did"]
        head = _b64({"typ": "at+jwt", "alg": "HS256"})
        claims = {
            "scope": "com.atproto.appPass",
            "sub": did,
            "iat": int(now),
            "exp": int(now + self.access_ttl),
            "aud": "did:web:fake.pds",
        }
        access = f"{head}.{_b64(claims)}.{secrets.token_urlsafe(16)}"
        refresh_claims = {"scope": "com.atproto.refresh", "sub": did, "jti": secrets.token_hex(8)}
        refresh = f"{head}.{_b64(refresh_claims)}.{secrets.token_urlsafe(16)}"
        self.access[access] = {"did": did, "exp": now + self.access_ttl}
        self.refresh[refresh] = did
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": account["handle"],
            "did": did,
            "active": True,
        }

    def _authed(self, request: Request) -> tuple[str, Reply | None]:
        """The caller's DID, or the error reply for a missing, bad or expired token."""
        token = request.bearer()
        if not token:
            return "", _err(401, "AuthenticationRequired", "Authentication Required")
        claims = self.access.get(token)
        if claims is None:
            return "", _err(400, "InvalidToken", "Token could not be verified")
        if claims["exp"] <= time.time():
            return "", _err(400, "ExpiredToken", "Token has expired")
        return claims["did"], None

    def _json(self, request: Request) -> dict[str, Any] | None:
        if request.content_type != "application/json":
            return None
        try:
            body = request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    # session ---------------------------------------------------------------------------------
    @route("POST", r"/xrpc/com\.atproto\.server\.createSession")
    def create_session(self, request: Request) -> Reply:
        body = self._json(request)
        if body is None:
            return _invalid("Request encoding (Content-Type) required but not provided")
        for name in ("identifier", "password"):
            if not isinstance(body.get(name), str):
                return _invalid(f'Input must have the property "{name}"')
        account = self.accounts.get(body["identifier"].lower())
        if account and account["main_password"] and body["password"] == account["main_password"]:
            if account["email_2fa"]:
                return _err(
                    401,
                    "AuthFactorTokenRequired",
                    "A sign in code has been sent to your email address",
                )
            return Reply(200, self._session(account))
        if (
            account is None
            or not account["app_password"]
            or (body["password"] != account["app_password"])
        ):
            return _err(401, "AuthenticationRequired", "Invalid identifier or password")
        return Reply(200, self._session(account))

    @route("POST", r"/xrpc/com\.atproto\.server\.refreshSession")
    def refresh_session(self, request: Request) -> Reply:
        token = request.bearer()
        if not token:
            return _err(401, "AuthenticationRequired", "Authentication Required")
        did = self.refresh.pop(token, None)
        if did is None:
            return _err(400, "ExpiredToken", "Token has been revoked")
        account = next(a for a in self.accounts.values() if a["did"] == did)
        return Reply(200, self._session(account))

    @route("GET", r"/xrpc/com\.atproto\.identity\.resolveHandle")
    def resolve_handle(self, request: Request) -> Reply:
        account = self.accounts.get(request.arg("handle").lower())
        if account is None:
            return _invalid("Unable to resolve handle")
        return Reply(200, {"did": account["did"]})

    # records ---------------------------------------------------------------------------------
    @route("POST", r"/xrpc/com\.atproto\.repo\.uploadBlob")
    def upload_blob(self, request: Request) -> Reply:
        _did, error = self._authed(request)
        if error:
            return error
        if not request.content_type or not request.body:
            return _invalid("Request encoding (Content-Type) required but not provided")
        ref = _cid(request.body, "bafkrei")
        blob = {
            "$type": "blob",
            "ref": {"$link": ref},
            "mimeType": request.content_type,
            "size": len(request.body),
        }
        self.blobs[ref] = blob
        self.blob_data[ref] = request.body
        return Reply(200, {"blob": blob})

    @route("POST", r"/xrpc/com\.atproto\.repo\.createRecord")
    def create_record(self, request: Request) -> Reply:
        did, error = self._authed(request)
        if error:
            return error
        body = self._json(request)
        if body is None:
            return _invalid("Request encoding (Content-Type) required but not provided")
        for name in ("repo", "collection", "record"):
            if name not in body:
                return _invalid(f'Input must have the property "{name}"')
        if body["repo"] not in (did, self._handle_of(did)):
            return _invalid("Invalid repo: the token does not own this repository")
        rkey = body.get("rkey") or self._tid()
        collection = body["collection"]
        if (
            not RKEY.match(rkey)
            or rkey in (".", "..")
            or (collection == POST and not TID.match(rkey))
        ):
            return _invalid(f"Invalid record key: {rkey}")
        record = body["record"]
        problem = self._check_post(record) if collection == POST else None
        if problem:
            return _invalid(f"Invalid {POST} record: {problem}")
        uri = f"at://{did}/{collection}/{rkey}"
        if uri in self.records:
            return _invalid(f"Record already exists: {uri}")
        cid = _cid(json.dumps(record, sort_keys=True).encode())
        self.records[uri] = {
            "uri": uri,
            "cid": cid,
            "value": record,
            "likeCount": 0,
            "repostCount": 0,
            "replyCount": 0,
            "quoteCount": 0,
        }
        return Reply(
            200,
            {
                "uri": uri,
                "cid": cid,
                "commit": {"cid": _cid(cid.encode()), "rev": self._tid()},
                "validationStatus": "valid",
            },
        )

    def _check_post(self, record: Any) -> str | None:
        if not isinstance(record, dict) or record.get("$type") != POST:
            return 'Record/$type must be "app.bsky.feed.post"'
        text = record.get("text")
        if not isinstance(text, str):
            return 'Record must have the property "text"'
        if len(regex.findall(r"\X", text)) > 300:
            return "Record/text must not be longer than 300 graphemes"
        raw = text.encode("utf-8")
        if len(raw) > 3000:
            return "Record/text must not be longer than 3000 characters"
        try:
            datetime.fromisoformat(str(record.get("createdAt", "")).replace("Z", "+00:00"))
        except ValueError:
            return "Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)"
        for i, facet in enumerate(record.get("facets") or []):
            index = facet.get("index") or {}
            start, end = index.get("byteStart"), index.get("byteEnd")
            if not (
                isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(raw)
            ):
                return f"Record/facets/{i}/index must be a byte range inside the text"
            if any(pos < len(raw) and raw[pos] & 0xC0 == 0x80 for pos in (start, end)):
                return f"Record/facets/{i}/index must fall on UTF-8 character boundaries"
            for feature in facet.get("features") or [None]:
                kind = str((feature or {}).get("$type", "")).removeprefix(
                    "app.bsky.richtext.facet#"
                )
                if kind not in FEATURES or not feature.get(FEATURES[kind]):
                    return f"Record/facets/{i}/features has an invalid feature"
        reply = record.get("reply")
        if reply is not None:
            for side in ("root", "parent"):
                ref = reply.get(side) if isinstance(reply, dict) else None
                if not isinstance(ref, dict) or not ref.get("uri") or not ref.get("cid"):
                    return f'Record/reply must have the property "{side}" (a strongRef)'
        embed = record.get("embed")
        if embed is not None:
            images = embed.get("images") if isinstance(embed, dict) else None
            if embed.get("$type") != "app.bsky.embed.images" or not isinstance(images, list):
                return "Record/embed must be a known embed"
            if len(images) > 4:
                return "Record/embed/images must not have more than 4 elements"
            for i, image in enumerate(images):
                blob = image.get("image") or {}
                known = self.blobs.get((blob.get("ref") or {}).get("$link", ""))
                if not isinstance(image.get("alt"), str):
                    return f'Record/embed/images/{i} must have the property "alt"'
                if known is None or known["size"] > 1_000_000:
                    return f"Record/embed/images/{i}/image is not a valid blob (or is too big)"
                ratio = image.get("aspectRatio")
                if ratio is not None and min(ratio.get("width", 0), ratio.get("height", 0)) < 1:
                    return f"Record/embed/images/{i}/aspectRatio must have width and height ≥ 1"
        return None

    @route("GET", r"/xrpc/com\.atproto\.repo\.getRecord")
    def get_record(self, request: Request) -> Reply:
        repo = request.arg("repo")
        did = self.accounts[repo]["did"] if repo in self.accounts else repo
        uri = f"at://{did}/{request.arg('collection')}/{request.arg('rkey')}"
        found = self.records.get(uri)
        if found is None:
            return _err(400, "RecordNotFound", f"Could not locate record: {uri}")
        return Reply(200, {"uri": uri, "cid": found["cid"], "value": found["value"]})

    # AppView queries -------------------------------------------------------------------------
    @route("GET", r"/xrpc/app\.bsky\.notification\.listNotifications")
    def list_notifications(self, request: Request) -> Reply:
        _did, error = self._authed(request)
        if error:
            return error
        limit = int(request.arg("limit", "50"))
        if not 1 <= limit <= 100:
            return _invalid("Error: limit must be between 1 and 100")
        start = int(request.arg("cursor", "0") or 0)
        newest_first = list(reversed(self.notifications))
        page = newest_first[start : start + limit]
        body: dict[str, Any] = {"notifications": page}
        if start + limit < len(newest_first):
            body["cursor"] = str(start + limit)
        return Reply(200, body)

    @route("GET", r"/xrpc/app\.bsky\.feed\.getPosts")
    def get_posts(self, request: Request) -> Reply:
        _did, error = self._authed(request)
        if error:
            return error
        uris = request.query.get("uris", [])
        if not uris or len(uris) > 25:
            return _invalid("Error: uris must not have more than 25 elements")
        posts = []
        for uri in uris:
            found = self.records.get(uri)
            if found:
                author = uri.split("/")[2]
                posts.append(
                    {
                        **found,
                        "record": found["value"],
                        "author": {"did": author, "handle": self._handle_of(author)},
                        "indexedAt": found["value"]["createdAt"],
                    }
                )
        return Reply(200, {"posts": posts})

    def _handle_of(self, did: str) -> str:
        return next((h for h, a in self.accounts.items() if a["did"] == did), "")

    @staticmethod
    def _tid() -> str:
        value = (int(time.time() * 1_000_000) << 10) | secrets.randbelow(1024)
        alphabet = "234567abcdefghijklmnopqrstuvwxyz"
        return "".join(alphabet[(value >> (5 * i)) & 31] for i in reversed(range(13)))
