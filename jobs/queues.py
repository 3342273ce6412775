"""Queue names and helpers to enqueue with deterministic ids and declared retries."""

from __future__ import annotations

from rq import Queue

from crmapp.services.redis_client import get_redis

DEFAULT = "default"
QUEUES = ("high", DEFAULT, "low")


def queue(name: str = DEFAULT) -> Queue:
    """The RQ queue `name` on REDIS_URL."""
    return Queue(name, connection=get_redis())
