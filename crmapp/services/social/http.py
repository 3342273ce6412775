"""HTTP for providers: one httpx client, transport failures translated, rate-limit resets read.

A request that fails before anything was sent (connection refused, connect timeout) is
`Transient`; one that may have reached the network (read timeout, connection dropped mid-answer)
is `OutcomeUnknown` when it was a write, so the caller checks before retrying.
"""

from __future__ import annotations

import email.utils
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from crmapp.services.social.base import OutcomeUnknown, Transient

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
EPOCH_MARGIN = timedelta(seconds=2)  # added to a whole-second reset epoch (see `reset_time`)
# httpx logs every request line at INFO (and httpcore its headers at DEBUG): some networks take
# tokens and the app secret in the query string (Graph's token exchange), which must never reach
# a log. Their warnings and errors still do.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)
_client: httpx.Client | None = None


def client() -> httpx.Client:
    """The process-wide client (connection pooling across jobs and threads)."""
    global _client
    if _client is None:
        _client = httpx.Client(
            timeout=TIMEOUT,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            headers={"User-Agent": "Tandem/1.0 (+self-hosted)"},
        )
    return _client


def reset_client() -> None:
    """Drop the pooled client (tests that change timeouts; after a fork)."""
    global _client
    if _client is not None:
        _client.close()
    _client = None


def request(method: str, url: str, *, write: bool | None = None, **kwargs: Any) -> httpx.Response:
    """Send one request; transport failures become `Transient` or `OutcomeUnknown`.

    Args:
        method: HTTP method.
        url: Absolute URL.
        write: Whether the request creates something (defaults to: method is not GET). A write
            whose answer was lost raises `OutcomeUnknown`; a read raises `Transient`.
        **kwargs: Passed to `httpx.Client.request` (json, data, files, headers, params, ...).
    """
    is_write = (method.upper() != "GET") if write is None else write
    try:
        return client().request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
        raise Transient(f"Could not reach {httpx.URL(url).host}: {error}") from error
    except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError) as e:
        host = httpx.URL(url).host
        if is_write:
            raise OutcomeUnknown(
                f"No answer from {host} after sending; checking before retrying"
            ) from e
        raise Transient(f"No answer from {host}: {e}") from e
    except httpx.HTTPError as error:
        raise Transient(f"Request to {httpx.URL(url).host} failed: {error}") from error


def reset_time(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """A rate-limit reset header as a UTC time: unix seconds, seconds to wait (small numbers,
    `Retry-After`), an ISO 8601 time (Mastodon) or an HTTP date. None when absent or unreadable.

    Unix seconds (X's `x-rate-limit-reset`, Bluesky's `RateLimit-Reset`) are the reset instant
    floored to the second, so the window really ends up to a second later (and clocks differ):
    `EPOCH_MARGIN` is added, or the retry lands on the same second and is refused again.
    """
    if not value:
        return None
    now = now or datetime.now(UTC)
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if number > 1_000_000_000:  # an epoch
            return datetime.fromtimestamp(number, UTC) + EPOCH_MARGIN
        return now + timedelta(seconds=max(0.0, number))
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def parse_time(value: Any) -> datetime:
    """A time from an API (ISO 8601 with `Z`, or Graph's `+0000`) as an aware UTC datetime;
    now when it is missing or unreadable, UTC when it names no zone."""
    text = str(value or "")
    if re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def json_or_empty(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object, or {} when the body is empty or not an object."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"data": body}
