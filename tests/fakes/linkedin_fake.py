"""A local LinkedIn (REST API and OAuth host in one server) following
/work/shared/contracts/SOCIAL_APIS.md §2.

`/rest/*` calls need a Bearer token, `LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0`.
Posts are validated (author URN, required fields, unknown fields, 3000 characters, known and
uploaded images, duplicates, unescaped little-text characters when `strict_little_text`);
success is 201 with an empty body and the URN in `x-restli-id`. Errors use LinkedIn's body
`{"message", "serviceErrorCode"?, "status"}`. `daily_limit` counts calls per token per UTC day
(429 past it; no reset header unless `retry_after` is set: LinkedIn documents none, but a
`Retry-After` in seconds is honoured when sent). Refresh tokens are non-sliding: the same token
comes back with its remaining lifetime (`rotate_refresh` hands out a new one instead).

Identity routes (`/v2/userinfo`, `/rest/organizationAcls`, `/rest/organizations/{id}`) are not in
the contract; they follow LinkedIn's OpenID Connect and Community Management docs.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
import urllib.parse
from datetime import UTC, datetime
from typing import Any

from tests.fakes.http_fake import FakeServer, Reply, Request, route

AUTHOR_RX = re.compile(r"^urn:li:(person|organization):[A-Za-z0-9_-]+$")
POST_KEYS = {
    "author",
    "commentary",
    "visibility",
    "distribution",
    "lifecycleState",
    "isReshareDisabledByAuthor",
    "content",
    "contentLandingPage",
    "contentCallToActionLabel",
    "reshareContext",
    "container",
    "adContext",
}
REQUIRED = ("author", "commentary", "visibility", "distribution", "lifecycleState")
UNESCAPED_RX = re.compile(r"(?<!\\)[()\[\]{}<>#~_|*@]")


def _error(status: int, message: str, code: int | None = None) -> Reply:
    body: dict[str, Any] = {"message": message, "status": status}
    if code is not None:
        body["serviceErrorCode"] = code
    return Reply(status, body)


class FakeLinkedIn(FakeServer):
    """The fake; inspect `posts`, `images`, `comments`, `requests`."""

    def __init__(self, *, client_id: str = "li-client", client_secret: str = "li-secret") -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.people: dict[str, str] = {"8675309": "Ada Lovelace"}
        self.organizations: dict[str, dict[str, str]] = {}
        self.admins: dict[str, set[str]] = {}  # person id -> organization ids
        self.tokens: dict[str, tuple[str, float]] = {}
        self.refresh_tokens: dict[str, tuple[str, float]] = {}  # token -> (person, expiry)
        self.codes: dict[str, tuple[str, str]] = {}  # code -> (person, redirect uri)
        self.posts: dict[str, dict[str, Any]] = {}
        self.images: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.stats: dict[str, dict[str, int]] = {}
        self.daily_limit: int | None = None
        self.retry_after: str | None = None  # a Retry-After header on 429s
        self.strict_little_text = True
        self.rotate_refresh = False
        self.issue_refresh_tokens = True
        self._calls: dict[tuple[str, str], int] = {}
        self._ids = itertools.count(7100000000000000000)

    # --- scripting --------------------------------------------------------------------------
    def issue_token(self, person: str = "8675309", *, expires_in: int = 5184000) -> str:
        token = "AQ" + secrets.token_urlsafe(12)
        self.tokens[token] = (person, time.time() + expires_in)
        return token

    def issue_refresh(self, person: str = "8675309", *, lifetime: int = 31536000) -> str:
        token = "AR" + secrets.token_urlsafe(12)
        self.refresh_tokens[token] = (person, time.time() + lifetime)
        return token

    def add_organization(self, org_id: str, name: str, *, admin: str = "8675309") -> None:
        vanity = name.lower().replace(" ", "-")
        self.organizations[org_id] = {"id": org_id, "localizedName": name, "vanityName": vanity}
        self.admins.setdefault(admin, set()).add(org_id)

    def authorize(self, *, redirect_uri: str, person: str = "8675309") -> str:
        code = "lic-" + secrets.token_urlsafe(8)
        self.codes[code] = (person, redirect_uri)
        return code

    def add_comment(self, post: str, actor: str, text: str, at: datetime) -> str:
        cid = str(next(self._ids))
        self.comments.setdefault(post, []).append(
            {
                "commentUrn": f"urn:li:comment:({post},{cid})",
                "id": cid,
                "actor": actor,
                "object": post,
                "message": {"text": text},
                "created": {"time": int(at.timestamp() * 1000)},
            }
        )
        return cid

    # --- helpers ----------------------------------------------------------------------------
    def not_found(self, request: Request) -> Reply:
        return _error(404, f"No virtual resource found for {request.path}", 0)

    def _person(self, request: Request, *, versioned: bool = True) -> str | Reply:
        token = request.bearer()
        if not token:
            return _error(401, "Empty oauth2_access_token", 401)
        entry = self.tokens.get(token)
        if entry is None:
            return _error(401, "Invalid access token", 65600)
        if entry[1] < time.time():
            return _error(401, "The token used in the request has expired", 65601)
        if versioned:
            if not request.headers.get("linkedin-version"):
                message = "A version must be present. Please specify a version by adding the LinkedIn-Version header."  # noqa: E501
                return Reply(400, {"status": 400, "code": "VERSION_MISSING", "message": message})
            if request.headers.get("x-restli-protocol-version") != "2.0.0":
                return _error(400, "X-Restli-Protocol-Version 2.0.0 is required", 100)
        day = datetime.now(UTC).date().isoformat()
        used = self._calls.get((token, day), 0) + 1
        self._calls[(token, day)] = used
        if self.daily_limit is not None and used > self.daily_limit:
            message = "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."  # noqa: E501
            throttled = _error(429, message)
            if self.retry_after is not None:
                throttled.headers["Retry-After"] = self.retry_after
            return throttled
        return entry[0]

    def _may_act_as(self, person: str, author: str) -> bool:
        kind, _, ident = author.removeprefix("urn:li:").partition(":")
        if kind == "person":
            return ident == person
        return ident in self.admins.get(person, set())

    def _collection(self, request: Request, items: list[dict[str, Any]]) -> Reply:
        start, count = int(request.arg("start", "0")), int(request.arg("count", "10"))
        paging = {"start": start, "count": count, "total": len(items), "links": []}
        return Reply(200, {"paging": paging, "elements": items[start : start + count]})

    # --- posts and images -------------------------------------------------------------------
    @route("POST", r"/rest/posts")
    def create_post(self, request: Request) -> Reply:
        person = self._person(request)
        if isinstance(person, Reply):
            return person
        try:
            body = request.json()
        except ValueError:
            return _error(400, "Unable to parse the request body as JSON")
        if not isinstance(body, dict):
            return _error(400, "The request body must be a JSON object")
        if unknown := sorted(set(body) - POST_KEYS):
            return _error(
                422, f"ERROR :: /{unknown[0]} :: unrecognized field found but not allowed"
            )
        for name in REQUIRED:
            if name not in body:
                return _error(
                    422,
                    f"ERROR :: /{name} :: field is required but not found and has no default value",
                )
        author, text = body["author"], body["commentary"]
        if not isinstance(author, str) or not AUTHOR_RX.match(author):
            return _error(
                422, f"ERROR :: /author :: {author!r} is not a valid person or organization urn"
            )
        if not self._may_act_as(person, author):
            return _error(
                403,
                "Not enough permissions to access: partnerApiPostsExternal.CREATE.20260101",
                100,
            )
        if body["visibility"] not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"):
            return _error(422, "ERROR :: /visibility :: invalid enum value")
        if not isinstance(text, str):
            return _error(422, "ERROR :: /commentary :: expected a string")
        if self.strict_little_text and UNESCAPED_RX.search(text):
            return _error(422, "ERROR :: /commentary :: reserved characters must be escaped")
        plain = re.sub(r"\\(.)", r"\1", text)
        if len(plain) > 3000:
            return _error(422, f"ERROR :: /commentary :: length {len(plain)} exceeds 3000")
        content = body.get("content") or {}
        entries = []
        if "media" in content:
            entries = [content["media"]]
        elif "multiImage" in content:
            entries = content["multiImage"].get("images", [])
            if not 2 <= len(entries) <= 20:
                return _error(422, "ERROR :: /content/multiImage/images :: 2 to 20 images")
        for entry in entries:
            if set(entry) - {"id", "title", "altText"}:
                return _error(422, "ERROR :: /content/media :: unrecognized field")
            image = self.images.get(entry.get("id", ""))
            if image is None or image["owner"] != author or image["status"] != "AVAILABLE":
                return _error(400, f"Media {entry.get('id')} is not available for this author")
        for urn, post in self.posts.items():
            if post["author"] == author and post["commentary"] == text:
                return _error(422, f"Content is a duplicate of {urn}")
        urn = f"urn:li:share:{next(self._ids)}"
        self.posts[urn] = {**body, "text": plain}
        return Reply(201, None, headers={"x-restli-id": urn})

    @route("POST", r"/rest/images")
    def init_image(self, request: Request) -> Reply:
        person = self._person(request)
        if isinstance(person, Reply):
            return person
        if request.arg("action") != "initializeUpload":
            return _error(400, "Unsupported action")
        try:
            owner = request.json()["initializeUploadRequest"]["owner"]
        except (ValueError, KeyError, TypeError):
            return _error(422, "ERROR :: /initializeUploadRequest/owner :: field is required")
        if not AUTHOR_RX.match(str(owner)) or not self._may_act_as(person, owner):
            return _error(403, "Not enough permissions to upload for this owner", 100)
        key = f"D4E10AQ{next(self._ids)}"
        urn = f"urn:li:image:{key}"
        self.images[urn] = {"owner": owner, "status": "WAITING_UPLOAD", "data": b""}
        value = {
            "uploadUrlExpiresAt": int(time.time() * 1000) + 3_600_000,
            "uploadUrl": f"{self.base_url}/dms-uploads/{key}",
            "image": urn,
        }
        return Reply(200, {"value": value})

    @route("PUT", r"/dms-uploads/(?P<key>\w+)")
    def upload_image(self, request: Request) -> Reply:
        person = self._person(request, versioned=False)
        if isinstance(person, Reply):
            return person
        image = self.images.get(f"urn:li:image:{request.params['key']}")
        if image is None or not request.body:
            return _error(400, "Upload URL unknown or empty body")
        image.update(data=request.body, status="AVAILABLE")
        return Reply(201, None)

    @route("GET", r"/rest/images/(?P<urn>[^/]+)")
    def image_status(self, request: Request) -> Reply:
        person = self._person(request)
        if isinstance(person, Reply):
            return person
        image = self.images.get(urllib.parse.unquote(request.params["urn"]))
        if image is None:
            return _error(404, "Image not found")
        return Reply(200, {"id": request.params["urn"], "status": image["status"]})

    # --- identities -------------------------------------------------------------------------
    @route("GET", r"/v2/userinfo")
    def userinfo(self, request: Request) -> Reply:
        person = self._person(request, versioned=False)
        if isinstance(person, Reply):
            return person
        name = self.people.get(person, "")
        given, _, family = name.partition(" ")
        body = {"sub": person, "name": name, "given_name": given, "family_name": family}
        return Reply(200, {**body, "locale": {"country": "US", "language": "en"}})

    @route("GET", r"/rest/organizationAcls")
    def acls(self, request: Request) -> Reply:
        person = self._person(request)
        if isinstance(person, Reply):
            return person
        if request.arg("q") != "roleAssignee":
            return _error(400, "Unsupported finder")
        items = [
            {
                "roleAssignee": f"urn:li:person:{person}",
                "state": "APPROVED",
                "role": "ADMINISTRATOR",
                "organization": f"urn:li:organization:{org}",
            }
            for org in sorted(self.admins.get(person, set()))
        ]
        return self._collection(request, items)

    @route("GET", r"/rest/organizations/(?P<id>\d+)")
    def organization(self, request: Request) -> Reply:
        person = self._person(request)
        if isinstance(person, Reply):
            return person
        org = self.organizations.get(request.params["id"])
        return Reply(200, org) if org else _error(404, "Organization not found")

    # --- comments and statistics ------------------------------------------------------------
    @route("GET", r"/rest/socialActions/(?P<urn>[^/]+)/comments")
    def list_comments(self, request: Request) -> Reply:
        person = self._person(request)
        if isinstance(person, Reply):
            return person
        urn = urllib.parse.unquote(request.params["urn"])
        return self._collection(request, self.comments.get(urn, []))

    @route("GET", r"/(rest|v2)/organizationalEntityShareStatistics")
    def share_stats(self, request: Request) -> Reply:
        person = self._person(request)
        if isinstance(person, Reply):
            return person
        org = request.arg("organizationalEntity")
        if request.arg("q") != "organizationalEntity" or not AUTHOR_RX.match(org):
            return _error(400, "q=organizationalEntity and a valid organizationalEntity needed")
        if not self._may_act_as(person, org):
            return _error(403, "Not enough permissions to access organization statistics", 100)
        elements = []
        for param, field in (("shares", "share"), ("ugcPosts", "ugcPost")):
            raw = request.arg(param)
            if not raw:
                continue
            if not (raw.startswith("List(") and raw.endswith(")")):
                return _error(400, f"{param} must use the List(...) syntax")
            for urn in (urllib.parse.unquote(u) for u in raw[5:-1].split(",")):
                if urn in self.stats:
                    stats = self.stats[urn]
                    elements.append(
                        {"organizationalEntity": org, field: urn, "totalShareStatistics": stats}
                    )
        return Reply(200, {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})

    # --- OAuth ------------------------------------------------------------------------------
    @route("POST", r"/oauth/v2/accessToken")
    def access_token(self, request: Request) -> Reply:
        form = {k: v[0] for k, v in request.form().items()}
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return Reply(
                401,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        grant = form.get("grant_type")
        if grant == "authorization_code":
            entry = self.codes.pop(form.get("code", ""), None)
            if entry is None or entry[1] != form.get("redirect_uri"):
                return Reply(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "The provided authorization grant is invalid",
                    },
                )
            person = entry[0]
            refresh = self.issue_refresh(person) if self.issue_refresh_tokens else ""
        elif grant == "refresh_token":
            refresh = form.get("refresh_token", "")
            found = self.refresh_tokens.get(refresh)
            if found is None or found[1] < time.time():
                return Reply(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "The provided refresh token is invalid or expired",
                    },
                )
            person = found[0]
            if self.rotate_refresh:
                expiry = self.refresh_tokens.pop(refresh)[1]
                refresh = "AR" + secrets.token_urlsafe(12)
                self.refresh_tokens[refresh] = (person, expiry)
        else:
            return Reply(
                400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant"}
            )
        body: dict[str, Any] = {
            "access_token": self.issue_token(person),
            "expires_in": 5184000,
            "scope": "openid,profile,w_member_social",
        }
        if refresh:
            body["refresh_token"] = refresh
            body["refresh_token_expires_in"] = int(self.refresh_tokens[refresh][1] - time.time())
        return Reply(200, body)
