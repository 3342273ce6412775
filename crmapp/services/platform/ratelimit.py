"""Sliding-window rate limits in Redis (one sorted set of timestamps per key)."""

from __future__ import annotations

import time
import uuid
from typing import cast

from redis import Redis

from crmapp.services.platform.errors import TooManyAttempts


def _key(scope: str, ident: str) -> str:
    return f"ratelimit:{scope}:{ident.lower()}"


def retry_after(redis: Redis, scope: str, ident: str, *, limit: int, window: int) -> int:
    """Seconds until one more attempt fits in the window (0 when allowed now)."""
    key = _key(scope, ident)
    now = time.time()
    pipe = redis.pipeline()
    pipe.zremrangebyscore(key, 0, now - window)
    pipe.zcard(key)
    pipe.zrange(key, 0, 0, withscores=True)
    _, count, oldest = pipe.execute()
    if count < limit or not oldest:
        return 0
    return max(1, int(oldest[0][1] + window - now + 0.999))


def hit(redis: Redis, scope: str, ident: str, *, window: int) -> None:
    """Record one attempt now."""
    key = _key(scope, ident)
    now = time.time()
    pipe = redis.pipeline()
    pipe.zadd(key, {f"{now}:{uuid.uuid4().hex[:8]}": now})
    pipe.expire(key, window + 1)
    pipe.execute()


def count(redis: Redis, scope: str, ident: str) -> int:
    """Attempts recorded on one key (within its window, as trimmed by `retry_after`)."""
    return int(cast(int, redis.zcard(_key(scope, ident))) or 0)


def clear(redis: Redis, scope: str, ident: str) -> None:
    """Forget the attempts on one key (after a successful login)."""
    redis.delete(_key(scope, ident))


def enforce(redis: Redis, checks: list[tuple[str, str, int, int]], what: str = "attempts") -> None:
    """Raise `TooManyAttempts` with the longest wait of the `(scope, ident, limit, window)`
    checks."""
    waits = [
        retry_after(redis, scope, ident, limit=limit, window=window)
        for scope, ident, limit, window in checks
        if ident
    ]
    wait = max(waits, default=0)
    if wait:
        raise TooManyAttempts(wait, what)
