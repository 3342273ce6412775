"""LinkedIn REST plumbing for the LinkedIn provider: versioned headers, error translation,
"little text" escaping and the OAuth token endpoint (contract §2)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx

from crmapp.services.social import http
from crmapp.services.social.base import AuthExpired, RateLimited, Rejected, TokenSet, Transient
from crmapp.settings import get_settings

# Characters LinkedIn's "little text" commentary treats as markup (contract §2.1).
LITTLE_TEXT_RESERVED = "\\<>#~_|[]*(){}@"
# Bodies LinkedIn sends for passing trouble (Postiz retries on these, contract §2.4).
RETRY_HINTS = ("Unable to obtain activity", "resource is forbidden", "Service Unavailable")


def escape_little_text(text: str) -> str:
    """`text` with every reserved character backslash-escaped, so it shows as typed."""
    return "".join("\\" + ch if ch in LITTLE_TEXT_RESERVED else ch for ch in text)


def api_base() -> str:
    return get_settings().linkedin_api_base.rstrip("/")


def rest_headers(token: str) -> dict[str, str]:
    """The headers every versioned `/rest` call needs."""
    return {
        "Authorization": f"Bearer {token}",
        "LinkedIn-Version": get_settings().linkedin_version,
        "X-Restli-Protocol-Version": "2.0.0",
    }


def next_utc_midnight(now: datetime | None = None) -> datetime:
    """When LinkedIn's daily limits reset (it sends no reset header)."""
    now = now or datetime.now(UTC)
    return datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=UTC)


def raise_for(response: httpx.Response) -> dict[str, Any]:
    """The JSON body of a successful answer (`{}` when empty); errors become base exceptions.

    Raises:
        AuthExpired: 401.
        RateLimited: 429, retry when `Retry-After` says, else at the next UTC midnight.
        Transient: 5xx, or one of the passing-trouble messages.
        Rejected: other 4xx, with LinkedIn's message.
    """
    status = response.status_code
    body = http.json_or_empty(response)
    if status < 400:
        return body
    message = str(body.get("message") or body.get("error_description") or f"HTTP {status}")
    if status == 401:
        raise AuthExpired(f"LinkedIn sign-in expired or was revoked ({message}): reconnect it")
    if status == 429:
        # A Retry-After (infrastructure throttles) says how long; without one the limit hit is
        # the daily one, which resets at midnight UTC.
        wait = http.reset_time(response.headers.get("Retry-After"))
        if wait is not None:
            raise RateLimited("LinkedIn is throttling requests; the post will be retried", wait)
        raise RateLimited(
            "LinkedIn's daily limit is reached; retrying after midnight UTC", next_utc_midnight()
        )
    if status >= 500 or any(hint in message for hint in RETRY_HINTS):
        raise Transient(f"LinkedIn is having trouble ({status}): {message}")
    if "duplicate" in message.lower():
        raise Rejected("LinkedIn refuses duplicate content: change the text")
    if status == 403:
        raise Rejected(
            f"LinkedIn refused ({message}): check that this account may post as this author"
        )
    raise Rejected(f"LinkedIn rejected the post: {message}")


def rest(
    method: str, path: str, token: str, *, write: bool | None = None, **kwargs: Any
) -> httpx.Response:
    """One versioned call (`path` starts with `/rest` or `/v2`); errors raised, answer returned
    (the caller may need its headers)."""
    headers = {**rest_headers(token), **kwargs.pop("headers", {})}
    response = http.request(method, f"{api_base()}{path}", write=write, headers=headers, **kwargs)
    raise_for(response)
    return response


def token_request(form: dict[str, str]) -> TokenSet:
    """POST `/oauth/v2/accessToken` (client secret in the form, contract §2.3).

    Returns the refresh token LinkedIn sent (refreshing does not extend its life: the
    remaining lifetime is kept in `extra["refresh_token_expires_at"]`), or "" when it sent none.

    Raises:
        AuthExpired: the code or refresh token was refused.
    """
    settings = get_settings()
    form = {
        **form,
        "client_id": settings.linkedin_client_id,
        "client_secret": settings.linkedin_client_secret,
    }
    url = f"{get_settings().linkedin_oauth_base.rstrip('/')}/oauth/v2/accessToken"
    response = http.request("POST", url, data=form)
    if response.status_code in (400, 401):
        detail = http.json_or_empty(response).get("error_description") or "refused"
        raise AuthExpired(f"LinkedIn refused the sign-in ({detail}): reconnect the account")
    body = raise_for(response)
    now = datetime.now(UTC)
    extra: dict[str, Any] = {}
    if body.get("refresh_token_expires_in"):
        expires = now + timedelta(seconds=int(body["refresh_token_expires_in"]))
        extra["refresh_token_expires_at"] = expires.isoformat()
    return TokenSet(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token") or ""),
        expires_at=now + timedelta(seconds=int(body["expires_in"]))
        if body.get("expires_in")
        else None,
        scope=str(body.get("scope") or ""),
        extra=extra,
    )
