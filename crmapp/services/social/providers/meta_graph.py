"""What Facebook Pages and Instagram share: the Graph API's URLs, its error envelope, paging and
the Facebook Login flow that yields Page tokens (and the Instagram accounts linked to Pages).

Every Graph failure arrives as `{"error": {"message", "type", "code", "error_subcode",
"is_transient", "error_user_title", "error_user_msg", "fbtrace_id"}}`, often with HTTP 400 or 403
rather than 401 or 429, so the code and subcode decide what it means, not the status.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx

from crmapp.services.social import http
from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    Metrics,
    OAuthFlow,
    RateLimited,
    Rejected,
    SocialError,
    TokenSet,
    Transient,
)
from crmapp.settings import get_settings

AUTH_CODES = {102, 104, 190}
AUTH_SUBCODES = {33, 458, 459, 460, 463, 464, 467, 492}
RATE_CODES = {4, 17, 32, 341, 613, 80001, 80002}
RATE_SUBCODES = {1390008, 2207042}
TRANSIENT_CODES = {1, 2}
DEFAULT_WAIT = timedelta(minutes=5)  # "wait a bit and try again" with no usage figures
FULL_USAGE_WAIT = timedelta(minutes=15)  # a usage header at 100%: the window is rolling
DAILY_LIMIT_WAIT = timedelta(hours=1)  # Instagram's 24-hour publishing window

# Plain-English reasons per subcode (Instagram 2207xxx, a few Facebook ones) and per code.
REASONS: dict[int, str] = {
    2207001: "Instagram flagged this post as spam; change the caption or media and try again",
    2207003: "Instagram timed out downloading the media; use a smaller file or a faster host",
    2207004: "The image is too large for Instagram; use an image of 8 MB or less",
    2207005: "Instagram does not support this image format; use a JPEG",
    2207006: "Instagram could not find the media; check that its URL is public",
    2207008: "The Instagram upload expired before publishing; publish it again",
    2207009: (
        "Instagram needs an aspect ratio between 4:5 and 1.91:1 for feed posts; crop the image"
    ),
    2207010: "The caption is too long for Instagram; keep it to 2200 characters",
    2207020: "The Instagram upload expired before publishing; publish it again",
    2207023: "Instagram does not know this media type; use a JPEG image or an MP4 video",
    2207026: "Instagram does not support this video format; use an MP4 (H.264, AAC)",
    2207027: "Instagram had not finished processing the media; publish it again in a minute",
    2207028: "Instagram rejected the carousel; use between 2 and 10 images or videos",
    2207032: "Instagram could not create the media; check the file and try again",
    2207050: "Instagram has restricted this account; check the account in the Instagram app",
    2207051: "Instagram blocked this post as spam or abuse; change its content",
    2207052: "Instagram could not fetch the media; check that its URL is public",
    2207057: "The video thumbnail offset is invalid; pick a moment inside the video",
    1366046: "Facebook accepts photos of at most 4 MB in JPG or PNG; convert or shrink the photo",
    1346003: "Facebook refused this post as abusive; change its content",
    1366051: "These photos were already posted to the Page; pick other photos",
    1404078: "Facebook requires Page Publishing Authorization; complete it in the Page's settings",
}
CODE_REASONS: dict[int, str] = {
    36001: "Instagram does not support this image resolution; use 320 to 1440 pixels wide",
    36003: REASONS[2207009],
    368: "Facebook has temporarily blocked this Page from posting for a policy violation",
    506: "This is a duplicate of a recent post; change the text before posting again",
    1609005: "Facebook could not read the link; check that the URL opens in a browser",
}
PAGE_FIELDS = (
    "id,name,access_token,picture.type(large),instagram_business_account{id,username,name}"
)


def graph_url(path: str) -> str:
    """The absolute Graph URL of `path` at the configured version."""
    settings = get_settings()
    base = settings.meta_graph_base.rstrip("/")
    return f"{base}/{settings.meta_graph_version.strip('/')}/{path.lstrip('/')}"


def usage_retry_at(headers: httpx.Headers, *, now: datetime | None = None) -> datetime | None:
    """When a throttled app or Page may call again, from the usage headers (§3.4).

    `X-Business-Use-Case-Usage` carries `estimated_time_to_regain_access` in minutes; the
    platform headers (`X-App-Usage`, `X-Page-Usage`) only give percentages of a rolling window,
    so a full one means "wait a while". None when the headers say nothing useful.
    """
    now = now or datetime.now(UTC)
    minutes = 0.0
    try:
        buc = json.loads(headers.get("x-business-use-case-usage") or "{}")
        for entries in buc.values() if isinstance(buc, dict) else []:
            for entry in entries if isinstance(entries, list) else []:
                minutes = max(minutes, float(entry.get("estimated_time_to_regain_access") or 0))
    except (ValueError, TypeError, AttributeError):
        pass
    if minutes > 0:
        return now + timedelta(minutes=minutes)
    for name in ("x-app-usage", "x-page-usage", "x-ad-account-usage"):
        try:
            usage = json.loads(headers.get(name) or "{}")
            if isinstance(usage, dict) and max(map(float, usage.values()), default=0) >= 100:
                return now + FULL_USAGE_WAIT
        except (ValueError, TypeError):
            continue
    return None


def translate_error(
    response: httpx.Response, *, network: str = "Facebook", now: datetime | None = None
) -> SocialError:
    """The project's exception for a failed Graph response."""
    now = now or datetime.now(UTC)
    body = http.json_or_empty(response)
    error = body.get("error") if isinstance(body.get("error"), dict) else None
    if error is None:
        if response.status_code == 429:
            return RateLimited(
                f"{network} is rate limiting requests", usage_retry_at(response.headers)
            )
        if response.status_code >= 500:
            return Transient(f"{network} answered {response.status_code}; trying again later")
        if response.status_code == 401:
            return AuthExpired(f"{network} refused the token; reconnect the account")
        return Rejected(f"{network} refused the request (HTTP {response.status_code})")
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    message = str(error.get("message") or "")
    user_message = str(error.get("error_user_msg") or "")
    if code in AUTH_CODES or subcode in AUTH_SUBCODES or "REVOKED_ACCESS_TOKEN" in message:
        return AuthExpired(f"{network} no longer accepts this account's token; reconnect it")
    if code in RATE_CODES or subcode in RATE_SUBCODES:
        retry_at = usage_retry_at(response.headers, now=now)
        if retry_at is None:
            retry_at = now + (DAILY_LIMIT_WAIT if subcode == 2207042 else DEFAULT_WAIT)
        if subcode == 2207042:
            return RateLimited(
                f"{network} allows only so many posts a day; it will retry", retry_at
            )
        return RateLimited(f"{network} is rate limiting this account; it will retry", retry_at)
    if error.get("is_transient") or code in TRANSIENT_CODES or response.status_code >= 500:
        return Transient(f"{network} had a temporary problem: {message or 'no details'}")
    if subcode in REASONS:
        return Rejected(REASONS[subcode])
    if code in CODE_REASONS:
        return Rejected(CODE_REASONS[code])
    if code == 10 or 200 <= code <= 299:
        return Rejected(
            f"{network} says the account lacks a permission for this; reconnect it and grant "
            f"every permission asked ({user_message or message})"
        )
    return Rejected(user_message or message or f"{network} refused the request")


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def call(
    method: str,
    path: str,
    *,
    token: str = "",
    network: str = "Facebook",
    params: dict[str, Any] | None = None,
    json_body: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    files: dict[str, Any] | None = None,
    url: str = "",
) -> dict[str, Any]:
    """One Graph call; the JSON answer, or the translated error raised.

    Args:
        method: HTTP method.
        path: Path under the versioned base (ignored when `url` is given).
        token: Access token, sent as `Authorization: Bearer` (kept out of URLs and logs).
        network: Name used in error messages ("Facebook", "Instagram").
        params: Query-string parameters.
        json_body: JSON body.
        data: Form fields (with `files`: a multipart body).
        files: Multipart files.
        url: An absolute URL (a `paging.next` link) instead of `path`.
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = http.request(
        method,
        url or graph_url(path),
        params=params,
        json=json_body,
        data=data,
        files=files,
        headers=headers,
    )
    body = http.json_or_empty(response)
    if response.status_code >= 400 or isinstance(body.get("error"), dict):
        error = translate_error(response, network=network)
        envelope: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else {}
        # Kept for callers that read a code in context (a deleted post while reading metrics).
        setattr(error, "graph_code", _int(envelope.get("code")))  # noqa: B010
        setattr(error, "graph_subcode", _int(envelope.get("error_subcode")))  # noqa: B010
        raise error
    return body


def is_missing_object(error: SocialError) -> bool:
    """Whether a Graph error says the object does not exist (deleted post, wrong id): code 100
    with subcode 33, which `translate_error` reads as lost access when publishing."""
    return getattr(error, "graph_code", 0) == 100 and getattr(error, "graph_subcode", 0) == 33


def paged(
    path: str, *, token: str, params: dict[str, Any], network: str = "Facebook", max_pages: int = 5
) -> Iterator[dict[str, Any]]:
    """Every item of a Graph edge, following `paging.next` (the last page has none) for at
    most `max_pages` pages."""
    body = call("GET", path, token=token, params=params, network=network)
    for page in range(max_pages):
        yield from (item for item in body.get("data") or [] if isinstance(item, dict))
        next_url = (body.get("paging") or {}).get("next")
        if not next_url or page == max_pages - 1:
            return
        body = call("GET", "", token=token, network=network, url=str(next_url))


def post_metrics(
    account: AccountAuth,
    remote_ids: list[str],
    metrics: str,
    network: str,
    figures: Callable[[dict[str, Any]], Metrics],
) -> dict[str, Metrics]:
    """Each post's insights (`{id}/insights`): the latest value of each of `metrics`, turned
    into `Metrics` by `figures`. Posts without figures (too few viewers, not a post any more:
    code 100/33, an expired story, empty data) are left out.

    Raises:
        AuthExpired: the token itself is refused.
    """
    out: dict[str, Metrics] = {}
    for remote_id in remote_ids:
        try:
            body = call(
                "GET",
                f"{remote_id}/insights",
                token=account.access_token,
                network=network,
                params={"metric": metrics},
            )
        except (Rejected, AuthExpired) as error:
            if isinstance(error, AuthExpired) and not is_missing_object(error):
                raise
            continue  # code 100 (not a post / invalid metric) or 10 (too few viewers)
        values = {
            str(entry.get("name")): (entry.get("values") or [{}])[-1].get("value")
            for entry in body.get("data") or []
        }
        if values:
            out[remote_id] = figures(values)
    return out


def number(value: Any) -> int:
    """A Graph figure as an int (0 when missing or not a number)."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


