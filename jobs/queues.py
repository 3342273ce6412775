"""Queue names, the worker classes that serve them, and a helper to get a queue.

Work is split by urgency so that nothing a person is waiting for queues behind bulk work; each
class of queues has its own worker processes (`python -m jobs.worker --class NAME`):

| class         | queues            | jobs                                                     |
|---------------|-------------------|----------------------------------------------------------|
| `urgent`      | `high`            | publishing (due posts, "Publish now"), token refreshes   |
| `interactive` | `interactive`     | proposal writing (a person watches the words arrive)     |
| `bulk`        | `default`, `low`  | CSV imports, knowledge-base reading and embedding;       |
|               |                   | housekeeping (sessions, trash, proposal expiry)          |

Bulk jobs of one organisation run one at a time, organisations in turn (`jobs.fair`).
`--class all` (the default) serves every queue in one process, in the order above: for tests
and one-off runs, not for a deployment.
"""

from __future__ import annotations

from rq import Queue

from crmapp.services.platform.redis_client import get_redis

HIGH = "high"
INTERACTIVE = "interactive"
DEFAULT = "default"
LOW = "low"
WORKER_CLASSES: dict[str, tuple[str, ...]] = {
    "urgent": (HIGH,),
    "interactive": (INTERACTIVE,),
    "bulk": (DEFAULT, LOW),
}
QUEUES = tuple(name for names in WORKER_CLASSES.values() for name in names)


def queue(name: str = DEFAULT) -> Queue:
    """The RQ queue `name` on REDIS_URL."""
    return Queue(name, connection=get_redis())
