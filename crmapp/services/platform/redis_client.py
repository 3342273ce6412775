"""The process-wide Redis connection (rate limits, queues)."""

from __future__ import annotations

from functools import lru_cache

from redis import Redis

from crmapp.settings import get_settings


@lru_cache(maxsize=1)
def get_redis() -> Redis:
    """A Redis client for REDIS_URL (`redis://…` or `unix://…`)."""
    url = get_settings().redis_url
    if not url:
        raise RuntimeError("REDIS_URL is not set: start Tandem with `make run`")
    return Redis.from_url(url)