# --- Facebook Login ------------------------------------------------------------------------


def authorization_url(flow: OAuthFlow, *, scopes: str) -> str:
    """The Facebook Login dialog URL (`{oauth base}/{version}/dialog/oauth`)."""
    settings = get_settings()
    query = {
        "client_id": settings.meta_app_id,
        "redirect_uri": flow.redirect_uri,
        "state": flow.state,
        "response_type": "code",
        "scope": scopes,
    }
    if flow.code_challenge:
        query |= {"code_challenge": flow.code_challenge, "code_challenge_method": "S256"}
    base = settings.meta_oauth_base.rstrip("/")
    version = settings.meta_graph_version.strip("/")
    return f"{base}/{version}/dialog/oauth?{urllib.parse.urlencode(query)}"


def exchange_code(flow: OAuthFlow, code: str) -> TokenSet:
    """Trade the login code for a short-lived user token, then that for a long-lived one
    (about 60 days) from which Page tokens that do not expire are read."""
    settings = get_settings()
    params = {
        "client_id": settings.meta_app_id,
        "client_secret": settings.meta_app_secret,
        "redirect_uri": flow.redirect_uri,
        "code": code,
    }
    if flow.code_verifier:
        params["code_verifier"] = flow.code_verifier
    short = call("GET", "oauth/access_token", params=params)
    return long_lived_token(str(short.get("access_token") or ""))


