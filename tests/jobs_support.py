"""Jobs the worker tests queue: a bulk job that runs until the test lets it finish."""

from __future__ import annotations

import time

from crmapp.services.platform.redis_client import get_redis


def hold(flag: str, limit: float = 120.0) -> str:
    """Run until the Redis key `flag` is set (or `limit` seconds pass): a long bulk job whose
    end the test decides."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if get_redis().exists(flag):
            return "released"
        time.sleep(0.1)
    return "limit"