def long_lived_token(short_token: str) -> TokenSet:
    """Exchange a short-lived user token for a long-lived one (`fb_exchange_token`)."""
    settings = get_settings()
    body = call(
        "GET",
        "oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": settings.meta_app_id,
            "client_secret": settings.meta_app_secret,
            "fb_exchange_token": short_token,
        },
    )
    token = str(body.get("access_token") or "")
    if not token:
        raise AuthExpired("Facebook did not return a token; connect the account again")
    expires_in = _int(body.get("expires_in"))
    expires_at = datetime.now(UTC) + timedelta(seconds=expires_in) if expires_in else None
    return TokenSet(access_token=token, expires_at=expires_at)


def list_pages(user_token: str) -> list[dict[str, Any]]:
    """The Pages the user manages (`/me/accounts`), each with its Page token and linked
    `instagram_business_account`, across every page of results."""
    params = {"fields": PAGE_FIELDS, "limit": 100}
    return list(paged("me/accounts", token=user_token, params=params, max_pages=20))


def user_token_extra(tokens: TokenSet) -> dict[str, Any]:
    """What a Page's stored tokens keep of the user token, to re-read the Page token later."""
    expires = tokens.expires_at.isoformat() if tokens.expires_at else ""
    return {"user_token": tokens.access_token, "user_token_expires_at": expires}


def refresh_page_token(account: AccountAuth, *, page_id: str, network: str) -> TokenSet:
    """A Page token does not expire, but it is invalidated by a password change or a lost
    role: re-read it with the stored long-lived user token. Without a live user token the owner
    must log in again (`AuthExpired`)."""
    user_token = str(account.extra.get("user_token") or "")
    expires = str(account.extra.get("user_token_expires_at") or "")
    if not user_token or (expires and http.parse_time(expires) <= datetime.now(UTC)):
        raise AuthExpired(f"The {network} login has expired; reconnect the account")
    for page in list_pages(user_token):
        if str(page.get("id")) == page_id and page.get("access_token"):
            extra = {"user_token": user_token, "user_token_expires_at": expires}
            return TokenSet(access_token=str(page["access_token"]), extra=extra)
    raise AuthExpired(f"This login no longer manages the {network} account; reconnect it")


class FacebookLogin:
    """The Facebook Login half of a Graph provider (Pages and Instagram share it); a subclass
    names the permissions it asks for in `login_scopes`."""

    login_scopes: ClassVar[str] = ""

    def authorization_url(self, flow: OAuthFlow) -> str:
        """The Facebook Login dialog asking for `login_scopes`."""
        return authorization_url(flow, scopes=self.login_scopes)

    def exchange_code(self, flow: OAuthFlow, code: str) -> TokenSet:
        """A long-lived user token (about 60 days) for the login code."""
        return exchange_code(flow, code)
